from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from django.contrib import admin

        from questions.signals import lens_published

        from . import checks  # noqa: F401 - registers the system checks
        from .notifications.events import newer_lens_published

        # The question bank never imports reviewapp: it says a version is published, reviewapp tells owners.
        lens_published.connect(newer_lens_published, dispatch_uid="reviewapp.newer_lens")

        # The admin says whose it is, in the reader's language (not "Django administration").
        admin.site.site_header = _("Well-Architected Review administration")
        admin.site.site_title = _("Well-Architected Review administration")
        admin.site.index_title = _("Question bank and reviews")
