"""Sessions read from the cache, kept in the database, and still working when the cache is down.

``SESSION_ENGINE = "config.sessions"``. Like Django's ``cached_db``, a session is read from the
cache and written to the database and then the cache. Unlike it, a cache that does not answer
(Redis stopped, unreachable, a full disk under the file cache) costs nothing but speed: reads fall
back to the database, writes still land in the database, and every cache call goes through
``reviewapp.cache_guard`` so an outage fails fast and is logged once.

Nothing stale comes back with the cache. Redis may return with the copies it held before the
outage (it saved them on shutdown, or it was only unreachable). A session signed out or changed
while the cache could not be told is therefore written down in ``StaleCachedSession``: its cached
copy is refused in favour of the database, and the first process that reaches the cache again
deletes those copies, then the rows. Each process rereads the (normally empty) list at most once
``SESSION_STALE_RECHECK_SECONDS`` (1 s), and at once when it sees the cache answer again, so a copy
could only slip through if the cache came back within that second to a process that saw no outage.

Synchronous only (gunicorn sync workers); the async methods are not used.
"""

import threading
import time

from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import caches

from reviewapp.cache_guard import CacheUnavailable, guarded, on_recovery
from reviewapp.models import StaleCachedSession

PURGE_BATCH = 500

_lock = threading.Lock()
# (monotonic time read, keys) in this process; None: read it now. A new process starts from none
# known, as if it had just read the list.
_stale: tuple[float, frozenset[str]] | None = (time.monotonic(), frozenset())


def _forget_stale() -> None:
    global _stale
    _stale = None


on_recovery(_forget_stale)


def _remember_stale(session_key: str) -> None:
    global _stale
    StaleCachedSession.objects.get_or_create(session_key=session_key)
    with _lock:
        if _stale is not None:
            _stale = (_stale[0], _stale[1] | {session_key})


def _stale_keys(cache) -> frozenset[str]:
    """Keys whose cached copy must not be trusted; purges them from the cache when it answers."""
    global _stale
    now = time.monotonic()
    known = _stale
    if known is not None and now - known[0] < settings.SESSION_STALE_RECHECK_SECONDS:
        return known[1]
    rows = list(StaleCachedSession.objects.values_list("pk", "session_key")[:PURGE_BATCH])
    keys = frozenset(key for _pk, key in rows)
    remaining = keys
    if rows:
        try:
            guarded(lambda: cache.delete_many([KEY_PREFIX + key for key in keys]), kind="delete")
        except CacheUnavailable:
            pass
        else:  # the copies are gone: later reads find the database's version
            StaleCachedSession.objects.filter(pk__in=[pk for pk, _key in rows]).delete()
            remaining = frozenset(StaleCachedSession.objects.values_list("session_key", flat=True)[:PURGE_BATCH])
    with _lock:
        _stale = (now, remaining)
    return keys


class SessionStore(DBStore):
    cache_key_prefix = KEY_PREFIX

    def __init__(self, session_key=None):
        self._cache = caches[settings.SESSION_CACHE_ALIAS]
        super().__init__(session_key)

    @property
    def cache_key(self) -> str:
        return self.cache_key_prefix + self._get_or_create_session_key()

    def load(self):
        key = self.cache_key
        data = None
        if self.session_key not in _stale_keys(self._cache):  # else: changed during an outage
            try:
                data = guarded(lambda: self._cache.get(key))
            except CacheUnavailable:
                pass
        if data is None:  # the database has the truth
            stored = self._get_session_from_db()
            if not stored:
                return {}
            data = self.decode(stored.session_data)
            expiry = self.get_expiry_age(expiry=stored.expire_date)
            try:
                guarded(lambda: self._cache.set(key, data, expiry), kind="store")
            except CacheUnavailable:
                pass  # read from the database again next time
        return data

    def exists(self, session_key) -> bool:
        if not session_key:
            return False
        try:
            if guarded(lambda: (self.cache_key_prefix + session_key) in self._cache):
                return True
        except CacheUnavailable:
            pass
        return super().exists(session_key)

    def save(self, must_create=False):
        super().save(must_create)
        key, data, expiry = self.cache_key, self._session, self.get_expiry_age()
        try:
            guarded(lambda: self._cache.set(key, data, expiry), kind="store")
        except CacheUnavailable:
            _remember_stale(self.session_key)

    def delete(self, session_key=None):
        super().delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            guarded(lambda: self._cache.delete(self.cache_key_prefix + session_key), kind="delete")
        except CacheUnavailable:
            _remember_stale(session_key)
