"""An AWS custom lens file read into a new lens, or a new version of one, in one transaction."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from ..jsonfile import NotJSON, read_json
from ..models import Choice, Lens, Pillar, Question, RiskRule
from ..versions import LensVersionError, lens_publish
from .export import lens_to_aws, link_of
from .spec import NONE_SUFFIX, SHORT_LABELS, LensAlreadyImported, LensImportError
from .validation import check_aws_lens


def parse_lens_json(raw: str | bytes) -> dict:
    """The JSON text of a lens file as data; LensImportError when it is not JSON."""
    try:
        return read_json(raw)
    except NotJSON as exc:
        raise LensImportError([str(exc)]) from None


def _model_problems(data: dict) -> list[str]:
    """Ids the format allows but our tables cannot hold."""
    problems = []
    limit = Question._meta.get_field("key").max_length
    for p, pillar in enumerate(data["pillars"]):
        for q, question in enumerate(pillar.get("questions", [])):
            if len(question["id"]) > limit:
                problems.append(f"pillars[{p}].questions[{q}].id: longer than {limit} characters, the most we store")
    return problems


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _next_version(slug: str) -> str:
    taken = set(Lens.objects.filter(slug=slug).values_list("version", flat=True))
    if not taken:
        return "1"
    if all(v.isascii() and v.isdigit() for v in taken):  # "²".isdigit(), yet int("²") fails
        return str(max(int(v) for v in taken) + 1)
    version, n = timezone.localdate().isoformat(), 1
    while version in taken:
        n += 1
        version = f"{timezone.localdate().isoformat()}.{n}"
    return version


def _short_labels(ids: list[str]) -> dict[str, str]:
    """A short label for each pillar id: AWS's own for the framework pillars, whatever the case or
    separators of the id ("Security", "cost_optimization"), else the id's first letters."""
    labels: dict[str, str] = {}
    for ident in ids:
        letters = re.sub("[^A-Za-z0-9]", "", ident)
        label = SHORT_LABELS.get(letters.lower()) or letters.upper()[:4]
        n = 1
        while label in labels.values():
            n += 1
            label = f"{label[:3]}{n}"
        labels[ident] = label
    return labels


@transaction.atomic
def lens_from_aws(
    data: dict | str | bytes,
    *,
    language: str,
    slug: str | None = None,
    version: str | None = None,
    status: str = Lens.Status.DRAFT,
    force: bool = False,
) -> Lens:
    """A new lens (or a new version of ``slug``) from an AWS custom lens file in one language.

    The texts go into ``language``'s fields; the other language stays empty and the pages
    fall back to this one. Without ``slug`` the lens name gives one; without ``version``
    the next one is taken ("1", the next integer, or today's date). Pillar short labels
    follow the AWS pillar ids (SEC, SUS...) or the first letters of a custom id; question
    labels are "<short label> <n>". A choice id ending in ``_no`` is "None of these".
    Every text and link the format holds is kept as it is (a question's helpful resource,
    a choice's description and additional resources), so exporting gives the file back.

    When a version of the slug already has the same content (the file's language exported
    the same), nothing is imported and ``LensAlreadyImported`` names it, unless ``force``.
    ``status`` published publishes the new lens through ``lens_publish``, under the same
    rules as the admin's publish page.

    Raises LensImportError, with every problem and its place, and imports nothing, when
    the file breaks the format or the slug and version are taken.
    """
    if language not in _languages():
        raise LensImportError([f'language "{language}" is not one of {", ".join(_languages())}'])
    if isinstance(data, str | bytes):
        data = parse_lens_json(data)
    problems = check_aws_lens(data)
    if problems:
        raise LensImportError(problems.messages(), total=problems.total)
    if model_problems := _model_problems(data):
        raise LensImportError(model_problems)
    slug = slug or slugify(data["name"])[:64].strip("-") or "lens"
    try:
        validate_slug(slug)
    except ValidationError:
        raise LensImportError([f'slug "{slug}" must be letters, digits, hyphens or underscores']) from None
    version = version or _next_version(slug)
    if not version.isprintable():
        raise LensImportError([f"version {version!r} must be printable characters"])
    if Lens.objects.filter(slug=slug, version=version).exists():
        raise LensImportError([f'lens "{slug}" version "{version}" already exists'])
    if len(version) > Lens._meta.get_field("version").max_length:
        raise LensImportError([f'version "{version}" is longer than 32 characters'])

    def tr(name: str) -> str:
        return f"{name}_{language}"

    notes = data.get("_release_note") if isinstance(data.get("_release_note"), str) else ""
    lens = Lens.objects.create(
        slug=slug,
        version=version,
        status=Lens.Status.DRAFT,
        **{tr("name"): data["name"], tr("description"): data["description"], tr("release_notes"): notes},
    )
    labels = _short_labels([pillar["id"] for pillar in data["pillars"]])
    for p, pillar_data in enumerate(data["pillars"], start=1):
        pillar = Pillar.objects.create(
            lens=lens,
            key=pillar_data["id"],
            short_label=labels[pillar_data["id"]],
            order=p,
            **{tr("name"): pillar_data["name"]},
        )
        for q, question_data in enumerate(pillar_data.get("questions", []), start=1):
            _import_question(pillar, q, question_data, tr)
    if not force:
        _refuse_a_copy(lens, language)
    if status == Lens.Status.PUBLISHED:
        try:
            lens = lens_publish(draft=lens, version=version, release_notes={}, user=None)
        except LensVersionError as exc:
            raise LensImportError([f"not publishable: {problem}" for problem in exc.problems]) from None
    return lens


