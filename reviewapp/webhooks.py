"""Outbound webhooks: registering them, emitting a workload's events, delivering signed POSTs as jobs.

A delivery is a POST of JSON with ``X-WA-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``, the HMAC
taken with the webhook's secret over ``"<unix time>." + body``, so a receiver can check both who
sent it and when (``verify_signature`` is the receiver's side, used by the tests). Deliveries run
on the task queue and are retried with backoff (``WEBHOOK_RETRY_DELAYS``) until a 2xx answer.

Webhook URLs must resolve to public addresses: private, loopback, link-local and reserved ones are
refused (server-side request forgery) unless the administrator lists their network in
``WEBHOOK_ALLOWED_NETWORKS``. The address is checked again at each delivery, and redirects are
not followed.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .jobs import enqueue
from .models import Webhook, WebhookDelivery, WebhookEvent, Workload

SIGNATURE_HEADER = "X-WA-Signature"
TIMEOUT_SECONDS = 10
Status = WebhookDelivery.Status


class WebhookRefused(ValueError):
    """A webhook URL that may not be called; the message says why, for the person who gave it."""


def check_webhook_url(url: str) -> None:
    """Refuse URLs that are not http(s) or that resolve to a non-public address not allowed by the admin."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused(_("A webhook URL starts with https:// or http:// and names a host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)}
    except (OSError, ValueError):
        raise WebhookRefused(_("The host %(host)s could not be resolved.") % {"host": parts.hostname}) from None
    allowed = [ipaddress.ip_network(net, strict=False) for net in settings.WEBHOOK_ALLOWED_NETWORKS]
    for text in sorted(addresses):
        address = ipaddress.ip_address(text.split("%")[0])
        if not address.is_global and not any(address in net for net in allowed):
            raise WebhookRefused(
                _(
                    "%(host)s resolves to %(address)s, a private or local address: webhooks may only call "
                    "public addresses unless an administrator allows that network."
                )
                % {"host": parts.hostname, "address": address}
            )


@transaction.atomic
def webhook_create(*, workload: Workload, user, url: str, events: list[str]) -> Webhook:
    check_webhook_url(url)
    unknown = set(events) - set(WebhookEvent.values)
    if not events or unknown:
        raise WebhookRefused(_("Choose at least one event."))
    webhook = Webhook.objects.create(
        workload=workload, url=url, events=sorted(set(events)), secret=secrets.token_hex(32), created_by=user
    )
    _refresh_events(workload)
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    workload = webhook.workload
    webhook.delete()
    _refresh_events(workload)


def _refresh_events(workload: Workload) -> None:
    events: set[str] = set()
    for listened in Webhook.objects.filter(workload=workload, is_active=True).values_list("events", flat=True):
        events.update(listened)
    workload.webhook_events = sorted(events)
    Workload.objects.filter(pk=workload.pk).update(webhook_events=workload.webhook_events)


def emit(workload: Workload, event: str, data: dict) -> None:
    """Queue a delivery of the event to each webhook of the workload listening to it (after commit).

    Costs no query when no webhook of the workload listens to the event.
    """
    if event not in workload.webhook_events:
        return
    payload = {
        "event": event,
        "occurred_at": timezone.now().isoformat(),
        "workload": {"id": workload.pk, "name": workload.name},
        "data": data,
    }
    deliveries = [
        WebhookDelivery.objects.create(webhook=webhook, event=event, payload=payload)
        for webhook in Webhook.objects.filter(workload=workload, is_active=True)
        if event in webhook.events
    ]
    transaction.on_commit(lambda: [_enqueue(delivery.pk) for delivery in deliveries])


def emit_answer_saved(*, review, answer, question_key: str, user, risk_before: str) -> None:
    """``answer.saved`` for every save, and ``risk.changed`` when the question's risk moved."""
    workload = review.workload
    if not workload.webhook_events:
        return
    data = {
        "review": review.pk,
        "question": question_key,
        "version": answer.version,
        "risk": answer.risk,
        "by": getattr(user, "username", None),
    }
    emit(workload, WebhookEvent.ANSWER_SAVED, data)
    if answer.risk != risk_before:
        emit(workload, WebhookEvent.RISK_CHANGED, data | {"risk_before": risk_before})


def resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's payload again, as a new delivery (the old one keeps its log)."""
    again = WebhookDelivery.objects.create(
        webhook=delivery.webhook, event=delivery.event, payload=delivery.payload, resent_from=delivery
    )
    transaction.on_commit(lambda: _enqueue(again.pk))
    return again


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """The receiver's check: the signature matches the body and was made less than ``tolerance`` s ago."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def _enqueue(delivery_pk: int, *, at=None) -> None:
    enqueue(deliver_webhook, at=at, delivery_pk=delivery_pk)


@task()
def deliver_webhook(delivery_pk: int) -> str:
    """POST one delivery; on failure, queue the next attempt after the next delay or give up."""
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_pk)
    if delivery.status in (Status.DELIVERED, Status.FAILED):
        return delivery.status  # a job that ran twice sends nothing twice
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "wa-review-webhooks/1",
        "X-WA-Event": delivery.event,
        "X-WA-Delivery": str(delivery.delivery_id),
        "X-WA-Timestamp": str(timestamp),
        SIGNATURE_HEADER: sign(delivery.webhook.secret, timestamp, body),
    }
    code, error, permanent = None, "", False
    try:
        check_webhook_url(delivery.webhook.url)  # again: what a name resolves to may have changed
        response = httpx.post(
            delivery.webhook.url, content=body, headers=headers, timeout=TIMEOUT_SECONDS, follow_redirects=False
        )
        code = response.status_code
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except WebhookRefused as refused:
        error, permanent = str(refused), True
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}" if str(failure) else type(failure).__name__
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at, delivery.response_code, delivery.error = now, code, error[:500]
    delays = settings.WEBHOOK_RETRY_DELAYS
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = Status.DELIVERED, now, None
    elif permanent or delivery.attempts > len(delays):
        delivery.status, delivery.next_attempt_at = Status.FAILED, None
    else:
        delivery.status = Status.RETRYING
        delivery.next_attempt_at = now + timedelta(seconds=delays[delivery.attempts - 1])
    delivery.save()
    if delivery.status == Status.RETRYING:
        _enqueue(delivery.pk, at=delivery.next_attempt_at)
    return delivery.status
