"""Running a session against one clock, kept as server timestamps.

While running, the current agenda item has a ``deadline``; while paused, ``paused_remaining``
seconds. Every screen counts down from the same stored values, so all show the same time.
Each step is a ``SessionEvent``; the session's ``version`` grows so live pages see the change.
Starting puts the review in facilitator mode (followers move with the agenda); ending stops it.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..bank import load_bank
from ..models import AgendaItem, Review, ReviewSession, SessionEvent, WebhookEvent
from ..webhooks import emit
from . import check_run
from .attendance import attendance_record

Status = ReviewSession.Status
MAX_EXTEND_MINUTES = 120


def remaining_seconds(session: ReviewSession, now: datetime) -> int:
    """Seconds left on the current item (negative when over time); 0 for a session not live."""
    if session.status == Status.RUNNING and session.deadline:
        return round((session.deadline - now).total_seconds())
    if session.status == Status.PAUSED and session.paused_remaining is not None:
        return session.paused_remaining
    return 0


def _locked(session: ReviewSession) -> ReviewSession:
    return (
        ReviewSession.objects.select_for_update().select_related("review__workload", "review__lens").get(pk=session.pk)
    )


def _item(session: ReviewSession, index: int) -> AgendaItem | None:
    return session.agenda.select_related("pillar", "question").filter(order=index).first()


def _lead(session: ReviewSession, item: AgendaItem | None) -> None:
    """Facilitator mode follows the agenda: followers go to the item's question (a pillar's first)."""
    key = ""
    if item is not None and item.question_id:
        key = item.question.key
    elif item is not None:
        first = next((q for q in load_bank(session.review.lens).questions if q.pillar.pk == item.pillar_id), None)
        key = first.key if first else ""
    Review.objects.filter(pk=session.review_id).update(facilitator=session.facilitator, facilitator_question=key)


def _step(session: ReviewSession, user, kind: str, now: datetime, seconds: int = 0) -> ReviewSession:
    session.version += 1
    session.save()
    SessionEvent.objects.create(
        session=session, kind=kind, at=now, by=user, index=session.current_index, seconds=seconds
    )
    return session


@transaction.atomic
def session_start(*, session: ReviewSession, user) -> ReviewSession:
    """Start a planned session at its first item; the review shows it on every page."""
    session = _locked(session)
    check_run(user, session)
    if session.status != Status.PLANNED:
        raise ValidationError(_("This session has already started."), code="started")
    if Review.objects.select_for_update().filter(pk=session.review_id, live_session__isnull=False).exists():
        raise ValidationError(_("Another session of this review is running: end it first."), code="other_live")
    first = _item(session, 0)
    if first is None:
        raise ValidationError(_("The agenda is empty."), code="empty")
    now = timezone.now()
    session.status, session.current_index, session.started_at = Status.RUNNING, 0, now
    session.deadline, session.paused_remaining = now + timedelta(minutes=first.minutes), None
    Review.objects.filter(pk=session.review_id).update(live_session=session)
    _lead(session, first)
    return _step(session, user, SessionEvent.Kind.START, now)


@transaction.atomic
def session_pause(*, session: ReviewSession, user) -> ReviewSession:
    session = _locked(session)
    check_run(user, session)
    if session.status != Status.RUNNING:
        raise ValidationError(_("Only a running session can be paused."), code="not_running")
    now = timezone.now()
    session.paused_remaining = remaining_seconds(session, now)
    session.status, session.deadline = Status.PAUSED, None
    attendance_record(session=session)
    return _step(session, user, SessionEvent.Kind.PAUSE, now)


@transaction.atomic
def session_resume(*, session: ReviewSession, user) -> ReviewSession:
    session = _locked(session)
    check_run(user, session)
    if session.status != Status.PAUSED:
        raise ValidationError(_("Only a paused session can be resumed."), code="not_paused")
    now = timezone.now()
    session.deadline = now + timedelta(seconds=session.paused_remaining or 0)
    session.status, session.paused_remaining = Status.RUNNING, None
    return _step(session, user, SessionEvent.Kind.RESUME, now)


@transaction.atomic
def session_extend(*, session: ReviewSession, user, minutes: int) -> ReviewSession:
    """Give the current item more minutes (running or paused)."""
    session = _locked(session)
    check_run(user, session)
    if not session.is_live:
        raise ValidationError(_("Only a running session can be extended."), code="not_running")
    if not 1 <= minutes <= MAX_EXTEND_MINUTES:
        raise ValidationError(_("Extend by 1 to %(max)d minutes.") % {"max": MAX_EXTEND_MINUTES}, code="bad_minutes")
    if session.status == Status.RUNNING:
        now = timezone.now()
        # An item already over time gets its minutes from now, not from the deadline it passed.
        session.deadline = max(session.deadline, now) + timedelta(minutes=minutes)
    else:
        now = timezone.now()
        session.paused_remaining = max(session.paused_remaining or 0, 0) + minutes * 60
    return _step(session, user, SessionEvent.Kind.EXTEND, now, seconds=minutes * 60)


@transaction.atomic
def session_next(*, session: ReviewSession, user) -> ReviewSession:
    """Move to the next agenda item, whose time box starts now (a paused session runs again)."""
    session = _locked(session)
    check_run(user, session)
    if not session.is_live:
        raise ValidationError(_("Only a running session can move on."), code="not_running")
    following = _item(session, session.current_index + 1)
    if following is None:
        raise ValidationError(_("This is the last agenda item: end the session instead."), code="last")
    now = timezone.now()
    session.current_index += 1
    session.status, session.paused_remaining = Status.RUNNING, None
    session.deadline = now + timedelta(minutes=following.minutes)
    _lead(session, following)
    attendance_record(session=session)
    return _step(session, user, SessionEvent.Kind.NEXT, now)


@transaction.atomic
def session_end(*, session: ReviewSession, user) -> ReviewSession:
    """End the session: attendance is written, the review leaves facilitator mode, webhooks hear ``session.ended``."""
    session = _locked(session)
    check_run(user, session)
    if not session.is_live:
        raise ValidationError(_("Only a running session can be ended."), code="not_running")
    now = timezone.now()
    session.status, session.ended_at, session.deadline, session.paused_remaining = Status.ENDED, now, None, None
    Review.objects.filter(pk=session.review_id).update(live_session=None, facilitator=None, facilitator_question="")
    attendance_record(session=session)
    session = _step(session, user, SessionEvent.Kind.END, now)
    emit(
        session.review.workload,
        WebhookEvent.SESSION_ENDED,
        {
            "review": session.review_id,
            "session": session.pk,
            "title": session.title,
            "started_at": session.started_at.isoformat() if session.started_at else None,
            "ended_at": now.isoformat(),
            "by": getattr(user, "username", None),
        },
    )
    return session


@transaction.atomic
def session_reopen(*, session: ReviewSession, user) -> ReviewSession:
    """Reopen an ended session for corrections (recorded): it is live again, paused on its last item."""
    session = _locked(session)
    check_run(user, session)
    if session.status != Status.ENDED:
        raise ValidationError(_("Only an ended session can be reopened."), code="not_ended")
    if Review.objects.select_for_update().filter(pk=session.review_id, live_session__isnull=False).exists():
        raise ValidationError(_("Another session of this review is running: end it first."), code="other_live")
    now = timezone.now()
    session.status, session.ended_at, session.paused_remaining = Status.PAUSED, None, 0
    Review.objects.filter(pk=session.review_id).update(live_session=session)
    return _step(session, user, SessionEvent.Kind.REOPEN, now)


def item_seconds(events: list[SessionEvent], until: datetime) -> dict[int, int]:
    """Seconds the clock ran on each agenda item (by index), from the session's events."""
    spent: dict[int, float] = {}
    running, index, last = False, 0, None
    for event in events:
        if running and last is not None:
            spent[index] = spent.get(index, 0) + (event.at - last).total_seconds()
        if event.kind in (SessionEvent.Kind.START, SessionEvent.Kind.RESUME, SessionEvent.Kind.NEXT):
            running = True
        elif event.kind in (SessionEvent.Kind.PAUSE, SessionEvent.Kind.END, SessionEvent.Kind.REOPEN):
            running = False
        index, last = event.index, event.at
    if running and last is not None:
        spent[index] = spent.get(index, 0) + (until - last).total_seconds()
    return {key: round(value) for key, value in spent.items()}


# The steps a facilitator takes by name (pages and API alike); extending takes minutes, so it stands apart.
STEPS = {
    "start": session_start,
    "pause": session_pause,
    "resume": session_resume,
    "next": session_next,
    "end": session_end,
    "reopen": session_reopen,
}
