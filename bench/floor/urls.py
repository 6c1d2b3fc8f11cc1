"""The app's URLs, unchanged, plus the floor views under /floor/ (bench only)."""

from django.urls import path

from bench.floor import views
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("floor/trivial/", views.trivial),
    path("floor/user/", views.user_name),
    path("floor/conditional/<int:pk>/", views.conditional),
    path("floor/save/<int:pk>/<int:answer_pk>/", views.save),
    *app_urlpatterns,
]
