"""Why a call to a tracker failed, and the words a person reads for it (never the token)."""

from datetime import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from ..models import SyncError, TrackerKind

TRANSIENT = frozenset({SyncError.RATE_LIMITED, SyncError.UNREACHABLE})


class TrackerError(Exception):
    """A refused or failed call: ``code`` is a ``SyncError``; ``retry_after`` is seconds the tracker asked for."""

    def __init__(self, code: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(f"{code} ({status})" if status else code)
        self.code, self.status, self.retry_after = code, status, retry_after

    @property
    def transient(self) -> bool:
        """Worth trying again later: rate limits and a tracker that is down or unreachable."""
        return self.code in TRANSIENT


def sync_error_text(
    code: str, *, kind: str, status: int | None = None, retry_at: datetime | None = None, project: str = ""
) -> str:
    """The failure in words, saying what to do about it."""
    tracker = TrackerKind(kind).label if kind in TrackerKind.values else kind
    values = {"tracker": tracker, "status": status or "", "project": project}
    if code == SyncError.AUTH:
        return _("%(tracker)s refused the token (%(status)s): reconnect with a new token.") % values
    if code == SyncError.RATE_LIMITED:
        if retry_at:
            when = formats.date_format(retry_at, "DATETIME_FORMAT")
            return _("%(tracker)s is rate limiting us: retrying at %(when)s.") % (values | {"when": when})
        return _("%(tracker)s is rate limiting us: the next sync tries again.") % values
    if code == SyncError.UNREACHABLE:
        detail = _(" (HTTP %(status)s)") % values if status else ""
        if retry_at:
            when = formats.date_format(retry_at, "DATETIME_FORMAT")
            return _("%(tracker)s is unreachable%(detail)s: retrying at %(when)s.") % (
                values | {"detail": detail, "when": when}
            )
        return _("%(tracker)s is unreachable%(detail)s: the next sync tries again.") % (values | {"detail": detail})
    if code == SyncError.NOT_FOUND:
        return (
            _("%(tracker)s has no project %(project)s, or the token may not see it (404): check the connection.")
            % values
        )
    if code == SyncError.ADDRESS:
        return _("The tracker's address is private or local and not allowed on this server.")
    if code == SyncError.TOKEN:
        return _(
            "The stored token cannot be read with this server's keys (TRACKER_TOKEN_KEYS changed): "
            "reconnect with the token."
        )
    if code == SyncError.GONE:
        return _("The issue was deleted in %(tracker)s: the next sync creates it again.") % values
    return _("%(tracker)s refused the request (HTTP %(status)s).") % values
