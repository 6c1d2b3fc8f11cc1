"""The API's language: the language cookie or Accept-Language as for pages, else English (not the site's Korean).

API clients are programs more often than people; one that asks for no language gets English,
the language of the API's field names and of the problems an imported file is refused with.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header

from .errors import API_PREFIX

API_DEFAULT_LANGUAGE = "en"


def _asked(request: HttpRequest) -> str | None:
    """The supported language the request names, by cookie or Accept-Language; None when it names none."""
    candidates = [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")]
    candidates += [code for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", ""))]
    for code in candidates:
        if not code or code == "*":
            continue
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class ApiLanguageMiddleware:
    """After LocaleMiddleware: under /api/, a request that names no language we have is answered in English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info.startswith(API_PREFIX) and _asked(request) is None:
            translation.activate(API_DEFAULT_LANGUAGE)
            request.LANGUAGE_CODE = API_DEFAULT_LANGUAGE
        return self.get_response(request)
