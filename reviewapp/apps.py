from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
