"""Moving a review to a newer version of its lens, answers carried over by stable ids."""

from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from questions.models import Lens

from .answer_state import EMPTY
from .bank import load_bank
from .milestones import milestone_create
from .models import Answer, AnswerChange, ImprovementItem, Milestone, Review
from .progress import live_records
from .risk import question_risk


class UpgradeError(ValueError):
    """An upgrade that cannot be done, with a message for the user; nothing was changed."""


@dataclass
class MovedQuestion:
    key: str
    label: str
    title: str
    risk_before: str | None  # None: new in this version
    risk_after: str
    dropped_choices: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.risk_before is None


@dataclass
class UpgradeSummary:
    review: Review
    old_lens: Lens
    new_lens: Lens
    milestone: Milestone
    questions: list[MovedQuestion]
    removed_questions: list[tuple[str, str]]  # (label, title) of questions the new version dropped

    @property
    def risk_changed(self) -> list[MovedQuestion]:
        return [q for q in self.questions if not q.is_new and q.risk_before != q.risk_after]


def newer_lens(current: Lens) -> Lens | None:
    """The latest published version of the lens, when it is newer than ``current``."""
    latest = Lens.objects.latest_published(current.slug)
    if latest is None or latest.pk == current.pk:
        return None
    if current.published_at and latest.published_at and latest.published_at <= current.published_at:
        return None
    return latest


def newer_version(review: Review) -> Lens | None:
    """The latest published version of the review's lens, when it is not the one in use."""
    return newer_lens(review.lens)


def _milestone_name(review: Review, target: Lens) -> str:
    base = _("Before upgrade to %(version)s") % {"version": target.version}
    name, n = base, 2
    while Milestone.objects.filter(review=review, name=name).exists():
        name, n = f"{base} ({n})", n + 1
    return name[:100]


@transaction.atomic
def review_upgrade(*, review: Review, target: Lens, user) -> UpgradeSummary:
    """Freeze the review in a milestone, then re-answer it on ``target``: same ids carry over,
    removed choices drop out, new questions start unanswered, every risk is recomputed."""
    review = Review.objects.select_for_update().select_related("lens").get(pk=review.pk)
    if target.slug != review.lens.slug or target.status != Lens.Status.PUBLISHED:
        raise UpgradeError(_("A review can only move to a published version of its own lens."))
    if target.pk == review.lens_id:
        raise UpgradeError(_("The review already uses this version."))
    if Review.objects.filter(workload_id=review.workload_id, lens=target).exists():
        raise UpgradeError(
            _("This workload already has a review of version %(version)s: open that one instead.")
            % {"version": target.version}
        )
    old_lens = review.lens
    old_bank, new_bank = load_bank(old_lens), load_bank(target)
    old_records = {
        old_bank.by_id[qid].key: record for qid, record in live_records(review).items() if qid in old_bank.by_id
    }
    milestone = milestone_create(review=review, name=_milestone_name(review, target), user=user, bounded=False)

    old_items = {
        item.choice.key: item for item in ImprovementItem.objects.filter(review=review).select_related("choice")
    }
    moved = _carry_answers(review, new_bank, old_records, user=user)
    _carry_items(review, new_bank, old_items)
    Review.objects.filter(pk=review.pk).update(lens=target, revision=F("revision") + 1, updated_at=timezone.now())
    review.refresh_from_db()
    removed = [
        (old_bank.by_key[k].question.label, old_bank.by_key[k].question.title)
        for k in old_bank.by_key
        if k not in new_bank.by_key
    ]
    return UpgradeSummary(review, old_lens, target, milestone, moved, removed)


def _carry_answers(review: Review, new_bank, old_records: dict, *, user) -> list[MovedQuestion]:
    """Each answer moves onto the new version's question of the same id, keeping its row and so its history.

    An answered question's move is a change like any other (a new version with before and
    after), so its history reads on from the changes made before the upgrade. Answers to
    questions the new version dropped go (the milestone taken first keeps them); new
    questions start unanswered.
    """
    revision = review.revision + 1
    now = timezone.now()
    answers = {a.question.key: a for a in Answer.objects.filter(review=review).select_related("question")}
    Answer.objects.filter(pk__in=[a.pk for key, a in answers.items() if key not in new_bank.by_key]).delete()
    Through = Answer.selected_choices.through
    Through.objects.filter(answer__review=review).delete()
    moved, kept, created, selections, changes = [], [], [], [], []
    for item in new_bank.questions:
        record = old_records.get(item.key)
        before = record.state if record else EMPTY
        # A practice the new version keeps stays ticked, or still does not apply.
        after = replace(before.kept_in(item), reason=before.reason if not before.applicable else "")
        risk = question_risk(
            rules=item.rules, selected=after.choices, is_applicable=after.applicable, not_applicable=after.na_keys
        )
        answer = answers.get(item.key)
        if answer is None:
            answer = Answer(
                review=review,
                question=item.question,
                risk=risk,
                review_revision=revision,
                choice_na=after.choice_na_json(),
            )
            created.append(answer)
        else:
            answer.question, answer.is_applicable, answer.reason, answer.notes = (
                item.question,
                after.applicable,
                after.reason,
                after.notes,
            )
            answer.choice_na = after.choice_na_json()
            answer.risk, answer.review_revision = risk, revision
            if record and record.updated_at:
                answer.version, answer.updated_by, answer.updated_at = answer.version + 1, user, now
                changes.append(
                    AnswerChange(
                        answer=answer,
                        version=answer.version,
                        changed_by=user,
                        changed_at=now,
                        before={**before.as_json(), "risk": record.risk},
                        after={**after.as_json(), "risk": risk},
                    )
                )
            kept.append(answer)
        selections.append((answer, [item.choices_by_key[k] for k in after.choices]))
        moved.append(
            MovedQuestion(
                key=item.key,
                label=item.question.label,
                title=item.question.title,
                risk_before=record.risk if record else None,
                risk_after=risk,
                dropped_choices=sorted(before.choices - set(item.choices_by_key)),
            )
        )
    fields = [
        "question",
        "is_applicable",
        "reason",
        "notes",
        "choice_na",
        "risk",
        "review_revision",
        "version",
        "updated_by",
        "updated_at",
    ]
    Answer.objects.bulk_update(kept, fields)
    Answer.objects.bulk_create(created)
    AnswerChange.objects.bulk_create(changes)
    Through.objects.bulk_create(
        Through(answer_id=answer.pk, choice_id=choice.pk) for answer, chosen in selections for choice in chosen
    )
    return moved


def _carry_items(review: Review, new_bank, old_items: dict[str, ImprovementItem]) -> None:
    """Tracked improvement items follow their practice's id into the new version; the rest go."""
    new_choices = {c.key: c for q in new_bank.questions for c in q.choices if not c.is_none}
    keep = []
    for key, item in old_items.items():
        if key in new_choices:
            item.choice = new_choices[key]
            keep.append(item)
    ImprovementItem.objects.filter(review=review).exclude(pk__in=[i.pk for i in keep]).delete()
    if keep:
        ImprovementItem.objects.bulk_update(keep, ["choice"])
