"""Reviews, the answers given in them, their history, milestones and improvement items."""

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from questions.models import Choice, Lens, Question

from .workloads import NOTES_MAX_LENGTH, RISK_COUNT_FIELDS, AnswerRisk, Workload, risk_counts


class ReviewQuerySet(models.QuerySet):
    def with_risk_counts(self):
        """Each review's number of questions and the count at every risk (``RISK_COUNT_FIELDS``)."""
        return self.annotate(question_count=Count("answers"), **risk_counts("answers", RISK_COUNT_FIELDS))


class Review(models.Model):
    """A workload reviewed against one lens version."""

    workload = models.ForeignKey(Workload, verbose_name=_("workload"), on_delete=models.CASCADE, related_name="reviews")
    lens = models.ForeignKey(Lens, verbose_name=_("lens"), on_delete=models.PROTECT, related_name="reviews")
    revision = models.PositiveBigIntegerField(
        _("revision"), default=0, help_text=_("Grows with every saved answer; names the review's current state.")
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who leads the workshop: followers are moved to the question they open."),
    )
    facilitator_question = models.CharField(_("facilitator's question"), max_length=128, blank=True)
    live_session = models.ForeignKey(
        "reviewapp.ReviewSession",
        verbose_name=_("session running now"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Read with the review's lock by answer_save, which attributes each change to it."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["workload", "lens__slug", "pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.UniqueConstraint(fields=["workload", "lens"], name="review_lens_unique")]

    def __str__(self) -> str:
        return f"{self.workload} / {self.lens}"

    @property
    def answered_count(self) -> int:
        """Answered questions; needs ``with_risk_counts()``."""
        return self.question_count - self.unanswered_count


class Answer(models.Model):
    class Reason(models.TextChoices):
        """Why a question does not apply (the AWS tool's reasons)."""

        OUT_OF_SCOPE = "OUT_OF_SCOPE", _("Out of scope")
        BUSINESS_PRIORITIES = "BUSINESS_PRIORITIES", _("Business priorities")
        ARCHITECTURE_CONSTRAINTS = "ARCHITECTURE_CONSTRAINTS", _("Architecture constraints")
        OTHER = "OTHER", _("Other")

    class ChoiceReason(models.TextChoices):
        """Why one best practice does not apply (the AWS tool's ``ChoiceReason``; ``NONE``: none given)."""

        NONE = "NONE", _("No reason given")
        OUT_OF_SCOPE = "OUT_OF_SCOPE", _("Out of scope")
        BUSINESS_PRIORITIES = "BUSINESS_PRIORITIES", _("Business priorities")
        ARCHITECTURE_CONSTRAINTS = "ARCHITECTURE_CONSTRAINTS", _("Architecture constraints")
        OTHER = "OTHER", _("Other")

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers")
    selected_choices = models.ManyToManyField(
        Choice, verbose_name=_("best practices followed"), blank=True, related_name="answers"
    )
    is_applicable = models.BooleanField(_("applicable"), default=True)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    notes = models.TextField(_("notes"), max_length=NOTES_MAX_LENGTH, blank=True, help_text=_("Markdown."))
    choice_na = models.JSONField(
        _("practices that do not apply"),
        default=dict,
        blank=True,
        help_text=_('By choice key: {"reason": …, "notes": …}. Such a practice is neither followed nor missing.'),
    )
    risk = models.CharField(_("risk"), max_length=16, choices=AnswerRisk.choices, default=AnswerRisk.UNANSWERED)
    version = models.PositiveIntegerField(_("version"), default=0, help_text=_("Grows with every save."))
    review_revision = models.PositiveBigIntegerField(
        _("review revision"), default=0, help_text=_("The review's revision when this answer last changed.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        ordering = ["review", "question__pillar__order", "question__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["review", "question"], name="answer_unique")]
        indexes = [
            models.Index(fields=["review", "review_revision"], name="answer_review_revision"),
            # Risk counts of many workloads at once (the workload list, the portfolio): index-only.
            models.Index(fields=["review", "risk"], name="answer_review_risk"),
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.question.label}: {self.risk}"


class ImprovementItem(models.Model):
    """A best practice the review does not follow yet, tracked as work to do."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        WONT_DO = "wont_do", _("Won't do")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="improvement_items")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="improvement_items",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "choice__question__pillar__order", "choice__question__order", "choice__order"]
        constraints = [models.UniqueConstraint(fields=["review", "choice"], name="improvement_item_unique")]

    def __str__(self) -> str:
        return f"{self.review}: {self.choice.key} ({self.status})"


class Milestone(models.Model):
    """A named, frozen copy of a review's answers and risks; never changed after it is taken."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=100)
    lens = models.ForeignKey(Lens, on_delete=models.PROTECT, related_name="+")
    review_revision = models.PositiveBigIntegerField(help_text=_("The review's revision when it was taken."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "name"], name="milestone_name_unique")]

    def __str__(self) -> str:
        return f"{self.review}: {self.name}"


class MilestoneAnswer(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    risk = models.CharField(max_length=16, choices=AnswerRisk.choices)
    selected_keys = models.JSONField(default=list)
    is_applicable = models.BooleanField(default=True)
    reason = models.CharField(max_length=32, choices=Answer.Reason.choices, blank=True)
    notes = models.TextField(blank=True)
    choice_na = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["milestone", "question__pillar__order", "question__order"]
        constraints = [models.UniqueConstraint(fields=["milestone", "question"], name="milestone_answer_unique")]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.question_id} {self.risk}"


class AnswerChange(models.Model):
    """One saved change of an answer: who, when, and the answer before and after (never edited)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(help_text=_("The answer's version after this change."))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    before = models.JSONField(help_text=_("The answer before: choices, applicable, reason, notes, risk."))
    after = models.JSONField()
    restored_from = models.PositiveIntegerField(null=True, blank=True, help_text=_("Version this change restored."))
    session = models.ForeignKey(
        "reviewapp.ReviewSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answer_changes",
        help_text=_("The review session running when the change was saved."),
    )
    idempotency_key = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text=_("The key the client sent with the save: a retry is applied once."),
    )
    template = models.ForeignKey(
        "reviewapp.ReviewTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The review template this change applied, if any."),
    )
    template_name = models.CharField(
        max_length=100, blank=True, default="", help_text=_("The template's name then (kept if it is deleted).")
    )

    class Meta:
        ordering = ["answer", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "version"], name="answer_change_version_unique"),
            models.UniqueConstraint(
                fields=["answer", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="answer_change_idempotency_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer} v{self.version}"
