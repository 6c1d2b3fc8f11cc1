"""Saving an answer: the one write path for choices, applicability, notes and the practices that do not apply.

Every save is kept as an ``AnswerChange`` (before and after), bumps the answer's version
and the review's revision, and brings the question's improvement items along.
"""

import json
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .answer_state import EMPTY, AnswerState, answer_state
from .bank import BankQuestion
from .improvements import improvement_sync
from .merging import MergeConflict, merge, notes_both
from .models import NOTES_MAX_LENGTH, Answer, AnswerChange, Review
from .progress import AnswerRecord, live_records_saved
from .risk import question_risk
from .webhooks import emit_answer_saved


class AnswerConflict(Exception):
    """The answer changed since the version the client started from; nothing was saved.

    ``current`` is the answer as it is now and ``fields`` what collided (empty when the
    caller asked for an exact version match rather than a merge).
    """

    def __init__(self, current_version: int, current: AnswerState | None = None, fields: list[str] | None = None):
        super().__init__(f"the answer is at version {current_version}")
        self.current_version = current_version
        self.current = current
        self.fields = fields or []


@dataclass(frozen=True)
class SavedAs:
    """What one save left: the version it produced (or, for a retry, produced the first time) and the
    answer at that version. The page rebases what was typed since onto this, not onto the answer as it
    is now, which others may have changed meanwhile."""

    version: int
    state: AnswerState
    by: str = ""

    @property
    def client_json(self) -> str:
        """As the page's save machinery reads an answer (``QuestionState.client_json``)."""
        return json.dumps({"version": self.version, **self.state.as_json(), "by": self.by}, ensure_ascii=False)


def state_at(answer: Answer, version: int) -> AnswerState | None:
    """The answer as it was at a version (from its history), or None when that is not known."""
    if version == 0:
        return EMPTY
    change = AnswerChange.objects.filter(answer=answer, version=version).order_by().only("after").first()
    return AnswerState.from_json(change.after) if change else None


