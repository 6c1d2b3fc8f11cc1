"""Calls to the cache that degrade instead of failing the request.

The cache (Redis, or the file cache on one machine) holds nothing that is not also somewhere else
or cheap to lose: cached sessions (PostgreSQL has them), presence, cached PDF reports. So a cache
that cannot be reached, or a file cache on a full or read-only disk, must cost a feature, never a
page. ``guarded`` runs one cache call and turns any error into ``CacheUnavailable``.

Reads, stores and deletes fail apart: a full disk still serves what the file cache holds and
deletes files, but stores nothing new. After a failed call of one kind, calls of that kind fail at
once in this process for ``BACKOFF_SECONDS`` instead of each waiting for a connect timeout, then
one call tries again. The outage is logged once when it starts and once when every kind works
again, never per request.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 5.0
T = TypeVar("T")


class CacheUnavailable(Exception):
    """The cache did not answer (or is known to be down for a few more seconds)."""


@dataclass
class _Outage:
    since: float | None = None  # monotonic time of the first failure, None while calls work
    retry_at: float = 0.0


_lock = threading.Lock()
KINDS = ("read", "store", "delete")
_outages = {kind: _Outage() for kind in KINDS}
_recovered: list[Callable[[], None]] = []


def guarded(call: Callable[[], T], *, kind: str = "read") -> T:
    """``call()``, or ``CacheUnavailable`` when it raises or the cache is known to be down.

    ``kind``: what the call does, "read" (get, has_key), "store" (set) or "delete".
    """
    outage = _outages[kind]
    if outage.since is not None and time.monotonic() < outage.retry_at:
        raise CacheUnavailable("the cache is down (backing off)")
    try:
        result = call()
    except Exception as error:  # each backend raises its own (redis.ConnectionError, OSError, ...)
        with _lock:
            first = all(o.since is None for o in _outages.values())
            now = time.monotonic()
            if outage.since is None:
                outage.since = now
            outage.retry_at = now + BACKOFF_SECONDS
        if first:
            logger.error("The cache does not answer; carrying on without it: %s", error, exc_info=True)
        raise CacheUnavailable(str(error)) from error
    if outage.since is not None:
        with _lock:
            since, outage.since = outage.since, None
            whole = since is not None and all(o.since is None for o in _outages.values())
        if since is not None:
            if whole:
                logger.warning("The cache answers again after %.1f s", time.monotonic() - since)
            for callback in _recovered:
                callback()
    return result


def on_recovery(callback: Callable[[], None]) -> None:
    """Run ``callback`` in this process whenever a kind of cache call works again after failing."""
    _recovered.append(callback)


def reset() -> None:
    """Forget any outage (tests, which swap caches between cases)."""
    with _lock:
        for outage in _outages.values():
            outage.since, outage.retry_at = None, 0.0
