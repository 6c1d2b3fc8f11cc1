"""The header's unread count, on every page of a signed-in person (cached: see inbox.unread_count).

Lazy through and through: a response that never shows the header (the live refresh's fragments)
neither counts nor loads the signed-in user for it."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .inbox import unread_count


def unread_notifications(request: HttpRequest) -> dict:
    def count() -> int:
        user = getattr(request, "user", None)
        return unread_count(user) if user is not None and user.is_authenticated else 0

    return {"unread_notifications": SimpleLazyObject(count)}
