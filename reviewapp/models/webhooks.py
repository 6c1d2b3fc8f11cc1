"""Outbound webhooks of a workload and each delivery made to them."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .workloads import Workload


class WebhookEvent(models.TextChoices):
    ANSWER_SAVED = "answer.saved", _("An answer was saved")
    RISK_CHANGED = "risk.changed", _("A question's risk changed")
    ITEM_CHANGED = "improvement.changed", _("An improvement item changed")
    MILESTONE_TAKEN = "milestone.taken", _("A milestone was taken")
    SESSION_ENDED = "session.ended", _("A review session ended")


class Webhook(models.Model):
    """A URL told about a workload's events: signed POSTs of JSON, retried until it answers 2xx."""

    workload = models.ForeignKey(Workload, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=2048)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workload", "created_at", "pk"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook; a re-send is a new delivery of the same payload."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    resent_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook} ({self.status})"
