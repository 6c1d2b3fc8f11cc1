"""Connecting a workload to a tracker and disconnecting it (the views let only owners do either).

Connecting checks the address (no private or local ones unless allowed, as for webhooks) and that
the token reaches the project, before anything is saved; the token is then kept only encrypted.
Changing the tracker, its address or the project forgets the issues of the old one; changing only
the token or the risks keeps them. Disconnecting forgets every link; the issues stay in the tracker.
"""

from django.db import transaction

from ..models import TrackerConnection, Workload
from ..webhooks import WebhookRefused, check_webhook_url
from .clients import CLIENTS, DEFAULT_URLS
from .encryption import TokenKeysMissing, encrypt_token
from .errors import TrackerError, sync_error_text
from .sync import queue_workload_sync


class TrackerRefused(ValueError):
    """The connection cannot be made; the message says why, in words, without the token."""


def tracker_connect(
    *,
    workload: Workload,
    user,
    kind: str,
    base_url: str,
    project: str,
    token: str,
    risks: str,
    language: str,
    site_url: str,
    username: str = "",
) -> TrackerConnection:
    base_url = (base_url or DEFAULT_URLS.get(kind, "")).rstrip("/")
    try:
        check_webhook_url(base_url)
    except WebhookRefused as refused:
        raise TrackerRefused(str(refused)) from None
    try:
        encrypted = encrypt_token(token)
    except TokenKeysMissing as missing:
        raise TrackerRefused(str(missing)) from None
    client = CLIENTS[kind](base_url=base_url, project=project, token=token, username=username)
    try:
        client.check()
    except TrackerError as error:
        raise TrackerRefused(sync_error_text(error.code, kind=kind, status=error.status, project=project)) from None
    finally:
        client.close()
    fields = {
        "kind": kind,
        "base_url": base_url,
        "project": project,
        "username": username,
        "token_encrypted": encrypted,
        "risks": risks,
        "language": language,
        "site_url": site_url,
        "created_by": user,
        "last_error": "",
        "last_error_status": None,
        "retry_at": None,
        "attempts": 0,
    }
    with transaction.atomic():
        current = TrackerConnection.objects.select_for_update().filter(workload=workload).first()
        if current is not None and (current.kind, current.base_url, current.project) != (kind, base_url, project):
            current.issues.all().delete()
        connection, _created = TrackerConnection.objects.update_or_create(workload=workload, defaults=fields)
        queue_workload_sync(connection)
    return connection


@transaction.atomic
def tracker_disconnect(*, connection: TrackerConnection) -> None:
    connection.delete()  # its tracked issues go with it; jobs still queued find no connection
