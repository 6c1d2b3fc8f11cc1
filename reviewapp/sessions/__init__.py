"""Review sessions: planning (planning.py), running the clock (running.py), attendance from
presence (attendance.py), discussion states and the parking lot (discussion.py) and the
minutes computed from the answers' history (minutes.py).

Who may do what, in one place: members who can write plan sessions, mark questions and park
items; the session's facilitator or an owner of the workload runs the clock and corrects
attendance; viewers read.
"""

from django.core.exceptions import PermissionDenied

from ..access import role_of
from ..models import WRITE_ROLES, ReviewSession, Role


def may_run_as(*, user_id: int | None, role: str | None, facilitator_id: int | None) -> bool:
    """The rule: an owner, or the session's facilitator while they can write."""
    return role == Role.OWNER or (facilitator_id is not None and facilitator_id == user_id and role in WRITE_ROLES)


def may_run(user, session: ReviewSession, role: str | None = None) -> bool:
    """Whether ``user`` may run the session's clock, correct its attendance or reopen it."""
    role = role if role is not None else role_of(user, session.review.workload)
    return may_run_as(user_id=user.pk, role=role, facilitator_id=session.facilitator_id)


def check_run(user, session: ReviewSession) -> None:
    if not may_run(user, session):
        raise PermissionDenied("Only the session's facilitator or an owner may do that.")


def check_write(user, session: ReviewSession) -> None:
    if role_of(user, session.review.workload) not in WRITE_ROLES:
        raise PermissionDenied("Viewers cannot change this session.")
