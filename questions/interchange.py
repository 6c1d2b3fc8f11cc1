"""Lenses in and out in the AWS Well-Architected Tool's custom lens JSON format.

``lens_to_aws`` writes one language of a lens as a custom lens file, ``lens_from_aws``
reads one back as a new lens (or a new version of one), and ``validate_aws_lens`` holds
the format's rules, shared by both directions.

The rules, and where they come from. [spec] is the AWS page "Lens format specification
in AWS WA Tool", of which only the lens and pillar sections could be read here; [schema]
is a public JSON Schema of that page (PacoVK/well-architected-editor,
src/schemas/custom-lens.schema.json) for the sections after them; [api] is the
Well-Architected API reference; [import] the ``ImportLens`` page; [lab] the AWS
Well-Architected Labs custom lens lab. Where two disagree, the stricter one holds.

- ``schemaVersion`` is ``"2021-11-01"``; ``name`` 1-128 characters, ``description`` up
  to 2048 [spec]; the whole file at most 500 KB [import].
- 1-10 pillars [spec]; a pillar ``id`` is 3-64 letters, digits or ``_`` (the spec allows
  128, but the API's ``PillarId`` holds 64), unique in the lens; ``name`` 1-128 [spec].
- Up to 20 questions a pillar; a question ``id`` is 3-128 letters, digits or ``_``,
  unique in the lens; ``title`` 1-128; ``description`` up to 2048; an optional
  ``helpfulResource`` with ``displayText`` up to 2048 [schema; QuestionId 128 in api].
- 1-15 choices a question; a choice ``id`` is 3-64 letters, digits or ``_`` (api
  ``ChoiceId``; [schema] says 128), unique in its question; ``title`` 1-128 [schema];
  ``description`` up to 1024 [api ``Choice``]; ``helpfulResource`` / ``improvementPlan``
  ``displayText`` and ``url`` up to 1024 [api ``ChoiceContent``; schema says 2048], the
  url http(s); every choice but "None of these" has an ``improvementPlan`` [schema]. A
  choice id ending in ``_no`` is "None of these" [lab], at most one a question.
  ``additionalResources``: at most one of each type ``HELPFUL_RESOURCE`` /
  ``IMPROVEMENT_PLAN`` [api ``Choice``], each with 1-5 links [schema].
- ``riskRules``: 1-3 rules ``{condition, risk}`` with a ``default`` one, risk
  ``HIGH_RISK`` / ``MEDIUM_RISK`` / ``NO_RISK`` [schema]; conditions name only the
  question's own choice ids, with ``&&``, ``||``, ``!`` and parentheses, and ``default``
  is the last rule (the first true rule decides; see ``questions/rules.py``).

Keys the format does not know (``_version``, ``_release_note``, a question ``url``...)
are ignored.
"""

import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from .models import Choice, Lens, Pillar, Question, Risk, RiskRule
from .rules import MAX_RULES, ConditionError, parse_condition

SCHEMA_VERSION = "2021-11-01"
MAX_FILE_BYTES = 500_000
MAX_PILLARS, MAX_QUESTIONS, MAX_CHOICES = 10, 20, 15
MAX_ADDITIONAL_LINKS = 5
NONE_SUFFIX = "_no"
ELLIPSIS = "…"


@dataclass(frozen=True)
class Limits:
    lens_name: int = 128
    lens_description: int = 2048
    pillar_id: int = 64
    pillar_name: int = 128
    question_id: int = 128
    question_title: int = 128
    question_description: int = 2048
    question_resource_text: int = 2048
    question_resource_url: int = 2048
    choice_id: int = 64
    choice_title: int = 128
    choice_description: int = 1024
    choice_content_text: int = 1024
    choice_content_url: int = 1024


LIMITS = Limits()
MIN_ID = 3
ID_CHARS = re.compile(r"[A-Za-z0-9_]+")
RISKS = (Risk.HIGH, Risk.MEDIUM, Risk.NONE)
RESOURCE_TYPES = ("HELPFUL_RESOURCE", "IMPROVEMENT_PLAN")
# The AWS Well-Architected Framework pillar ids and the labels the AWS tool gives them.
SHORT_LABELS = {
    "operationalExcellence": "OPS",
    "security": "SEC",
    "reliability": "REL",
    "performance": "PERF",
    "costOptimization": "COST",
    "sustainability": "SUS",
}


