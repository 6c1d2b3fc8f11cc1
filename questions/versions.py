"""Lens versions: drafts copied from a published version, publishing, retiring, and what changed.

A published (or retired) lens never changes, so every review keeps the exact questions
it was answered against. Editors change a draft; publishing it makes the next version.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from .languages import missing_everywhere
from .models import Choice, Lens, Pillar, Question, RiskRule
from .signals import lens_published
from .validation import ChoiceData, question_problems

LANGS = [code for code, _name in settings.LANGUAGES]


class LensVersionError(ValueError):
    """A draft that cannot be made or published; ``problems`` says why, one message each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _copy_fields(obj: models.Model, **overrides) -> dict:
    """Every concrete field value of the row (translations included) but its id and the overrides."""
    values = {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.attname not in overrides
    }
    values.update(overrides)
    return values


@transaction.atomic
def lens_draft_create(*, lens: Lens, user) -> Lens:
    """A draft copy of a published lens (same ids throughout), ready to be edited."""
    if lens.status == Lens.Status.DRAFT:
        raise LensVersionError([_("This is already a draft: edit it directly.")])
    existing = Lens.objects.drafts().filter(slug=lens.slug).first()
    if existing is not None:
        raise LensVersionError(
            [
                _("A draft of this lens exists already (%(version)s): edit or delete it first.")
                % {"version": existing.version}
            ]
        )
    draft = Lens.objects.create(
        **_copy_fields(
            lens,
            version=f"{lens.version}-draft",
            status=Lens.Status.DRAFT,
            based_on_id=lens.pk,
            created_at=timezone.now(),
            published_at=None,
            created_by_id=getattr(user, "pk", None),
        )
    )
    for pillar in lens.pillars.order_by("order", "pk"):
        new_pillar = Pillar.objects.create(**_copy_fields(pillar, lens_id=draft.pk))
        for question in pillar.questions.order_by("order", "pk"):
            new_question = Question.objects.create(**_copy_fields(question, pillar_id=new_pillar.pk))
            # With history, as every other write to the bank (a plain bulk_create records none).
            bulk_create_with_history(
                [Choice(**_copy_fields(choice, question_id=new_question.pk)) for choice in question.choices.all()],
                Choice,
                default_user=user if getattr(user, "pk", None) else None,
            )
            bulk_create_with_history(
                [RiskRule(**_copy_fields(rule, question_id=new_question.pk)) for rule in question.risk_rules.all()],
                RiskRule,
                default_user=user if getattr(user, "pk", None) else None,
            )
    return draft


def validate_lens(lens: Lens) -> list[str]:
    """Everything that stops a lens from being published, as messages naming the place.

    The one rule for every way of publishing (the admin, ``import_lens --publish``): texts
    need one language, not all (see ``questions/languages.py``).
    """
    problems = []
    if missing_everywhere(lens, "name"):
        problems.append(_("Lens: the name is empty in every language."))
    pillars = list(lens.pillars.prefetch_related("questions__choices", "questions__risk_rules").order_by("order", "pk"))
    if not pillars:
        problems.append(_("Lens: it has no pillar."))
    for pillar in pillars:
        if missing_everywhere(pillar, "name"):
            problems.append(_("Pillar %(key)s: the name is empty in every language.") % {"key": pillar.key})
        questions = list(pillar.questions.all())
        if not questions:
            problems.append(_("Pillar %(key)s: it has no question.") % {"key": pillar.key})
        for question in questions:
            problems.extend(f"{question.label} ({question.key}): {p}" for p in validate_question(question))
    return problems


def validate_question(question: Question) -> list[str]:
    """Problems of one saved question: its title, choices, the one "None of these", its rules."""
    problems = [_("the title is empty in every language")] if missing_everywhere(question, "title") else []
    choices = [
        ChoiceData(key=c.key, is_none=c.is_none, titles={lang: getattr(c, f"title_{lang}") for lang in LANGS})
        for c in question.choices.all()
    ]
    rules = [(r.condition, r.risk) for r in sorted(question.risk_rules.all(), key=lambda r: (r.order, r.pk))]
    return problems + question_problems(choices=choices, rules=rules)


