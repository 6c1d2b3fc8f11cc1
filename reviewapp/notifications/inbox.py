"""A person's list of notifications: the page, the unread count in the header, marking read.

The header shows the unread count on every page, so it is kept in the cache (one query when it
is missing) and forgotten whenever a notification is added or read. Where the cache is not shared
with the process that added one (``make run``'s memory cache and its worker), the count is at most
``CACHE_SECONDS`` late.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..cache_guard import CacheUnavailable, guarded
from ..models import Notification

CACHE_SECONDS = 300


def _key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def listed(user) -> QuerySet:
    """The person's in-app notifications, newest first, with who caused each."""
    return Notification.objects.filter(recipient=user, in_app=True).select_related("actor")


def unread_count(user) -> int:
    def count() -> int:
        return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()

    try:
        cached = guarded(lambda: cache.get(_key(user.pk)))
    except CacheUnavailable:
        return count()
    if cached is not None:
        return cached
    value = count()
    try:
        guarded(lambda: cache.set(_key(user.pk), value, CACHE_SECONDS), kind="store")
    except CacheUnavailable:
        pass
    return value


def forget_unread_count(user_id: int) -> None:
    try:
        guarded(lambda: cache.delete(_key(user_id)), kind="delete")
    except CacheUnavailable:  # the count is then at most CACHE_SECONDS old
        pass


@transaction.atomic
def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the person's notifications read (the given ones, or all); the number changed."""
    unread = Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    changed = unread.update(read_at=timezone.now())
    forget_unread_count(user.pk)  # now, and again once committed: a page between the two may cache the old count
    transaction.on_commit(lambda: forget_unread_count(user.pk))
    return changed