class LensImportError(ValueError):
    """A lens file that cannot be imported; ``messages`` names each problem with its place."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


# --- Validation --------------------------------------------------------------------------------

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


def _kind(value) -> str:
    return _JSON_TYPES.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, place: str, message: str) -> None:
        self.problems.append(f"{place or 'lens'}: {message}")

    def get(self, obj: dict, key: str, place: str, kind: type, *, required: bool = True):
        """``obj[key]`` when present and of the kind, else None (and a problem when it should be)."""
        if key not in obj:
            if required:
                self.add(place, f'"{key}" is missing')
            return None
        value = obj[key]
        if not isinstance(value, kind):
            self.add(_join(place, key), f"must be {_JSON_TYPES[kind]}, found {_kind(value)}")
            return None
        return value

    def text(self, obj: dict, key: str, place: str, limit: int, *, required: bool = True, blank: bool = False):
        value = self.get(obj, key, place, str, required=required)
        if value is None:
            return None
        if not blank and not value.strip():
            self.add(_join(place, key), "must not be empty")
        if len(value) > limit:
            self.add(_join(place, key), f"longer than {limit} characters ({len(value)})")
        return value

    def ident(self, obj: dict, place: str, limit: int) -> str | None:
        value = self.get(obj, "id", place, str)
        if value is None:
            return None
        if not ID_CHARS.fullmatch(value) or not MIN_ID <= len(value) <= limit:
            self.add(f"{place}.id", f'"{value}" must be {MIN_ID}-{limit} letters, digits or underscores')
        return value

    def url(self, obj: dict, place: str, limit: int) -> None:
        value = self.text(obj, "url", place, limit, required=False)
        if value and not value.startswith(("https://", "http://")):
            self.add(f"{place}.url", f'"{value}" must start with https:// or http://')

    def items(self, obj: dict, key: str, place: str, *, low: int, high: int) -> list[tuple[str, dict]]:
        """The objects of the array ``obj[key]`` with their places, checking the array's length.

        The array may be missing only when it may be empty (``low`` is 0).
        """
        values = self.get(obj, key, place, list, required=low > 0)
        if values is None:
            return []
        if not low <= len(values) <= high:
            self.add(_join(place, key), f"must have {low} to {high} entries, found {len(values)}")
        result = []
        for index, value in enumerate(values):
            where = f"{_join(place, key)}[{index}]"
            if isinstance(value, dict):
                result.append((where, value))
            else:
                self.add(where, f"must be an object, found {_kind(value)}")
        return result

    def unique(self, entries: list[tuple[str, str | None]], what: str) -> None:
        seen: dict[str, str] = {}
        for place, ident in entries:
            if ident is None:
                continue
            if ident in seen:
                self.add(place, f'duplicate {what} "{ident}" (first at {seen[ident]})')
            else:
                seen[ident] = place


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def validate_aws_lens(data) -> list[str]:
    """Every way ``data`` breaks the custom lens format (see the module docstring), as messages."""
    check = _Checker()
    if not isinstance(data, dict):
        return [f"lens: must be an object, found {_kind(data)}"]
    version = check.get(data, "schemaVersion", "", str)
    if version is not None and version != SCHEMA_VERSION:
        check.add("schemaVersion", f'must be "{SCHEMA_VERSION}", found "{version}"')
    check.text(data, "name", "", LIMITS.lens_name)
    check.text(data, "description", "", LIMITS.lens_description)
    size = len(json.dumps(data, ensure_ascii=False).encode())
    if size > MAX_FILE_BYTES:
        check.add("", f"larger than {MAX_FILE_BYTES} bytes ({size})")
    pillars = check.items(data, "pillars", "", low=1, high=MAX_PILLARS)
    check.unique([(place, _pillar(check, place, pillar)) for place, pillar in pillars], "pillar id")
    question_ids = [
        (place, question["id"] if isinstance(question.get("id"), str) else None)
        for pillar_place, pillar in pillars
        for place, question in _questions(pillar, pillar_place)
    ]
    check.unique(question_ids, "question id")
    return check.problems


def _questions(pillar: dict, place: str) -> list[tuple[str, dict]]:
    values = pillar.get("questions")
    if not isinstance(values, list):
        return []
    return [(f"{place}.questions[{i}]", q) for i, q in enumerate(values) if isinstance(q, dict)]


def _pillar(check: _Checker, place: str, pillar: dict) -> str | None:
    ident = check.ident(pillar, place, LIMITS.pillar_id)
    check.text(pillar, "name", place, LIMITS.pillar_name)
    for where, question in check.items(pillar, "questions", place, low=0, high=MAX_QUESTIONS):
        _question(check, where, question)
    return ident


def _question(check: _Checker, place: str, question: dict) -> None:
    check.ident(question, place, LIMITS.question_id)
    check.text(question, "title", place, LIMITS.question_title)
    check.text(question, "description", place, LIMITS.question_description, required=False, blank=True)
    resource = check.get(question, "helpfulResource", place, dict, required=False)
    if resource is not None:
        check.text(resource, "displayText", f"{place}.helpfulResource", LIMITS.question_resource_text)
        check.url(resource, f"{place}.helpfulResource", LIMITS.question_resource_url)
    choices = check.items(question, "choices", place, low=1, high=MAX_CHOICES)
    ids = [(where, _choice(check, where, choice)) for where, choice in choices]
    check.unique(ids, "choice id")
    nones = [where for where, ident in ids if ident and ident.endswith(NONE_SUFFIX)]
    if len(nones) > 1:
        check.add(f"{place}.choices", f'more than one "None of these" choice (ids ending in {NONE_SUFFIX}): {nones}')
    _rules(check, place, question, {ident for _, ident in ids if ident})


def _choice(check: _Checker, place: str, choice: dict) -> str | None:
    ident = check.ident(choice, place, LIMITS.choice_id)
    check.text(choice, "title", place, LIMITS.choice_title)
    check.text(choice, "description", place, LIMITS.choice_description, required=False, blank=True)
    is_none = bool(ident and ident.endswith(NONE_SUFFIX))
    for key in ("helpfulResource", "improvementPlan"):
        required = key == "improvementPlan" and not is_none and ident is not None
        content = check.get(choice, key, place, dict, required=required)
        if content is not None:
            _content(check, f"{place}.{key}", content)
    resources = check.items(choice, "additionalResources", place, low=0, high=len(RESOURCE_TYPES))
    kinds: list[tuple[str, str | None]] = []
    for where, resource in resources:
        kind = check.get(resource, "type", where, str)
        if kind is not None and kind not in RESOURCE_TYPES:
            check.add(f"{where}.type", f'must be one of {", ".join(RESOURCE_TYPES)}, found "{kind}"')
        kinds.append((where, kind))
        for link_place, link in check.items(resource, "content", where, low=1, high=MAX_ADDITIONAL_LINKS):
            _content(check, link_place, link)
    check.unique(kinds, "additional resource type")
    return ident


def _content(check: _Checker, place: str, content: dict) -> None:
    check.text(content, "displayText", place, LIMITS.choice_content_text)
    check.url(content, place, LIMITS.choice_content_url)


def _rules(check: _Checker, place: str, question: dict, choice_ids: set[str]) -> None:
    rules = check.items(question, "riskRules", place, low=1, high=MAX_RULES)
    for index, (where, rule) in enumerate(rules):
        risk = check.get(rule, "risk", where, str)
        if risk is not None and risk not in RISKS:
            check.add(f"{where}.risk", f'must be one of {", ".join(RISKS)}, found "{risk}"')
        text = check.get(rule, "condition", where, str)
        if text is None:
            continue
        try:
            condition = parse_condition(text)
        except ConditionError as exc:
            check.add(f"{where}.condition", str(exc))
            continue
        for key in sorted(condition.keys - choice_ids):
            check.add(where, f'unknown choice "{key}"')
        is_last = index == len(rules) - 1
        if condition.is_default and not is_last:
            check.add(where, '"default" must be the last rule')
        if is_last and not condition.is_default:
            check.add(f"{place}.riskRules", 'the last rule must be "default"')


# --- Export ------------------------------------------------------------------------------------


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when it was longer."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _content_of(text: str, url: str) -> dict:
    content = {"displayText": _fit(text or url, LIMITS.choice_content_text)}
    if url.startswith(("https://", "http://")) and len(url) <= LIMITS.choice_content_url:
        content["url"] = url
    return content


def lens_to_aws(lens: Lens, *, language: str) -> dict:
    """The lens in one language as an AWS custom lens (a dict ready for ``json.dumps``).

    Texts come in ``language``, falling back like the pages do to the other language
    where one is empty. The file is valid by ``validate_aws_lens`` whenever the lens's
    ids are: a text longer than its AWS limit is cut and ends in "…"; an empty lens
    description becomes the lens name; a choice (other than "None of these") without an
    improvement plan gets its title as one; a helpful resource with only a URL shows the
    URL; a URL AWS cannot hold (over 1024 characters, or not http/https) is left out.
    Choice descriptions and tiers have no place in the format and are left out too.
    """
    pillars = lens.pillars.order_by("order", "pk").prefetch_related("questions__choices", "questions__risk_rules")
    with translation.override(language):
        return {
            "schemaVersion": SCHEMA_VERSION,
            "name": _fit(lens.name, LIMITS.lens_name),
            "description": _fit(lens.description or lens.name, LIMITS.lens_description),
            "pillars": [
                {
                    "id": pillar.key,
                    "name": _fit(pillar.name, LIMITS.pillar_name),
                    "questions": [_question_to_aws(q) for q in sorted(pillar.questions.all(), key=_order)],
                }
                for pillar in pillars
            ],
        }


def _order(row) -> tuple[int, int]:
    return (row.order, row.pk)


def _question_to_aws(question: Question) -> dict:
    entry = {"id": question.key, "title": _fit(question.title, LIMITS.question_title)}
    if question.description:
        entry["description"] = _fit(question.description, LIMITS.question_description)
    entry["choices"] = [_choice_to_aws(choice) for choice in sorted(question.choices.all(), key=_order)]
    entry["riskRules"] = [
        {"condition": rule.condition, "risk": rule.risk} for rule in sorted(question.risk_rules.all(), key=_order)
    ]
    return entry


def _choice_to_aws(choice: Choice) -> dict:
    entry = {"id": choice.key, "title": _fit(choice.title, LIMITS.choice_title)}
    if choice.helpful_resource or choice.helpful_resource_url:
        entry["helpfulResource"] = _content_of(choice.helpful_resource, choice.helpful_resource_url)
    plan = choice.improvement_plan
    if not plan and not choice.improvement_plan_url and not choice.key.endswith(NONE_SUFFIX):
        plan = choice.title
    if plan or choice.improvement_plan_url:
        entry["improvementPlan"] = _content_of(plan, choice.improvement_plan_url)
    return entry


# --- Import ------------------------------------------------------------------------------------


def parse_lens_json(raw: str | bytes) -> dict:
    """The JSON text of a lens file as data; LensImportError when it is not JSON."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise LensImportError([f"not JSON: the file is not UTF-8 ({exc.reason} at byte {exc.start})"]) from None
    except json.JSONDecodeError as exc:
        raise LensImportError([f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]) from None


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
    if all(v.isdigit() for v in taken):
        return str(max(int(v) for v in taken) + 1)
    version, n = timezone.localdate().isoformat(), 1
    while version in taken:
        n += 1
        version = f"{timezone.localdate().isoformat()}.{n}"
    return version


