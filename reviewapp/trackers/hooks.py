"""The trackers' webhooks: an issue changed there, so its item is synced now instead of at the next pull.

The call must prove it comes from the tracker: GitHub and Jira sign the body with the connection's
hook secret (``X-Hub-Signature-256`` / ``X-Hub-Signature: sha256=<hex HMAC-SHA256>``), GitLab sends
it as ``X-Gitlab-Token``. The payload itself is not trusted: it only names the issue, whose state
the sync then reads from the tracker's API.
"""

import hashlib
import hmac
import json

from django.db import transaction

from ..jobs import enqueue
from ..models import TrackedIssue, TrackerConnection, TrackerKind
from .sync import sync_tracker_item


class HookRefused(ValueError):
    """Not signed with the connection's secret."""


def _signed(connection: TrackerConnection, headers, body: bytes) -> bool:
    secret = connection.hook_secret.encode()
    if connection.kind == TrackerKind.GITLAB:
        return hmac.compare_digest(headers.get("X-Gitlab-Token", "").encode(), secret)
    signature = headers.get("X-Hub-Signature-256") or headers.get("X-Hub-Signature") or ""
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.encode(), expected.encode())


def _issue_key(kind: str, payload) -> str:
    try:
        if kind == TrackerKind.GITLAB:
            return str(payload["object_attributes"]["iid"]) if payload.get("object_kind") == "issue" else ""
        issue = payload["issue"]
        return str(issue["key"] if kind == TrackerKind.JIRA else issue["number"])
    except (KeyError, TypeError):
        return ""


def hook_received(*, connection: TrackerConnection, headers, body: bytes) -> bool:
    """Queue a sync of the item whose issue the call names; ``False`` when it names none of ours."""
    if not _signed(connection, headers, body):
        raise HookRefused("bad signature")
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    key = _issue_key(connection.kind, payload)
    item_pk = (
        TrackedIssue.objects.filter(connection=connection, key=key).values_list("item_id", flat=True).first()
        if key
        else None
    )
    if item_pk is None:
        return False
    transaction.on_commit(lambda: enqueue(sync_tracker_item, item_pk=item_pk))
    return True
