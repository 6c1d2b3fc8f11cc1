"""Attendance: who was in a session, from the live poll's presence, and the facilitator's corrections.

Each poll of someone on the review while a session is live adds the time since their previous
poll (when it is within presence's TTL) to their tally in the cache: the poll stays one query.
The tally is written to ``Attendance`` rows when the clock moves on, pauses or ends; a row the
facilitator corrected is left as corrected.
"""

import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Attendance, ReviewSession
from ..presence import TTL
from . import check_run

MAX_MINUTES = 24 * 60


def _index_key(session_id: int) -> str:
    return f"attendance:{session_id}"


def _key(session_id: int, user_id: int) -> str:
    return f"attendance:{session_id}:{user_id}"


KEEP = 7 * 24 * 3600  # seconds the tally waits in the cache for the session to record it


def attendance_touch(*, session_id: int, user_id: int, now: float | None = None) -> None:
    """Count the caller present in the session now (called by each live poll while it runs).

    Each person's tally has its own key, so people polling at the same moment never overwrite
    each other's; the index of who has a tally is re-added by the next poll if a race lost it.
    """
    now = time.time() if now is None else now
    found = cache.get_many([_key(session_id, user_id), _index_key(session_id)])
    first, last, seconds = found.get(_key(session_id, user_id), (now, now, 0.0))
    if 0 < now - last <= TTL:
        seconds += now - last
    cache.set(_key(session_id, user_id), (first, now, seconds), KEEP)
    people = found.get(_index_key(session_id)) or frozenset()
    if user_id not in people:
        cache.set(_index_key(session_id), people | {user_id}, KEEP)


def attendance_tally(session_id: int) -> dict[int, tuple[float, float, float]]:
    """The cache's tally of a session: user id -> (first seen, last seen, seconds present), epoch seconds."""
    people = cache.get(_index_key(session_id)) or frozenset()
    found = cache.get_many([_key(session_id, user_id) for user_id in people])
    return {user_id: found[_key(session_id, user_id)] for user_id in people if _key(session_id, user_id) in found}


def attendance_record(*, session: ReviewSession) -> None:
    """Write the cache's tally to the session's attendance (corrected rows stay as they are)."""
    tally = attendance_tally(session.pk)
    if not tally:
        return
    rows = {row.user_id: row for row in Attendance.objects.filter(session=session, user_id__in=list(tally))}
    for user_id, (first, last, seconds) in tally.items():
        row = rows.get(user_id) or Attendance(session=session, user_id=user_id)
        if row.corrected_by_id:
            continue
        row.joined_at = datetime.fromtimestamp(first, UTC)
        row.left_at = datetime.fromtimestamp(last, UTC)
        row.seconds = round(seconds)
        row.save()


@transaction.atomic
def attendance_correct(*, session: ReviewSession, user, person, minutes: int) -> Attendance:
    """The facilitator sets how long ``person`` (a member of the workload) was present; 0: absent."""
    check_run(user, session)
    if not session.review.workload.members().filter(pk=person.pk).exists():
        raise ValidationError(_("Only members of this workload can attend."), code="not_member")
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValidationError(_("Give between 0 and %(max)d minutes.") % {"max": MAX_MINUTES}, code="bad_minutes")
    row, _created = Attendance.objects.get_or_create(session=session, user=person)
    row.seconds, row.corrected_by = minutes * 60, user
    row.save()
    return row