def _short_labels(ids: list[str]) -> dict[str, str]:
    """A short label for each pillar id: AWS's own for the framework pillars, else its first letters."""
    labels: dict[str, str] = {}
    for ident in ids:
        label = SHORT_LABELS.get(ident) or re.sub("[^A-Za-z0-9]", "", ident).upper()[:4]
        n = 1
        while label in labels.values():
            n += 1
            label = f"{label[:3]}{n}"
        labels[ident] = label
    return labels


def _link_list(text: str, resources: list[dict], kind: str) -> str:
    """``text`` with the links of the additional resources of ``kind`` appended as a Markdown list."""
    lines = []
    for resource in resources:
        if resource.get("type") != kind:
            continue
        for link in resource["content"]:
            label = link["displayText"].replace("[", r"\[").replace("]", r"\]")
            lines.append(f"- [{label}]({link['url']})" if link.get("url") else f"- {label}")
    return "\n\n".join(part for part in (text, "\n".join(lines)) if part)


@transaction.atomic
def lens_from_aws(
    data: dict | str | bytes,
    *,
    language: str,
    slug: str | None = None,
    version: str | None = None,
    status: str = Lens.Status.DRAFT,
) -> Lens:
    """A new lens (or a new version of ``slug``) from an AWS custom lens file in one language.

    The texts go into ``language``'s fields; the other language stays empty and the pages
    fall back to this one. Without ``slug`` the lens name gives one; without ``version``
    the next one is taken ("1", the next integer, or today's date). Pillar short labels
    follow the AWS pillar ids (SEC, SUS...) or the first letters of a custom id; question
    labels are "<short label> <n>". A choice id ending in ``_no`` is "None of these";
    additional resources become Markdown links under the helpful resource / improvement
    plan, a question's helpful resource a link under its description.

    Raises LensImportError, with every problem and its place, and imports nothing, when
    the file breaks the format or the slug and version are taken.
    """
    if language not in _languages():
        raise LensImportError([f'language "{language}" is not one of {", ".join(_languages())}'])
    if isinstance(data, str | bytes):
        data = parse_lens_json(data)
    problems = validate_aws_lens(data)
    if not problems:
        problems = _model_problems(data)
    if problems:
        raise LensImportError(problems)
    slug = slug or slugify(data["name"])[:64].strip("-") or "lens"
    try:
        validate_slug(slug)
    except ValidationError:
        raise LensImportError([f'slug "{slug}" must be letters, digits, hyphens or underscores']) from None
    version = version or _next_version(slug)
    if Lens.objects.filter(slug=slug, version=version).exists():
        raise LensImportError([f'lens "{slug}" version "{version}" already exists'])
    if len(version) > Lens._meta.get_field("version").max_length:
        raise LensImportError([f'version "{version}" is longer than 32 characters'])

    def tr(name: str) -> str:
        return f"{name}_{language}"

    notes = data.get("_release_note") if isinstance(data.get("_release_note"), str) else ""
    lens = Lens.objects.create(
        slug=slug, version=version, status=status,
        published_at=timezone.now() if status == Lens.Status.PUBLISHED else None,
        **{tr("name"): data["name"], tr("description"): data["description"], tr("release_notes"): notes},
    )  # fmt: skip
    labels = _short_labels([pillar["id"] for pillar in data["pillars"]])
    for p, pillar_data in enumerate(data["pillars"], start=1):
        pillar = Pillar.objects.create(
            lens=lens, key=pillar_data["id"], short_label=labels[pillar_data["id"]], order=p,
            **{tr("name"): pillar_data["name"]},
        )  # fmt: skip
        for q, question_data in enumerate(pillar_data.get("questions", []), start=1):
            _import_question(pillar, q, question_data, tr)
    return lens


