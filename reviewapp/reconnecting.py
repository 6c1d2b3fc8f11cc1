"""The answer while PostgreSQL is away (a restart, an upgrade, a failover): 503 "reconnecting".

A request that meets a lost database connection fails at once (``connect_timeout`` bounds a
connection attempt; the next request reconnects by itself, ``CONN_HEALTH_CHECKS``) and says
so in the shape its caller reads: JSON under /api/, a small fragment for htmx and the browser's
save requests (which retry it with the same idempotency key), a page that reloads itself for
everyone else. Nothing in it touches the database, the session or the signed-in user.
"""

import logging
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
LOG_EVERY_SECONDS = 10.0
_last_logged = 0.0


def is_connection_lost(error: BaseException | None) -> bool:
    """Whether ``error`` is the database being unreachable (not a bad query, not a constraint)."""
    return isinstance(error, OperationalError | InterfaceError)


def reconnecting_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged > LOG_EVERY_SECONDS:  # one line per gap, not one per request
        _last_logged = now
        logger.warning("The database does not answer (%s): answering 503 reconnecting", error)
    message = _("The database is reconnecting. Nothing you entered is lost; try again in a few seconds.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": message, "code": "reconnecting"}, status=503)
    elif request.headers.get("HX-Request") == "true":
        response = HttpResponse(
            render_to_string("reconnecting.html#reconnecting-notice", {"message": message}), status=503
        )
    else:
        response = HttpResponse(render_to_string("reconnecting.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["X-Reconnecting"] = "1"
    response._has_been_logged = True  # logged above, once per gap; not one django.request line per request
    return response
