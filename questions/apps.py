from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = _("Question bank")

    def ready(self) -> None:
        # History is registered here, after django-modeltranslation (earlier in INSTALLED_APPS)
        # has added the _ko/_en fields, so the historical models record both languages.
        from simple_history import register

        from .models import Choice, Lens, Pillar, Question, RiskRule

        for model in (Lens, Pillar, Question, Choice, RiskRule):
            register(model, app=self.label, cascade_delete_history=False)
