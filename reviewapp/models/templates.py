"""Review templates: a named set of pre-filled answers for a lens version, owned by the user who made it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from questions.models import Lens


class ReviewTemplateQuerySet(models.QuerySet):
    def for_user(self, user):
        """The templates the user may see and use: their own (staff see everyone's)."""
        return self if user.is_staff else self.filter(owner=user)


class ReviewTemplate(models.Model):
    """AWS: review template. Applied when a review is created, through the answers' one write path."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=250, blank=True)
    lens = models.ForeignKey(Lens, verbose_name=_("lens"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="review_templates"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReviewTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="review_template_name_unique")]
        verbose_name = _("review template")
        verbose_name_plural = _("review templates")

    def __str__(self) -> str:
        return self.name


class ReviewTemplateAnswer(models.Model):
    """One question's pre-filled answer, by the question's stable id, as ``AnswerState.as_json()`` keeps it."""

    template = models.ForeignKey(ReviewTemplate, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(_("question"), max_length=128)
    state = models.JSONField(_("answer"), default=dict)

    class Meta:
        ordering = ["template", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "question_key"], name="review_template_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.template}: {self.question_key}"