def _refuse_a_copy(lens: Lens, language: str) -> None:
    """LensAlreadyImported (rolling the new rows back) when another version of the slug has the same content."""
    mine = lens_to_aws(lens, language=language)
    for other in Lens.objects.filter(slug=lens.slug).exclude(pk=lens.pk).order_by("-pk"):
        if lens_to_aws(other, language=language) == mine:
            raise LensAlreadyImported(other)


def _import_question(pillar: Pillar, order: int, data: dict, tr) -> None:
    resource = data.get("helpfulResource") or {}
    question = Question.objects.create(
        pillar=pillar,
        key=data["id"],
        label=f"{pillar.short_label} {order}",
        order=order,
        helpful_resource_url=resource.get("url", ""),
        **{
            tr("title"): data["title"],
            tr("description"): data.get("description", ""),
            tr("helpful_resource"): resource.get("displayText", ""),
        },
    )
    for c, choice in enumerate(data["choices"], start=1):
        helpful = choice.get("helpfulResource") or {}
        plan = choice.get("improvementPlan") or {}
        Choice.objects.create(
            question=question,
            key=choice["id"],
            order=c,
            is_none=choice["id"].endswith(NONE_SUFFIX),
            helpful_resource_url=helpful.get("url", ""),
            improvement_plan_url=plan.get("url", ""),
            **{
                tr("title"): choice["title"],
                tr("description"): choice.get("description", ""),
                tr("helpful_resource"): helpful.get("displayText", ""),
                tr("improvement_plan"): plan.get("displayText", ""),
                tr("additional_resources"): _additional_resources(choice.get("additionalResources", [])),
            },
        )
    # bulk_create alone would bypass django-simple-history: rules need their "created" rows like the rest.
    bulk_create_with_history(
        [
            RiskRule(question=question, order=r, condition=rule["condition"].strip(), risk=rule["risk"])
            for r, rule in enumerate(data["riskRules"], start=1)
        ],
        RiskRule,
    )


def _additional_resources(resources: list[dict]) -> list[dict]:
    """The file's additional resources as stored: the format's keys only, in the file's order."""
    return [
        {"type": resource["type"], "content": [link_of(link) for link in resource["content"]]} for resource in resources
    ]
