"""What the pages show of a tracked issue and of a connection: a link, the last sync, any error in words."""

from dataclasses import dataclass
from datetime import datetime

from ..models import TrackedIssue, TrackerConnection
from .errors import sync_error_text


@dataclass(frozen=True)
class IssueSummary:
    label: str  # "#12" or "WA-3"
    url: str
    synced_at: datetime | None
    error: str  # in words; empty when the last sync went well


def issue_label(key: str) -> str:
    """Jira's keys as they are ("WA-3"), GitHub's and GitLab's numbers as "#12"."""
    return key if "-" in key else f"#{key}"


def issue_summary(tracked: TrackedIssue | None, connection: TrackerConnection | None) -> IssueSummary | None:
    if tracked is None or connection is None or tracked.connection_id != connection.pk:
        return None
    error = (
        sync_error_text(
            tracked.error,
            kind=connection.kind,
            status=tracked.error_status,
            retry_at=tracked.retry_at,
            project=connection.project,
        )
        if tracked.error
        else ""
    )
    label = issue_label(tracked.key) if tracked.key else ""
    return IssueSummary(label=label, url=tracked.url if tracked.key else "", synced_at=tracked.synced_at, error=error)


def connection_error(connection: TrackerConnection) -> str:
    if not connection.last_error:
        return ""
    return sync_error_text(
        connection.last_error,
        kind=connection.kind,
        status=connection.last_error_status,
        retry_at=connection.retry_at,
        project=connection.project,
    )
