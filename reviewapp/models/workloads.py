"""Workloads, their members and invitations, and the risk names every review uses."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTES_MAX_LENGTH = 2084  # an answer's notes, as the AWS Well-Architected Tool allows
CHOICE_NOTES_MAX_LENGTH = 250  # the note on a practice that does not apply (AWS ChoiceUpdate.Notes)


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


def risk_counts(answers: str, names) -> dict[str, Count]:
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
        return self.annotate(**risk_counts("reviews__answers", ["high_count", "medium_count"]))


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
    profile = models.ForeignKey(
        "questions.Profile",
        verbose_name=_("profile"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workloads",
        help_text=_("The profile version the workload answered (at most one)."),
    )
    profile_answers = models.JSONField(
        _("profile answers"), default=dict, blank=True, help_text=_("{profile question id: [choice ids]}")
    )
    # The events some active webhook of the workload listens to (kept by reviewapp.webhooks), so a
    # save with no webhook to tell costs no query.
    webhook_events = models.JSONField(_("webhook events"), default=list, blank=True, editable=False)

    objects = WorkloadQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        # The workload list's sorts: a page is read from an index, whatever the number of workloads.
        indexes = [
            models.Index(fields=["name", "id"], name="workload_name"),
            models.Index(fields=["updated_at", "id"], name="workload_updated"),
            models.Index(fields=["review_owner", "name", "id"], name="workload_owner"),
        ]
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
        indexes = [models.Index(fields=["user", "workload"], name="membership_user_workload")]  # for_user()

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.workload}"


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
