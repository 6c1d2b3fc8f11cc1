"""Calls to the cache that degrade instead of failing the request.

The cache (Redis, or the file cache on one machine) holds nothing that is not also somewhere else
or cheap to lose: cached sessions (PostgreSQL has them), presence, cached PDF reports. So a cache
that cannot be reached, or a file cache on a full or read-only disk, must cost a feature, never a
page. ``guarded`` runs one cache call and turns any error into ``CacheUnavailable``. After an
error the cache counts as down in this process for ``BACKOFF_SECONDS``: later calls fail at once
instead of each waiting for a connect timeout, then one call tries again. The outage is logged
once when it starts and once when it ends, not per request.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 5.0
T = TypeVar("T")


class CacheUnavailable(Exception):
    """The cache did not answer (or is known to be down for a few more seconds)."""


_lock = threading.Lock()
_down_since: float | None = None  # monotonic time of the first failure of the current outage
_retry_at = 0.0
_recovered: list[Callable[[], None]] = []


def guarded(call: Callable[[], T]) -> T:
    """``call()``, or ``CacheUnavailable`` when the cache is down or ``call`` raises."""
    global _down_since, _retry_at
    if _down_since is not None and time.monotonic() < _retry_at:
        raise CacheUnavailable("the cache is down (backing off)")
    try:
        result = call()
    except Exception as error:  # each backend raises its own (redis.ConnectionError, OSError, ...)
        with _lock:
            first = _down_since is None
            if first:
                _down_since = time.monotonic()
            _retry_at = time.monotonic() + BACKOFF_SECONDS
        if first:
            logger.error("The cache does not answer; carrying on without it: %s", error, exc_info=True)
        raise CacheUnavailable(str(error)) from error
    if _down_since is not None:
        with _lock:
            since, _down_since = _down_since, None
        if since is not None:
            logger.warning("The cache answers again after %.1f s", time.monotonic() - since)
            for callback in _recovered:
                callback()
    return result


def cache_is_down() -> bool:
    """Whether the last cache call in this process failed (and no call has succeeded since)."""
    return _down_since is not None


def on_recovery(callback: Callable[[], None]) -> None:
    """Run ``callback`` in this process whenever the cache answers again after an outage."""
    _recovered.append(callback)


def reset() -> None:
    """Forget any outage (tests, which swap caches between cases)."""
    global _down_since, _retry_at
    with _lock:
        _down_since, _retry_at = None, 0.0
