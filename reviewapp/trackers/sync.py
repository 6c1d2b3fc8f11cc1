"""Syncing improvement items with their issues, both ways, and the jobs that do it.

One item's sync (``issue_sync``): find or create its issue (the item's marker is searched for
before creating, and the key is stored as soon as the issue exists, so a retry never makes a
second one); then, if the issue was closed or reopened there since the last sync, the item
follows (closed there: done here); otherwise the issue follows the item (done or won't do
here: closed there), and what it says is updated when the question's advice or risk changed.

Jobs: ``sync_tracker_item`` after an item is edited, ``sync_tracker_workload`` (every item; what
"Sync now" and the periodic pull run) and ``pull_all_connected_workloads`` (the periodic pull:
one workload job per connection). A rate limit (429, honouring Retry-After) or a tracker that is
down (5xx, unreachable) is retried after ``TRACKER_RETRY_DELAYS``; a refused token is not
retried and says so on the plan page until an owner reconnects.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django_tasks import task

from .. import improvements
from ..jobs import enqueue
from ..models import Answer, AnswerRisk, ImprovementItem, SyncError, TrackedIssue, TrackerConnection, TrackerRisks
from .clients import Issue, TrackerClient, client_for
from .content import content_hash, issue_content, item_marker
from .errors import TrackerError

logger = logging.getLogger(__name__)
Status = ImprovementItem.Status
CLOSED_STATUSES = (Status.DONE, Status.WONT_DO)
MAX_RETRY_AFTER = timedelta(days=1)  # a tracker asking for more is asked again tomorrow
# Failures that concern one item only: the workload's other items go on syncing.
ITEM_FAILURES = frozenset({SyncError.REFUSED})


def synced_risks(connection: TrackerConnection) -> tuple[str, ...]:
    if connection.risks == TrackerRisks.HIGH:
        return (AnswerRisk.HIGH,)
    return (AnswerRisk.HIGH, AnswerRisk.MEDIUM)


def items_to_sync(connection: TrackerConnection) -> QuerySet[ImprovementItem]:
    """The workload's items whose question is at a synced risk, and any item that already has an issue."""
    risk = Answer.objects.filter(review=OuterRef("review"), question=OuterRef("choice__question")).values("risk")[:1]
    return (
        ImprovementItem.objects.filter(review__workload=connection.workload_id)
        .annotate(answer_risk=Subquery(risk))
        .filter(Q(answer_risk__in=synced_risks(connection)) | Q(tracked_issue__key__gt=""))
        .select_related("choice__question__pillar", "review")
        .order_by("pk")
    )


def issue_sync(*, connection: TrackerConnection, client: TrackerClient, item: ImprovementItem) -> TrackedIssue:
    """Bring one item and its issue in step (``item`` from ``items_to_sync``); raises ``TrackerError``."""
    tracked, _created = TrackedIssue.objects.get_or_create(item=item, defaults={"connection": connection})
    content = issue_content(item, connection, risk=item.answer_risk or "")
    digest = content_hash(content)
    if not tracked.key:
        issue = _find_or_create(tracked, client=client, item=item, content=content, digest=digest)
        if issue is None:  # done before it ever needed an issue
            return _synced(tracked, closed=None)
        tracked.refresh_from_db()
    else:
        issue = client.get(tracked.key)
        if issue is None:  # deleted there: forget it; the next sync opens a new one if still needed
            tracked.key = tracked.url = tracked.state = tracked.content_hash = ""
            tracked.error, tracked.error_status, tracked.synced_at = SyncError.GONE, None, timezone.now()
            tracked.save()
            return tracked
    want_closed = item.status in CLOSED_STATUSES
    if tracked.state and issue.closed != (tracked.state == "closed"):  # closed or reopened there
        if issue.closed != want_closed:
            improvements.improvement_set_status(item=item, status=Status.DONE if issue.closed else Status.OPEN)
        want_closed = issue.closed
    changed = digest != tracked.content_hash
    if changed or want_closed != issue.closed:
        issue = client.update(issue, content=content if changed else None, closed=want_closed)
        tracked.content_hash = digest
    tracked.url = issue.url or tracked.url
    return _synced(tracked, closed=issue.closed)


def _find_or_create(
    tracked: TrackedIssue, *, client: TrackerClient, item: ImprovementItem, content, digest: str
) -> Issue | None:
    """The item's issue, found by its marker or created, its key committed at once (one job at a time)."""
    with transaction.atomic():
        locked = TrackedIssue.objects.select_for_update().get(pk=tracked.pk)
        if locked.key:  # another job created it meanwhile
            return client.get(locked.key)
        issue = client.find(item_marker(item.pk))
        if issue is None:
            if item.status in CLOSED_STATUSES:
                return None
            issue = client.create(content)
            locked.content_hash = digest
            locked.state = "open"
        else:
            locked.state = "closed" if issue.closed else "open"
        locked.key, locked.url = issue.key, issue.url
        locked.save(update_fields=["key", "url", "state", "content_hash"])
        return issue