@transaction.atomic
def lens_publish(*, draft: Lens, version: str, release_notes: dict[str, str], user) -> Lens:
    """Publish a draft as the next version; refused (nothing changed) when anything is invalid."""
    draft = Lens.objects.select_for_update().get(pk=draft.pk)
    problems = []
    if draft.status != Lens.Status.DRAFT:
        problems.append(_("Only a draft can be published."))
    version = version.strip()
    if not version:
        problems.append(
            _("Give the new version, e.g. %(example)s.") % {"example": timezone.localdate().strftime("%Y-%m")}
        )
    elif Lens.objects.filter(slug=draft.slug, version=version).exclude(pk=draft.pk).exists():
        problems.append(_("Version %(version)s of this lens exists already.") % {"version": version})
    problems.extend(validate_lens(draft))
    if problems:
        raise LensVersionError(problems)
    draft.version = version
    draft.status = Lens.Status.PUBLISHED
    draft.published_at = timezone.now()
    for lang, notes in release_notes.items():
        setattr(draft, f"release_notes_{lang}", notes)
    draft.save()
    transaction.on_commit(lambda: lens_published.send(sender=Lens, lens=draft, user=user))
    return draft


@transaction.atomic
def lens_retire(*, lens: Lens) -> Lens:
    """No new reviews of this version; the reviews that use it go on untouched."""
    if lens.status != Lens.Status.PUBLISHED:
        raise LensVersionError([_("Only a published version can be retired.")])
    lens.status = Lens.Status.RETIRED
    lens.save(update_fields=["status"])
    return lens


@dataclass
class QuestionDiff:
    key: str
    label: str
    title: str
    reworded: bool = False
    choices_added: list[str] = field(default_factory=list)
    choices_removed: list[str] = field(default_factory=list)
    rules_changed: bool = False

    @property
    def changed(self) -> bool:
        return self.reworded or bool(self.choices_added or self.choices_removed) or self.rules_changed


@dataclass
class LensDiff:
    added: list[Question]
    removed: list[Question]
    changed: list[QuestionDiff]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _questions(lens: Lens) -> dict[str, Question]:
    questions = Question.objects.filter(pillar__lens=lens).prefetch_related("choices", "risk_rules")
    return {q.key: q for q in questions.order_by("pillar__order", "order", "pk")}


def _texts(obj, names) -> tuple:
    return tuple(getattr(obj, f"{name}_{lang}") or "" for name in names for lang in LANGS)


def lens_diff(old: Lens, new: Lens) -> LensDiff:
    """What changed from one version of a lens to another, question by question (matched by id)."""
    before, after = _questions(old), _questions(new)
    changed = []
    for key, question in after.items():
        previous = before.get(key)
        if previous is None:
            continue
        old_choices = {c.key: c for c in previous.choices.all()}
        new_choices = {c.key: c for c in question.choices.all()}
        old_rules = [(r.order, r.condition.strip(), r.risk) for r in previous.risk_rules.all()]
        new_rules = [(r.order, r.condition.strip(), r.risk) for r in question.risk_rules.all()]
        diff = QuestionDiff(
            key=key,
            label=question.label,
            title=question.title,
            reworded=_texts(previous, ("title", "description")) != _texts(question, ("title", "description"))
            or any(
                _texts(old_choices[k], ("title",)) != _texts(new_choices[k], ("title",))
                for k in old_choices.keys() & new_choices.keys()
            ),
            choices_added=[new_choices[k].title for k in new_choices.keys() - old_choices.keys()],
            choices_removed=[old_choices[k].title for k in old_choices.keys() - new_choices.keys()],
            rules_changed=sorted(old_rules) != sorted(new_rules),
        )
        if diff.changed:
            changed.append(diff)
    return LensDiff(
        added=[q for k, q in after.items() if k not in before],
        removed=[q for k, q in before.items() if k not in after],
        changed=changed,
    )