def _import_question(pillar: Pillar, order: int, data: dict, tr) -> None:
    description = data.get("description", "")
    resource = data.get("helpfulResource")
    if resource:
        link = resource["displayText"].replace("[", r"\[").replace("]", r"\]")
        link = f"[{link}]({resource['url']})" if resource.get("url") else link
        description = "\n\n".join(part for part in (description, link) if part)
    question = Question.objects.create(
        pillar=pillar, key=data["id"], label=f"{pillar.short_label} {order}", order=order,
        **{tr("title"): data["title"], tr("description"): description},
    )  # fmt: skip
    for c, choice in enumerate(data["choices"], start=1):
        helpful = choice.get("helpfulResource") or {}
        plan = choice.get("improvementPlan") or {}
        extra = choice.get("additionalResources", [])
        Choice.objects.create(
            question=question, key=choice["id"], order=c, is_none=choice["id"].endswith(NONE_SUFFIX),
            helpful_resource_url=helpful.get("url", ""), improvement_plan_url=plan.get("url", ""),
            **{
                tr("title"): choice["title"],
                tr("description"): choice.get("description", ""),
                tr("helpful_resource"): _link_list(helpful.get("displayText", ""), extra, "HELPFUL_RESOURCE"),
                tr("improvement_plan"): _link_list(plan.get("displayText", ""), extra, "IMPROVEMENT_PLAN"),
            },
        )  # fmt: skip
    RiskRule.objects.bulk_create(
        RiskRule(question=question, order=r, condition=rule["condition"].strip(), risk=rule["risk"])
        for r, rule in enumerate(data["riskRules"], start=1)
    )