@transaction.atomic
def answer_save(
    *,
    review: Review,
    item: BankQuestion,
    user,
    state: AnswerState,
    expected_version: int | None = None,
    base_version: int | None = None,
    restored_from: int | None = None,
    idempotency_key: str = "",
    keep_both: bool = False,
) -> Answer:
    """Store one question's answer with its recomputed risk.

    ``state`` is the answer the person gives, already checked (``answer_problems``); a reason
    is kept only while the question does not apply. ``expected_version``: refuse
    (``AnswerConflict``) unless the answer is still at that version. ``base_version``: the
    version the person started from; if others saved since, their changes and these are
    merged, and a real collision raises ``AnswerConflict`` with the current answer.
    ``idempotency_key``: a save the client retries carries the same key; a key already
    applied to this answer changes nothing and returns the answer as it is.
    The returned answer's ``saved_as`` (``SavedAs``) is the version this save produced and the
    answer at it; for a retried key, the version that key produced the first time.
    ``keep_both``: the person resolved a conflict with "Keep both": their notes go after
    the notes of version ``base_version`` (which must still be the current one), each
    under a line naming its author.
    """
    # One writer per review at a time: the lock also makes the revision read here the latest.
    # The session running now is read under the same lock: the change is attributed to it.
    revision, session_id = (
        Review.objects.select_for_update().values_list("revision", "live_session_id").get(pk=review.pk)
    )
    revision += 1
    answers = Answer.objects.select_for_update()
    if idempotency_key:  # whether this key already landed, read with the answer
        landed = AnswerChange.objects.filter(answer=OuterRef("pk"), idempotency_key=idempotency_key).order_by()
        answers = answers.annotate(landed=Subquery(landed.values("version")[:1]))
    answer, _created = answers.get_or_create(review=review, question=item.question)
    if getattr(answer, "landed", None) is not None:  # a retry of a save that already landed: applied once
        after = answer.changes.filter(version=answer.landed).order_by().values_list("after", flat=True).get()
        answer.saved_as = SavedAs(answer.landed, AnswerState.from_json(after), _name(user))
        return answer
    current, risk_before = answer_state(answer), answer.risk
    if expected_version is not None and answer.version != expected_version:
        raise AnswerConflict(answer.version, current)
    mine = replace(state, reason="" if state.applicable else state.reason)
    if keep_both:
        if base_version != answer.version:
            raise AnswerConflict(answer.version, current, ["notes"])
        author = answer.updated_by.get_username() if answer.updated_by else "—"
        notes = notes_both(theirs=current.notes, theirs_author=author, mine=mine.notes, my_author=user.get_username())
        if len(notes) > NOTES_MAX_LENGTH:
            raise ValidationError(
                _("Both texts together are longer than %(limit)d characters: shorten yours first."),
                code="notes_too_long",
                params={"limit": NOTES_MAX_LENGTH},
            )
        mine = replace(mine, notes=notes)
    if base_version is not None and base_version != answer.version:
        base = state_at(answer, base_version)
        if base is None:
            raise AnswerConflict(answer.version, current, ["choices", "notes"])
        none_key = item.none_choice.key if item.none_choice else None
        try:
            mine = merge(base=base, mine=mine, theirs=current, none_key=none_key)
        except MergeConflict as exc:
            raise AnswerConflict(answer.version, current, exc.fields) from None
    if mine == current and answer.version > 0:
        answer.saved_as = SavedAs(
            answer.version, current, answer.updated_by.get_username() if answer.updated_by else ""
        )
        return answer  # nothing changes (a merge that came out as theirs): no new version
    risk = question_risk(
        rules=item.rules, selected=mine.choices, is_applicable=mine.applicable, not_applicable=mine.na_keys
    )
    now = timezone.now()
    Review.objects.filter(pk=review.pk).update(revision=revision, updated_at=now)
    answer.is_applicable, answer.reason, answer.notes, answer.risk = mine.applicable, mine.reason, mine.notes, risk
    answer.choice_na = mine.choice_na_json()
    answer.version = answer.version + 1
    answer.review_revision = revision
    answer.updated_by = user
    answer.updated_at = now
    answer.save(update_fields=_ANSWER_SAVED_FIELDS)
    if mine.choices != current.choices:
        _choices_update(answer, item, before=current.choices, after=mine.choices)
    AnswerChange.objects.create(
        answer=answer,
        version=answer.version,
        changed_by=user,
        changed_at=now,
        before={**current.as_json(), "risk": risk_before},
        after={**mine.as_json(), "risk": risk},
        restored_from=restored_from,
        session_id=session_id,
        idempotency_key=idempotency_key,
    )
    if mine.risk_keys != current.risk_keys or risk != risk_before:
        # Items follow the choices and the risk; a save of the notes alone leaves both as the last save did.
        # A practice that does not apply is settled as a followed one is: its item is done, none is opened.
        improvement_sync(review=review, item=item, before=current.risk_keys, after=mine.risk_keys, risk=risk)
    emit_answer_saved(review=review, answer=answer, question_key=item.key, user=user, risk_before=risk_before)
    answer.saved_as = SavedAs(answer.version, mine, _name(user))
    record = AnswerRecord(
        state=mine,
        risk=risk,
        version=answer.version,
        updated_by=_name(user),
        updated_at=now,
        review_revision=revision,
    )
    # Once committed, this process's copy of the review's answers takes the new one without a read.
    transaction.on_commit(lambda: live_records_saved(review, item.question.pk, record))
    return answer


def _name(user) -> str:
    return user.get_username() if user is not None else ""


_ANSWER_SAVED_FIELDS = [
    "is_applicable",
    "reason",
    "notes",
    "risk",
    "choice_na",
    "version",
    "review_revision",
    "updated_by",
    "updated_at",
]


def _choices_update(answer: Answer, item: BankQuestion, *, before: frozenset[str], after: frozenset[str]) -> None:
    """The answer's ticked choices by difference from what it held (read under the answer's lock):
    one DELETE and one INSERT at most, rather than reading them all again as ``set()`` does."""
    through = Answer.selected_choices.through
    if before - after:
        keep = [item.choices_by_key[key] for key in after]
        through.objects.filter(answer=answer).exclude(choice__in=keep).delete()
    added = after - before
    if added:
        through.objects.bulk_create(
            [through(answer=answer, choice=item.choices_by_key[key]) for key in sorted(added)], ignore_conflicts=True
        )
