"""PDF reports rendered in the background: one row per report state, language and paper size."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .reviews import Milestone, Review


class ReportRender(models.Model):
    """One rendering of one report state (its cache key), shared by everyone who asks for it.

    The unique key makes the render single-flight: however many people ask at once, one row is
    created and one job is queued. ``attempt`` numbers the jobs queued for the row; a job only
    writes its result while its attempt is still the row's, so a job that was given up for dead
    (its worker killed) and comes back late never writes a second result.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=200, unique=True)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="report_renders")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    page_size = models.CharField(max_length=8)
    with_sessions = models.BooleanField(default=False)  # with the chapter of session minutes
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempt = models.PositiveIntegerField(default=1)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["review", "milestone", "language", "page_size"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
