"""Sign-in required everywhere, except views that check access themselves.

The API answers 401 itself (tokens carry no session), and views marked
``login_not_required`` are let through without loading the user at all, so the live
poll stays at one database query.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequiredMiddleware
from rest_framework.views import APIView


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
