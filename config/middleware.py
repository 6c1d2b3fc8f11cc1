"""Sign-in required everywhere, except views that check access themselves; 503 while the database reconnects.

The API answers 401 itself (tokens carry no session), and views marked
``login_not_required`` are let through without loading the user at all, so the live
poll stays at one database query.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequiredMiddleware
from rest_framework.views import APIView

from reviewapp.reconnecting import is_connection_lost, reconnecting_response


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class DatabaseReconnectingMiddleware:
    """A view that meets a lost database connection answers 503 "reconnecting" (not 500).

    Errors raised before the view (loading the session or the signed-in user) reach the site's
    500 handler instead, which answers the same (``reviewapp.api.errors.server_error``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_connection_lost(exception):
            return reconnecting_response(request, exception)
        return None
