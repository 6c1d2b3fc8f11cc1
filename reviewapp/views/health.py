"""Public health checks: /livez (the process answers) and /healthz (and the database and the cache answer;
with the queue of background jobs: how many wait, and for how long)."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    """The database and the cache answer: signed-in pages need both (sessions and presence live in the cache)."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error"} | {
        name: "ok" if ok else "unreachable" for name, ok in checks.items()
    }
    if checks["database"]:
        body["jobs"] = waiting_jobs()
    return JsonResponse(body, status=200 if healthy else 503)


def waiting_jobs() -> dict:
    """Background jobs queued and not started yet, and how long the oldest has waited (seconds)."""
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if not isinstance(backend, DatabaseBackend):
        return {"backend": type(backend).__name__}
    waiting = DBTaskResult.objects.ready().aggregate(count=Count("pk"), oldest=Min("enqueued_at"))
    oldest = (timezone.now() - waiting["oldest"]).total_seconds() if waiting["oldest"] else 0
    return {"backend": "database", "waiting": waiting["count"], "oldest_waiting_seconds": round(oldest, 1)}


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _cache_answers() -> bool:
    try:
        cache.set("healthz", "ok", 10)
        return cache.get("healthz") == "ok"
    except Exception:  # each cache backend raises its own errors (redis.ConnectionError, OSError...)
        logger.warning("healthz: the cache does not answer", exc_info=True)
        return False


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def livez(request: HttpRequest) -> HttpResponse:
    """The process is up; touches nothing else (a load balancer's liveness probe)."""
    return HttpResponse("ok", content_type="text/plain")
