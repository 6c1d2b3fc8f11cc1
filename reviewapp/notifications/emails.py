"""Mails of notifications: one at once, or the day's digest; each in its recipient's language,
with a plain-text and an HTML part and links under SITE_URL.

Both run as jobs on the task queue. A notification is mailed once: its ``email_state`` moves from
"pending" or "digest" to "sent" under a row lock, in the transaction that sends it, and a digest
is claimed per person and day by a unique ``SentOnce`` row.
"""

from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from ..models import Notification, SentOnce
from .delivery import absolute_url, app_path, language_of
from .texts import describe, excerpt

DIGEST = "digest"
State = Notification.EmailState


def _entry(notification: Notification) -> dict:
    return {"text": describe(notification), "excerpt": excerpt(notification), "url": absolute_url(notification.link)}


def _message(user, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    context = context | {"user": user, "preferences_url": absolute_url(app_path("reviewapp:notification_preferences"))}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"reviewapp/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Content-Language": translation.get_language()},
    )
    message.attach_alternative(render_to_string(f"reviewapp/email/{template}.html", context), "text/html")
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    user = notification.recipient
    with translation.override(language_of(user)):
        entry = _entry(notification)
        return _message(user, entry["text"], "notification", {"entry": entry})


def digest_message(user, notifications: list[Notification]) -> EmailMultiAlternatives:
    with translation.override(language_of(user)):
        count = len(notifications)
        subject = ngettext(
            "Your daily digest: %(count)d notification", "Your daily digest: %(count)d notifications", count
        ) % {"count": count}
        entries = [_entry(n) for n in notifications]
        return _message(
            user, subject, "digest", {"entries": entries, "heading": _("What happened since your last digest")}
        )


@task()
def send_notification_email(notification_id: int) -> str:
    """Mail one notification at once (nothing when it was mailed already or its person has no address)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "actor")
            .filter(pk=notification_id, email_state=State.PENDING)
            .first()
        )
        if notification is None:
            return "done already"
        if not notification.recipient.email:
            Notification.objects.filter(pk=notification.pk).update(email_state=State.NONE)
            return "no address"
        notification_message(notification).send()
        Notification.objects.filter(pk=notification.pk).update(email_state=State.SENT)
    return "sent"


def digest_send(*, user_id: int, day: date) -> bool:
    """Mail one person the notifications gathered for their digest, once per day; True when mailed."""
    with transaction.atomic():
        _claim, created = SentOnce.objects.get_or_create(recipient_id=user_id, kind=DIGEST, key="", day=day)
        if not created:
            return False
        notifications = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "actor")
            .filter(recipient_id=user_id, email_state=State.DIGEST)
            .order_by("created_at", "pk")
        )
        if not notifications:
            return False
        user = notifications[0].recipient
        if user.email:
            digest_message(user, notifications).send()
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            email_state=State.SENT if user.email else State.NONE
        )
    return bool(user.email)


@task()
def send_digests() -> int:
    """The day's digests: one mail per person with notifications waiting for it; the number mailed."""
    day = timezone.localdate()
    people = (
        Notification.objects.filter(email_state=State.DIGEST)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    return sum(digest_send(user_id=user_id, day=day) for user_id in list(people))
