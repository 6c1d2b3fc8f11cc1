"""Every API error as JSON with one message that says what is wrong (and the details behind it).

Errors Django answers outside DRF's views (a URL no route matches, a request refused by a
middleware, a crash) are JSON too under /api/: the site's handler400/403/404/500 are here.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..reconnecting import is_connection_lost, reconnecting_response

API_PREFIX = "/api/"


def _flatten(detail, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [
            m
            for key, value in detail.items()
            for m in _flatten(value, f"{prefix}{key}: " if key != "non_field_errors" else prefix)
        ]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value, prefix)]
    return [f"{prefix}{detail}"]


def body_too_large_message() -> str:
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return _("The request body is larger than %(size)d MB.") % {"size": megabytes}


def api_exception_handler(exc, context):
    # Django refuses to read the body: these are not APIExceptions, and would otherwise be HTML 400 pages.
    if isinstance(exc, RequestDataTooBig):
        return Response({"error": body_too_large_message()}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return Response({"error": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"error": str(data["detail"])}
    else:
        response.data = {"error": "; ".join(_flatten(data)) or _("Invalid request."), "details": data}
    return response


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception | None = None):
    """The site's 400: JSON in the API's error shape under /api/, the usual page elsewhere."""
    if _api(request):
        return JsonResponse({"error": _("Invalid request.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception | None = None):
    if _api(request):
        return JsonResponse({"error": _("You do not have permission to perform this action.")}, status=403)
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception | None = None):
    if _api(request):
        return JsonResponse({"error": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest):
    lost = sys.exc_info()[1]  # Django calls this while handling the exception
    if is_connection_lost(lost):
        return reconnecting_response(request, lost)
    if _api(request):
        return JsonResponse({"error": _("A server error occurred.")}, status=500)
    return defaults.server_error(request)
