"""Test settings: the real settings against the throwaway PostgreSQL of scripts/with-postgres.sh."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TRUSTED_PROXY_COUNT", "0")  # the test client connects directly
os.environ.setdefault("SITE_URL", "https://review.example.com/wa")  # links in mails, behind a path prefix
if "DATABASE_URL" not in os.environ:
    raise RuntimeError("The tests run against PostgreSQL: use `make test` (it starts one) or set DATABASE_URL.")

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests change published lenses in place; production never does (they are read-only).
BANK_CACHE = False
# Each test process has its own memory cache: nothing cached survives into another run.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"},
    "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}
SESSION_ENGINE = "config.sessions"  # as deployed with CACHE_URL
# The list of sessions changed during a cache outage is reread when this process sees the cache
# come back (tests/test_cache_outage.py), not every second: a poll's query count must not depend
# on how fast the machine is.
SESSION_STALE_RECHECK_SECONDS = 3600.0
STATIC_ROOT = None  # tests serve static files from the app folders; nothing is collected
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Background jobs run inside the request that queues them; tests of the queue itself use the
# database backend and run its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
# Tracker tokens are encrypted with a fixed test key (production sets TRACKER_TOKEN_KEYS).
TRACKER_TOKEN_KEYS = ["dGVzdC10cmFja2VyLWtleS0wMTIzNDU2Nzg5YWJjZGU="]
