"""Workloads, who may see them, their reviews and the answers given in them."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from questions.models import Choice, Lens, Question

NOTES_MAX_LENGTH = 2084  # an answer's notes, as the AWS Well-Architected Tool allows


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    CONTRIBUTOR = "contributor", _("Contributor")
    VIEWER = "viewer", _("Viewer")


WRITE_ROLES = frozenset({Role.OWNER, Role.CONTRIBUTOR})


class AnswerRisk(models.TextChoices):
    """Risk of one answered question; the rule risks plus the two states rules never see."""

    HIGH = "HIGH_RISK", _("High risk")
    MEDIUM = "MEDIUM_RISK", _("Medium risk")
    NONE = "NO_RISK", _("No risk")
    NOT_APPLICABLE = "NOT_APPLICABLE", _("Does not apply")
    UNANSWERED = "UNANSWERED", _("Unanswered")


# The risks that call for improvement: they make the plan, and a milestone's regressions.
RISKY: tuple[str, ...] = (AnswerRisk.HIGH, AnswerRisk.MEDIUM)

# The count that ``with_risk_counts()`` annotates for each risk (risk.RiskCounts.annotated reads them back).
RISK_COUNT_FIELDS: dict[str, str] = {
    "high_count": AnswerRisk.HIGH,
    "medium_count": AnswerRisk.MEDIUM,
    "none_count": AnswerRisk.NONE,
    "not_applicable_count": AnswerRisk.NOT_APPLICABLE,
    "unanswered_count": AnswerRisk.UNANSWERED,
}


def _risk_counts(answers: str, names) -> dict[str, Count]:
    """``{name: Count(...)}`` of the answers (a path from the queried model) at each named count's risk."""
    return {name: Count(answers, filter=Q(**{f"{answers}__risk": RISK_COUNT_FIELDS[name]})) for name in names}


class WorkloadQuerySet(models.QuerySet):
    def for_user(self, user):
        """Workloads the user may see: all for staff, else those they are a member of."""
        if user.is_staff:
            return self
        return self.filter(memberships__user=user)

    def with_risk_counts(self):
        """High and medium counts over every review of each workload."""
        return self.annotate(**_risk_counts("reviews__answers", ["high_count", "medium_count"]))


class Workload(models.Model):
    class Environment(models.TextChoices):
        PRODUCTION = "PRODUCTION", _("Production")
        PREPRODUCTION = "PREPRODUCTION", _("Pre-production")

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=250 * 10)
    environment = models.CharField(
        _("environment"), max_length=16, choices=Environment.choices, default=Environment.PRODUCTION
    )
    regions = models.JSONField(_("regions"), default=list, blank=True, help_text=_("e.g. ap-northeast-2"))
    review_owner = models.CharField(_("review owner"), max_length=255)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    architecture_diagram_url = models.URLField(_("architecture diagram URL"), max_length=2048, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WorkloadQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("workload")
        verbose_name_plural = _("workloads")

    def __str__(self) -> str:
        return self.name

    def members(self) -> models.QuerySet:
        """The workload's members as users, by username (choices of an item's owner or a facilitator)."""
        return get_user_model().objects.filter(memberships__workload=self).order_by("username")

    def listed_memberships(self) -> models.QuerySet:
        """The workload's memberships with their users, by username, as pages and archives list them."""
        return self.memberships.select_related("user").order_by("user__username", "pk")


class Membership(models.Model):
    workload = models.ForeignKey(
        Workload, verbose_name=_("workload"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["workload", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["workload", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.workload}"


class ReviewQuerySet(models.QuerySet):
    def with_risk_counts(self):
        """Each review's number of questions and the count at every risk (``RISK_COUNT_FIELDS``)."""
        return self.annotate(question_count=Count("answers"), **_risk_counts("answers", RISK_COUNT_FIELDS))


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

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers")
    selected_choices = models.ManyToManyField(
        Choice, verbose_name=_("best practices followed"), blank=True, related_name="answers"
    )
    is_applicable = models.BooleanField(_("applicable"), default=True)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    notes = models.TextField(_("notes"), max_length=NOTES_MAX_LENGTH, blank=True, help_text=_("Markdown."))
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
        indexes = [models.Index(fields=["review", "review_revision"], name="answer_review_revision")]

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
    version = models.PositiveIntegerField(default=0)
    updated_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["milestone", "question__pillar__order", "question__order"]
        constraints = [models.UniqueConstraint(fields=["milestone", "question"], name="milestone_answer_unique")]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.question_id} {self.risk}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal API token: acts with exactly its user's permissions. Only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, help_text=_("The token's first characters, to recognise it."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["user", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


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
    idempotency_key = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text=_("The key the client sent with the save: a retry is applied once."),
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


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Invitations that can still be used: neither accepted, revoked nor expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use, expiring link that makes whoever opens it a member of the workload. Only its hash is stored."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Used")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    workload = models.ForeignKey(
        Workload, verbose_name=_("workload"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["workload", "-created_at", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.get_role_display()} → {self.workload}"

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    def get_state_display(self) -> str:
        return self.State(self.state).label
