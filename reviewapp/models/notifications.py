"""Notifications: what happened that a person should know, their choices of how to hear of it, and their language."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ASSIGNED = "item.assigned", _("An improvement item is assigned to me")
    COMMENT = "comment", _("A comment on a question I commented on")
    MENTION = "mention", _("Someone mentions me in a comment")
    DUE_SOON = "item.due_soon", _("An item of mine is due in 3 days")
    OVERDUE = "item.overdue", _("An item of mine is overdue")
    NEWER_LENS = "lens.newer", _("A newer lens version for a review I own")
    SHARED = "review.shared", _("A review is shared with me")


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", _("Email at once")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("No email")


class Notification(models.Model):
    """One event told to one person: shown in their list (``in_app``) and/or mailed (``email_state``)."""

    class EmailState(models.TextChoices):
        NONE = "none", _("Not mailed")
        PENDING = "pending", _("To be mailed")
        DIGEST = "digest", _("Waiting for the digest")
        SENT = "sent", _("Mailed")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the message says, in both languages where the text is the bank's (reviewapp.notifications.texts).
    params = models.JSONField(default=dict, blank=True)
    # The page it is about, as a path below the site's root (no leading slash): the list and the
    # mails put the request's prefix or SITE_URL in front.
    link = models.CharField(max_length=500, blank=True)
    in_app = models.BooleanField(default=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "in_app", "-created_at"], name="notification_list"),
            models.Index(fields=["email_state", "recipient"], name="notification_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


class NotificationPreference(models.Model):
    """One person's choice for one kind; without a row: in the list and mailed at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.CharField(_("email"), max_length=10, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATE)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} ({self.email})"


class PersonalSettings(models.Model):
    """What a person chose for themselves: the language of the mails they get."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_settings")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class SentOnce(models.Model):
    """A scheduled notice (or digest) given to a person: the unique row makes it once per thing and day,
    however many workers or schedulers run the check at the same time."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=100, blank=True)  # what it is about (an item's id; "" for a digest)
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key", "day"], name="sent_once_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.recipient} on {self.day}"
