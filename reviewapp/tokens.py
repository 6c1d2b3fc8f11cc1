"""Personal API tokens: created and shown once, stored as a SHA-256 hash, revoked at will."""

import hashlib
import secrets

from django.utils import timezone

from .models import ApiToken

PREFIX = "wat_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for the user; returns it with the only copy of its secret key."""
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[: len(PREFIX) + 6], key_hash=_hash(key))
    return token, key


def token_user(key: str):
    """The active user behind a token key, or None. Marks the token as used (at most once a minute)."""
    token = ApiToken.objects.active().select_related("user").filter(key_hash=_hash(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
