"""The API docs page's script: the self-hosted Redoc bundle, made to fetch nothing from outside."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from ..api.docs import redoc_script


@require_GET
@cache_control(private=True, max_age=86400)
def redoc_script_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(redoc_script(), content_type="text/javascript; charset=utf-8")
