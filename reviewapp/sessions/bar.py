"""The session bar every review page shows while a session runs, read in one query.

The bar carries the current deadline and the server's clock (epoch milliseconds): each browser
counts down from the difference, so every screen shows the same remaining time whatever its own
clock says, and a page opened mid-session starts from the right value.
"""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from ..models import AgendaItem, Review
from .running import remaining_seconds


@dataclass(frozen=True)
class SessionBar:
    session_id: int
    title: str
    status: str
    index: int
    count: int
    label: str
    target: str
    facilitator_id: int | None
    facilitator: str
    remaining: int
    deadline_ms: int | None
    now_ms: int
    version: int

    @property
    def token(self) -> str:
        """What the live poll compares: the session and its step."""
        return session_token(self.session_id, self.version)

    @property
    def position(self) -> int:
        return self.index + 1

    @property
    def paused(self) -> bool:
        return self.status == "paused"


def session_token(session_id: int | None, version: int | None) -> str:
    return f"{session_id}.{version}" if session_id else ""


def session_bar(review: Review) -> SessionBar | None:
    """The running session of the review (None when there is none: no query then)."""
    if not review.live_session_id:
        return None
    count = (
        AgendaItem.objects.filter(session_id=OuterRef("session_id"))
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    item = (
        AgendaItem.objects.select_related("pillar", "question", "session__facilitator")
        .filter(session_id=review.live_session_id, order=F("session__current_index"))
        .annotate(count=Subquery(count))
        .first()
    )
    if item is None:
        return None
    session, now = item.session, timezone.now()
    return SessionBar(
        session_id=session.pk,
        title=session.title,
        status=session.status,
        index=item.order,
        count=item.count,
        label=item.label,
        target=item.target_key,
        facilitator_id=session.facilitator_id,
        facilitator=session.facilitator.get_username() if session.facilitator else "",
        remaining=remaining_seconds(session, now),
        deadline_ms=int(session.deadline.timestamp() * 1000) if session.deadline else None,
        now_ms=int(now.timestamp() * 1000),
        version=session.version,
    )
