"""Who is looking at which question of a review, kept in the cache (never the database).

Each poll of the live view records the person's page; entries fade after ``TTL`` seconds.
With several web processes, the cache must be shared (CACHE_URL) for everyone to see
everyone; see docs/deployment.md. When the cache does not answer, presence is unavailable (the
page says so) and nothing else about the poll changes.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

from .cache_guard import CacheUnavailable, guarded

TTL = 12  # seconds without a poll before someone counts as gone
UNAVAILABLE = "unavailable"  # the token while the cache does not answer


@dataclass(frozen=True)
class Presence:
    user_id: int
    username: str
    page: str  # "question:<key>", "pillar:<key>" or "review"

    @property
    def question(self) -> str:
        return self.page.removeprefix("question:") if self.page.startswith("question:") else ""

    @property
    def initials(self) -> str:
        return self.username[:2].upper()


def _key(review_id: int) -> str:
    return f"presence:{review_id}"


def presence_touch(*, review_id: int, user_id: int, username: str, page: str) -> list[Presence] | None:
    """Record that the user is on ``page`` now; return everyone present (the user included),
    or None when the cache does not answer (who is here is then unknown)."""
    now = time.time()
    key = _key(review_id)
    try:
        found = guarded(lambda: cache.get(key)) or {}
        entries = {uid: entry for uid, entry in found.items() if now - entry[2] < TTL}
        entries[user_id] = (username, page[:140], now)
        guarded(lambda: cache.set(key, entries, TTL * 5), kind="store")
    except CacheUnavailable:
        return None
    return [Presence(uid, name, where) for uid, (name, where, _at) in sorted(entries.items(), key=lambda e: e[1][0])]


def presence_token(people: list[Presence] | None) -> str:
    """A short fingerprint of who is where: the client sends it back to learn whether it changed."""
    if people is None:
        return UNAVAILABLE
    text = "|".join(f"{p.user_id}:{p.page}" for p in people)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def presence_of(review_id: int) -> list[Presence]:
    """Everyone present on the review now, without recording anyone (the session bar lists them)."""
    now = time.time()
    entries = cache.get(_key(review_id)) or {}
    return [
        Presence(uid, name, where)
        for uid, (name, where, at) in sorted(entries.items(), key=lambda e: e[1][0])
        if now - at < TTL
    ]
