"""A workload's connection to an issue tracker, and the issue each improvement item is tracked as."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .reviews import ImprovementItem
from .workloads import Workload


class TrackerKind(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    JIRA = "jira", "Jira"


class TrackerRisks(models.TextChoices):
    HIGH = "high", _("High risk only")
    HIGH_MEDIUM = "high_medium", _("High and medium risk")


class SyncError(models.TextChoices):
    """Why the last sync failed; put in words by ``reviewapp.trackers.errors.sync_error_text``."""

    AUTH = "auth", _("The tracker refused the token")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    UNREACHABLE = "unreachable", _("Tracker unreachable")
    NOT_FOUND = "not_found", _("Project not found")
    REFUSED = "refused", _("Request refused")
    ADDRESS = "address", _("Address refused")
    GONE = "gone", _("Issue deleted in the tracker")
    TOKEN = "token", _("Stored token unreadable")


def _hook_secret() -> str:
    return secrets.token_hex(32)


class TrackerConnection(models.Model):
    """Where a workload's improvement items are synced as issues (one per workload, set by an owner).

    The token is kept only encrypted (``reviewapp.trackers.secrets``) and is never shown again.
    """

    workload = models.OneToOneField(Workload, on_delete=models.CASCADE, related_name="tracker")
    kind = models.CharField(_("tracker"), max_length=8, choices=TrackerKind.choices)
    base_url = models.URLField(_("URL"), max_length=512)
    project = models.CharField(_("project or repository"), max_length=200)
    username = models.CharField(
        _("account email"), max_length=200, blank=True, help_text=_("Jira Cloud only: the token's account.")
    )
    token_encrypted = models.TextField(editable=False)
    risks = models.CharField(_("risks to sync"), max_length=12, choices=TrackerRisks.choices)
    language = models.CharField(max_length=8, help_text=_("The language issues are written in."))
    site_url = models.URLField(max_length=512, help_text=_("This site's address, for the links back to reviews."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    hook_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    hook_secret = models.CharField(
        max_length=64,
        default=_hook_secret,
        editable=False,
        help_text=_("Signs the tracker's webhook calls (GitHub, Jira) or is their token (GitLab)."),
    )
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=16, choices=SyncError.choices, blank=True)
    last_error_status = models.PositiveSmallIntegerField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("Failed workload syncs in a row."))

    class Meta:
        ordering = ["workload"]

    def __str__(self) -> str:
        return f"{self.workload} → {self.get_kind_display()} {self.project}"


class TrackedIssue(models.Model):
    """The issue an improvement item is tracked as: its key and URL, and how the last sync went.

    The row exists before the issue does (its sync state); ``key`` is stored as soon as the issue
    is created, and the issue's body carries a marker (``wa-item:<item id>``) found again before
    creating, so a retried job never creates a second issue.
    """

    item = models.OneToOneField(ImprovementItem, on_delete=models.CASCADE, related_name="tracked_issue")
    connection = models.ForeignKey(TrackerConnection, on_delete=models.CASCADE, related_name="issues")
    key = models.CharField(max_length=64, blank=True)
    url = models.URLField(max_length=1024, blank=True)
    state = models.CharField(max_length=8, blank=True, help_text=_("open or closed, as last seen in the tracker."))
    content_hash = models.CharField(max_length=64, blank=True, help_text=_("What the issue says, as last sent."))
    synced_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=16, choices=SyncError.choices, blank=True)
    error_status = models.PositiveSmallIntegerField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("Failed syncs in a row."))

    class Meta:
        ordering = ["item"]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.key or '(not created)'}"
