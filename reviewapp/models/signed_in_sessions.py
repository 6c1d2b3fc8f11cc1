"""Sessions whose cached copy may be stale (config/sessions.py)."""

from django.db import models


class StaleCachedSession(models.Model):
    """A session changed or deleted in the database while the cache could not be told.

    Its copy in the cache (if the cache kept one through the outage) must not be trusted: the
    session store refuses it and reads the database instead, and the first process that reaches
    the cache again deletes those copies and then these rows.
    """

    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.session_key[:8]}… (since {self.created_at:%Y-%m-%d %H:%M:%S})"
