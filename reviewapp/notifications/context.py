"""The header's unread count, on every page of a signed-in person (cached: see inbox.unread_count)."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .inbox import unread_count


def unread_notifications(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
