"""Every API error as JSON with one message that says what is wrong (and the details behind it).

Errors raised before DRF's views run (a URL no route matches) are answered as JSON too, by
``not_found`` (the site's handler404 for paths under /api/).
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

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
    if isinstance(exc, RequestDataTooBig):  # Django refuses to read the body: it is not an APIException
        return Response({"error": body_too_large_message()}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"error": str(data["detail"])}
    else:
        response.data = {"error": "; ".join(_flatten(data)) or _("Invalid request."), "details": data}
    return response


def not_found(request: HttpRequest, exception: Exception | None = None):
    """The site's 404: JSON in the API's error shape under /api/, the usual page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
