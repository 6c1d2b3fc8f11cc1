"""Public health checks: /livez (the process answers) and /healthz (and the database and the cache answer;
with the queue of background jobs: how many wait, and for how long)."""

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

from ..cache_guard import CacheUnavailable, guarded


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    """503 while the database does not answer (nothing works without it). A cache that does not
    answer only degrades the node (sessions fall back to the database, presence is unavailable,
    reports are rendered each time): 200 with ``"status": "degraded"``, so that a load balancer
    or orchestrator does not take every node out at once for a Redis outage."""
    database, cache_ok = _database_answers(), _cache_answers()
    status = "ok" if database and cache_ok else "degraded" if database else "error"
    body = {"status": status, "database": _word(database), "cache": _word(cache_ok)}
    if database:
        body["jobs"] = waiting_jobs()
    return JsonResponse(body, status=200 if database else 503)


def _word(ok: bool) -> str:
    return "ok" if ok else "unreachable"


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
        guarded(lambda: cache.set("healthz", "ok", 10), kind="store")
        return guarded(lambda: cache.get("healthz")) == "ok"
    except CacheUnavailable:  # logged once per outage by the guard
        return False


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def livez(request: HttpRequest) -> HttpResponse:
    """The process is up; touches nothing else (a load balancer's liveness probe)."""
    return HttpResponse("ok", content_type="text/plain")
