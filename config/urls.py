"""The whole site's URLs: sign-in, language, admin, and the review app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from reviewapp.views.docs import redoc_script_view
from reviewapp.views.health import healthz, livez

# Under /api/ the errors Django answers itself are JSON like the rest of the API (reviewapp/api/errors.py).
handler400 = "reviewapp.api.errors.bad_request"
handler403 = "reviewapp.api.errors.permission_denied"
handler404 = "reviewapp.api.errors.not_found"
handler500 = "reviewapp.api.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/docs/redoc.js", redoc_script_view, name="redoc_script"),
    path("api/", include("reviewapp.api.urls")),
    path("", include("reviewapp.urls")),
]
