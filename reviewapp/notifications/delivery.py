"""``notify``: store one event for each person who wants it, and mail those who want mail at once.

A person's choice for a kind (``NotificationPreference``) decides: in the list or not, mailed at
once, gathered in the daily digest, or not mailed. Nobody is told of their own action. Mails leave
after the transaction commits, as a job on the task queue, so a failed write sends nothing and a
slow mail server never holds a request.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import get_script_prefix, reverse

from ..models import EmailChoice, Notification, NotificationPreference, PersonalSettings
from .inbox import forget_unread_count


def app_path(viewname: str, *args) -> str:
    """The path of a page below the site's root, without the request's prefix (stored as a notification's link)."""
    path = reverse(viewname, args=args)
    prefix = get_script_prefix()
    return path[len(prefix) :] if path.startswith(prefix) else path.lstrip("/")


def absolute_url(link: str) -> str:
    """A link for a mail: SITE_URL (which may carry a path prefix) and the page's path."""
    return f"{settings.SITE_URL.rstrip('/')}/{link}"


def language_of(user) -> str:
    """The language a person reads their mails in (their setting, else the site's default)."""
    chosen = PersonalSettings.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def choices_of(users: Iterable, kind: str) -> dict[int, tuple[bool, str]]:
    """``{user id: (in_app, email)}`` for the kind, defaults where a person chose nothing."""
    ids = [user.pk for user in users]
    chosen = {
        user_id: (in_app, email)
        for user_id, in_app, email in NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "in_app", "email"
        )
    }
    return {user_id: chosen.get(user_id, (True, EmailChoice.IMMEDIATE)) for user_id in ids}


def notify(*, recipients: Iterable, kind: str, actor=None, params: dict, link: str) -> list[Notification]:
    """Tell each recipient (never the actor) of one event, as each of them chose for its kind."""
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    if not people:
        return []
    created = []
    for user_id, (in_app, email) in choices_of(people.values(), kind).items():
        if not in_app and email == EmailChoice.OFF:
            continue
        state = {
            EmailChoice.IMMEDIATE: Notification.EmailState.PENDING,
            EmailChoice.DIGEST: Notification.EmailState.DIGEST,
        }.get(email, Notification.EmailState.NONE)
        created.append(
            Notification(
                recipient_id=user_id,
                kind=kind,
                actor=actor,
                params=params,
                link=link,
                in_app=in_app,
                email_state=state,
            )
        )
    Notification.objects.bulk_create(created)
    listed = {n.recipient_id for n in created if n.in_app}
    for user_id in listed:  # now, and again once committed: a page between the two may cache the old count
        forget_unread_count(user_id)
    transaction.on_commit(lambda: [forget_unread_count(user_id) for user_id in listed])
    to_mail = [n.pk for n in created if n.email_state == Notification.EmailState.PENDING]
    if to_mail:
        transaction.on_commit(lambda: _enqueue_mails(to_mail))
    return created


def _enqueue_mails(ids: list[int]) -> None:
    from .emails import send_notification_email

    for pk in ids:
        send_notification_email.enqueue(notification_id=pk)