def _synced(tracked: TrackedIssue, *, closed: bool | None) -> TrackedIssue:
    if closed is not None:
        tracked.state = "closed" if closed else "open"
    tracked.synced_at = timezone.now()  # the last sync that went well; a failure leaves it
    tracked.error, tracked.error_status, tracked.retry_at, tracked.attempts = "", None, None, 0
    tracked.save()
    return tracked


def _next_try(attempts: int, error: TrackerError) -> datetime | None:
    """When to try again after the ``attempts``-th failure in a row, or ``None`` to give up."""
    delays = settings.TRACKER_RETRY_DELAYS
    if not error.transient or attempts > len(delays):
        return None
    wait = timedelta(seconds=max(delays[attempts - 1], error.retry_after or 0))
    return timezone.now() + min(wait, MAX_RETRY_AFTER)


def _record_item_failure(item_pk: int, connection: TrackerConnection, error: TrackerError, *, retry_at=None):
    tracked, _created = TrackedIssue.objects.get_or_create(item_id=item_pk, defaults={"connection": connection})
    tracked.attempts += 1
    if retry_at is None and error.transient:
        retry_at = _next_try(tracked.attempts, error)
    tracked.error, tracked.error_status, tracked.retry_at = error.code, error.status, retry_at
    tracked.save()
    return tracked


def queue_item_sync(item: ImprovementItem) -> None:
    """After the current transaction, sync the item if its workload is connected to a tracker."""
    if TrackerConnection.objects.filter(workload__reviews=item.review_id).exists():
        transaction.on_commit(lambda: enqueue(sync_tracker_item, item_pk=item.pk))


def queue_workload_sync(connection: TrackerConnection) -> None:
    transaction.on_commit(lambda: enqueue(sync_tracker_workload, workload_pk=connection.workload_id))


@task()
def sync_tracker_item(item_pk: int) -> str:
    """Sync one item; retried with backoff while the tracker is rate limiting or down."""
    connection = TrackerConnection.objects.filter(workload__reviews__improvement_items=item_pk).first()
    if connection is None:
        return "disconnected"  # or the item was deleted: nothing to do
    item = items_to_sync(connection).filter(pk=item_pk).first()
    if item is None:
        return "not synced"  # its question is not at a synced risk, and it has no issue
    client = None
    try:
        client = client_for(connection)
        issue_sync(connection=connection, client=client, item=item)
        return "synced"
    except TrackerError as error:
        tracked = _record_item_failure(item_pk, connection, error)
        logger.info("tracker sync of item %s failed: %s", item_pk, error)
        if tracked.retry_at:
            enqueue(sync_tracker_item, at=tracked.retry_at, item_pk=item_pk)
        return error.code
    finally:
        if client is not None:
            client.close()


@task()
def sync_tracker_workload(workload_pk: int) -> str:
    """Sync every item of the workload both ways; stops at a failure that concerns the whole tracker."""
    connection = TrackerConnection.objects.filter(workload_id=workload_pk).first()
    if connection is None:
        return "disconnected"
    client, current = None, None
    try:
        client = client_for(connection)
        for item in items_to_sync(connection):
            current = item
            try:
                issue_sync(connection=connection, client=client, item=item)
            except TrackerError as error:
                if error.code not in ITEM_FAILURES:
                    raise
                _record_item_failure(item.pk, connection, error)
    except TrackerError as error:
        logger.info("tracker sync of workload %s failed: %s", workload_pk, error)
        return _workload_failed(connection, error, current)
    finally:
        if client is not None:
            client.close()
    connection.last_synced_at, connection.last_error, connection.last_error_status = timezone.now(), "", None
    connection.retry_at, connection.attempts = None, 0
    connection.save()
    return "synced"


def _workload_failed(connection: TrackerConnection, error: TrackerError, item: ImprovementItem | None) -> str:
    connection.attempts += 1
    connection.retry_at = _next_try(connection.attempts, error)
    connection.last_error, connection.last_error_status = error.code, error.status
    connection.save()
    if item is not None:
        _record_item_failure(item.pk, connection, error, retry_at=connection.retry_at)
    if not error.transient:  # a refused token or a missing project concerns every item
        TrackedIssue.objects.filter(connection=connection).update(error=error.code, error_status=error.status)
    if connection.retry_at:
        enqueue(sync_tracker_workload, at=connection.retry_at, workload_pk=connection.workload_id)
    return error.code


@task()
def pull_all_connected_workloads() -> int:
    """The periodic pull: queue a sync of every connected workload; returns how many were queued."""
    workload_pks = list(TrackerConnection.objects.values_list("workload_id", flat=True))
    for pk in workload_pks:
        sync_tracker_workload.enqueue(workload_pk=pk)
    return len(workload_pks)
