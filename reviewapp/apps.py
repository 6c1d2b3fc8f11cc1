from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = _("Reviews")
