"""The daily checks the scheduler queues (reviewapp/scheduling.py): items due soon or overdue.

A check may run many times a day, in several workers at once, started by several schedulers:
each notice is claimed by inserting a ``SentOnce`` row (person, kind, item, day) whose unique
constraint lets exactly one transaction through; the others find the row and send nothing.
"""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from ..models import ImprovementItem, Notification, NotificationKind, SentOnce
from . import events

DUE_SOON_DAYS = 3
KEEP_READ_DAYS = 90  # read notifications older than this leave the list
KEEP_CLAIMS_DAYS = 7  # a claim only matters on its day; a week covers any clock or time-zone doubt
OPEN = [ImprovementItem.Status.OPEN, ImprovementItem.Status.IN_PROGRESS]


def due_items(day: date) -> list[tuple[ImprovementItem, str]]:
    """Items with an owner still to do that fall due in exactly 3 days, or are past their due date."""
    items = (
        ImprovementItem.objects.filter(owner__isnull=False, owner__is_active=True, status__in=OPEN)
        .filter(Q(due_date=day + timedelta(days=DUE_SOON_DAYS)) | Q(due_date__lt=day))
        .select_related("owner", "review__workload", "choice__question")
        .order_by("due_date", "pk")
    )
    return [(item, NotificationKind.OVERDUE if item.due_date < day else NotificationKind.DUE_SOON) for item in items]


def notice_once(*, item: ImprovementItem, kind: str, day: date) -> bool:
    """Tell the item's owner, unless they were told of it today already; True when told now."""
    with transaction.atomic():
        _claim, created = SentOnce.objects.get_or_create(
            recipient_id=item.owner_id, kind=kind, key=str(item.pk), day=day
        )
        if created:
            events.item_due(item=item, kind=kind)
    return created


@task()
def check_due_items() -> int:
    """Tell owners of items due in 3 days or overdue, once per item and day; the number told."""
    day = timezone.localdate()
    return sum(notice_once(item=item, kind=kind, day=day) for item, kind in due_items(day))


@task()
def prune_notifications() -> int:
    """Forget read notifications after 90 days and the day claims after a week; the rows deleted."""
    now = timezone.now()
    read, _ = Notification.objects.filter(read_at__lt=now - timedelta(days=KEEP_READ_DAYS)).delete()
    claims, _ = SentOnce.objects.filter(day__lt=timezone.localdate() - timedelta(days=KEEP_CLAIMS_DAYS)).delete()
    return read + claims
