"""During a session: each question's discussion state, and the parking lot."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..bank import load_bank
from ..models import DiscussionState, ParkingItem, QuestionDiscussion, ReviewSession
from ..models.sessions import PARKING_MAX_LENGTH
from . import check_write, may_run


def _live(session: ReviewSession) -> None:
    if not session.is_live:
        raise ValidationError(_("This session is not running."), code="not_live")


def _question(session: ReviewSession, key: str):
    item = load_bank(session.review.lens).by_key.get(key)
    if item is None:
        raise ValidationError(_("No such question in this lens."), code="no_question")
    return item.question


@transaction.atomic
def discussion_set(*, session: ReviewSession, user, question_key: str, state: str) -> QuestionDiscussion:
    """Mark how far the question got in the running session (any member who can write)."""
    check_write(user, session)
    _live(session)
    if state not in DiscussionState.values:
        raise ValidationError(_("Choose a discussion state."), code="bad_state")
    row, _created = QuestionDiscussion.objects.update_or_create(
        session=session,
        question=_question(session, question_key),
        defaults={"state": state, "updated_by": user, "updated_at": timezone.now()},
    )
    return row


@transaction.atomic
def parking_add(*, session: ReviewSession, user, text: str, question_key: str = "", owner=None) -> ParkingItem:
    """Park something to follow up, on a question of the lens or on the whole session."""
    check_write(user, session)
    _live(session)
    text = text.strip()
    if not text:
        raise ValidationError(_("Say what to follow up."), code="empty")
    if len(text) > PARKING_MAX_LENGTH:
        raise ValidationError(_("Keep it under %(max)d characters.") % {"max": PARKING_MAX_LENGTH}, code="too_long")
    if owner is not None and not session.review.workload.members().filter(pk=owner.pk).exists():
        raise ValidationError(_("The owner must be a member of this workload."), code="not_member")
    question = _question(session, question_key) if question_key else None
    return ParkingItem.objects.create(session=session, question=question, text=text, raised_by=user, owner=owner)


@transaction.atomic
def parking_delete(*, item: ParkingItem, user) -> None:
    """Who raised it, the facilitator or an owner removes a parked item."""
    check_write(user, item.session)
    if item.raised_by_id != user.pk and not may_run(user, item.session):
        raise PermissionDenied("Only who raised it or the facilitator may remove it.")
    item.delete()


@dataclass(frozen=True)
class QuestionInSession:
    """What the question page shows of the running session: its discussion state and what was parked on it."""

    session_id: int
    state: str
    parking: list[ParkingItem]


def question_in_session(review, question_key: str) -> QuestionInSession | None:
    """The running session's view of one question (None when no session runs: no query then)."""
    if not review.live_session_id:
        return None
    state = (
        QuestionDiscussion.objects.filter(session_id=review.live_session_id, question__key=question_key)
        .values_list("state", flat=True)
        .first()
    )
    parking = list(
        ParkingItem.objects.filter(session_id=review.live_session_id, question__key=question_key).select_related(
            "raised_by", "owner"
        )
    )
    return QuestionInSession(review.live_session_id, state or DiscussionState.NOT_YET, parking)
