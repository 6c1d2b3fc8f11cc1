"""Milestones: frozen copies of a review, and comparing any two states of it."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import RISKY, AnswerRisk, Milestone, MilestoneAnswer, Review, WebhookEvent
from .progress import AnswerRecord, ReviewState, live_records
from .webhooks import emit

_SEVERITY = {AnswerRisk.HIGH: 2, AnswerRisk.MEDIUM: 1}


class MilestoneError(ValueError):
    """A milestone that cannot be taken, with a message for the user; ``code`` says why."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


@transaction.atomic
def milestone_create(*, review: Review, name: str, user, bounded: bool = True) -> Milestone:
    """Freeze every answer, risk and note of the review, with its lens version, under a name.

    Each milestone copies every answer, so a review keeps at most MILESTONES_PER_REVIEW of them;
    ``bounded=False`` is for the one taken before an upgrade, which must never be refused.
    """
    workload = review.workload
    review = Review.objects.select_for_update().get(pk=review.pk)
    limit = settings.MILESTONES_PER_REVIEW
    if bounded and review.milestones.count() >= limit:
        raise MilestoneError(
            ngettext(
                "This review already has %(limit)d milestone, the most it can keep.",
                "This review already has %(limit)d milestones, the most it can keep.",
                limit,
            )
            % {"limit": limit},
            code="too_many",
        )
    try:
        with transaction.atomic():
            milestone = Milestone.objects.create(
                review=review, name=name, lens=review.lens, review_revision=review.revision, created_by=user
            )
    except IntegrityError:
        raise MilestoneError(
            _("This review already has a milestone named “%(name)s”.") % {"name": name}, code="duplicate_name"
        ) from None
    MilestoneAnswer.objects.bulk_create(
        MilestoneAnswer(
            milestone=milestone,
            question_id=question_id,
            risk=record.risk,
            selected_keys=sorted(record.state.choices),
            is_applicable=record.state.applicable,
            reason=record.state.reason,
            notes=record.state.notes,
            choice_na=record.state.choice_na_json(),
            version=record.version,
            updated_by=record.updated_by,
            updated_at=record.updated_at,
        )
        for question_id, record in live_records(review).items()
    )
    emit(
        workload,
        WebhookEvent.MILESTONE_TAKEN,
        {"review": review.pk, "milestone": milestone.pk, "name": milestone.name, "revision": review.revision},
    )
    return milestone


@dataclass
class QuestionChange:
    label: str
    key: str
    title: str
    before: AnswerRecord
    after: AnswerRecord
    before_titles: list[str]
    after_titles: list[str]
    before_na: list = field(default_factory=list)  # (title, ChoiceNA) of the practices that do not apply
    after_na: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        """resolved, new, better, worse, changed or same."""
        was, now = self.before.risk in RISKY, self.after.risk in RISKY
        if was and not now:
            return "resolved"
        if now and not was:
            return "new"
        if was and now and self.before.risk != self.after.risk:
            return "better" if _SEVERITY[self.after.risk] < _SEVERITY[self.before.risk] else "worse"
        if self.answer_changed:
            return "changed"
        return "same"

    @property
    def kind_label(self) -> str:
        return {
            "resolved": _("Risk resolved"),
            "new": _("New risk"),
            "better": _("Risk lowered"),
            "worse": _("Risk raised"),
            "changed": _("Answer changed"),
        }.get(self.kind, "")

    @property
    def answer_changed(self) -> bool:
        return (self.before.risk, self.before.state) != (self.after.risk, self.after.state)


@dataclass
class PillarComparison:
    key: str
    short_label: str
    name: str
    changes: list[QuestionChange]

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def resolved(self) -> int:
        return self.count("resolved")

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return sum(1 for change in self.changes if change.answer_changed)


def compare(before: ReviewState, after: ReviewState) -> list[PillarComparison]:
    """Question by question, per pillar, how ``after`` differs from ``before``.

    Both states are laid over their own lens versions; questions are matched by their
    stable keys, so a question only one side has shows as unanswered on the other.
    """
    before_by_key = {q.item.key: q for q in before.questions}
    pillars = []
    for pillar in after.pillars:
        changes = []
        for question in pillar.questions:
            old = before_by_key.get(question.item.key)
            old_record = old.answer if old else AnswerRecord()
            old_titles = [c.title for c in old.selected_choices] if old else []
            changes.append(
                QuestionChange(
                    label=question.question.label,
                    key=question.item.key,
                    title=question.question.title,
                    before=old_record,
                    after=question.answer,
                    before_titles=old_titles,
                    after_titles=[c.title for c in question.selected_choices],
                    before_na=old.na_practices if old else [],
                    after_na=question.na_practices,
                )
            )
        pillars.append(
            PillarComparison(
                key=pillar.pillar.key, short_label=pillar.pillar.short_label, name=pillar.pillar.name, changes=changes
            )
        )
    return pillars
