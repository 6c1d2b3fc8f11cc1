"""Outbound webhooks (reviewapp/webhooks.py, views/webhooks.py), against a receiver started here.

What the owner and the receiver care about: the events arrive signed and verifiable, failures are
retried and then given up with the reason logged, a delivery can be sent again, private addresses
are refused, and only owners see or change any of it.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.milestones import milestone_create
from reviewapp.models import Webhook, WebhookDelivery, Workload
from reviewapp.webhooks import SIGNATURE_HEADER, sign, verify_signature, webhook_create

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class Receiver:
    """An HTTP server on loopback that records each POST and answers with the next scripted code."""

    def __init__(self, codes=(200,)):
        self.codes = list(codes)
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                if code in (301, 302):
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/wa"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [r["headers"]["X-WA-Event"] for r in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the administrator allows the loopback receiver
    settings.WEBHOOK_RETRY_DELAYS = [0, 0]
    server = Receiver()
    yield server
    server.close()


def _owner_client(alice) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(alice)
    return client


def _save(review, key, choices, user):
    item = load_bank(review.lens).by_key[key]
    return answer_save(review=review, item=item, user=user, state=AnswerState(choices=frozenset(choices)))


def test_an_owner_adds_a_webhook_and_sees_its_secret_once(workload, alice, receiver):
    client = _owner_client(alice)
    url = reverse("reviewapp:webhook_list", args=[workload.pk])

    added = client.post(url, {"url": receiver.url, "events": ["answer.saved", "risk.changed"]})

    webhook = Webhook.objects.get()
    assert (webhook.url, webhook.events) == (receiver.url, ["answer.saved", "risk.changed"])
    assert webhook.secret in added.content.decode()
    assert webhook.secret not in client.get(url).content.decode()  # shown only that once
    assert Workload.objects.get(pk=workload.pk).webhook_events == ["answer.saved", "risk.changed"]


def test_a_saved_answer_reaches_the_receiver_signed_and_verifiable(
    review, alice, bob, receiver, django_capture_on_commit_callbacks
):
    webhook = webhook_create(
        workload=review.workload, user=alice, url=receiver.url, events=["answer.saved", "risk.changed"]
    )
    review.workload.refresh_from_db()
    question = load_bank(review.lens).questions[0]
    key = question.key

    with django_capture_on_commit_callbacks(execute=True):
        _save(review, key, [question.none_choice.key], bob)  # unanswered → high risk

    assert sorted(receiver.events()) == ["answer.saved", "risk.changed"]
    for request in receiver.received:
        assert verify_signature(webhook.secret, request["headers"][SIGNATURE_HEADER], request["body"])
        assert not verify_signature(webhook.secret, request["headers"][SIGNATURE_HEADER], request["body"] + b" ")
        assert not verify_signature("another-secret", request["headers"][SIGNATURE_HEADER], request["body"])
    saved = json.loads(next(r["body"] for r in receiver.received if r["headers"]["X-WA-Event"] == "answer.saved"))
    assert saved["workload"] == {"id": review.workload.pk, "name": review.workload.name}
    assert saved["data"]["question"] == key and saved["data"]["by"] == "bob" and saved["data"]["version"] == 1
    assert set(WebhookDelivery.objects.values_list("status", "attempts", "response_code")) == {("delivered", 1, 200)}


def test_a_signature_older_than_five_minutes_is_refused():
    body = b'{"event":"answer.saved"}'
    header = sign("s3cret", 1_700_000_000, body)
    assert verify_signature("s3cret", header, body, now=1_700_000_000 + 299)
    assert not verify_signature("s3cret", header, body, now=1_700_000_000 + 301)
    assert not verify_signature("s3cret", "t=abc,v1=00", body)


def test_milestones_and_improvement_items_are_told_too(
    review, alice, receiver, django_capture_on_commit_callbacks, serverless_rules
):
    webhook_create(
        workload=review.workload, user=alice, url=receiver.url, events=["milestone.taken", "improvement.changed"]
    )
    review.workload.refresh_from_db()
    from reviewapp.improvements import improvement_update

    choice = load_bank(review.lens).questions[0].choices[0]
    with django_capture_on_commit_callbacks(execute=True):
        milestone_create(review=review, name="Before the workshop", user=alice)
        improvement_update(
            review=review, choice=choice, user=alice, status="in_progress", owner=alice, due_date=None, note=""
        )
        _save(review, load_bank(review.lens).questions[0].key, [], alice)  # not listened to

    assert receiver.events() == ["milestone.taken", "improvement.changed"]
    item = json.loads(receiver.received[1]["body"])["data"]
    assert (item["practice"], item["status"], item["owner"]) == (choice.key, "in_progress", "alice")


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_retried_until_it_answers_then_sent_again_on_request(review, alice, receiver, settings):
    settings.TASKS = DATABASE_QUEUE
    receiver.codes = [500, 503, 200]
    webhook_create(workload=review.workload, user=alice, url=receiver.url, events=["answer.saved"])
    review.workload.refresh_from_db()

    _save(review, load_bank(review.lens).questions[0].key, [], alice)
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1, verbosity=0)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == ("delivered", 3, 200, "")
    ids = {r["headers"]["X-WA-Delivery"] for r in receiver.received}
    assert len(receiver.received) == 3 and ids == {str(delivery.delivery_id)}  # the same delivery, tried 3 times

    client = _owner_client(alice)
    page = client.get(reverse("reviewapp:webhook_list", args=[review.workload.pk])).content.decode()
    assert "Delivered" in page and "answer.saved" in page
    client.post(reverse("reviewapp:webhook_resend", args=[review.workload.pk, delivery.pk]))
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1, verbosity=0)

    assert len(receiver.received) == 4
    assert receiver.received[3]["body"] == receiver.received[0]["body"]  # the same payload
    assert receiver.received[3]["headers"]["X-WA-Delivery"] != str(delivery.delivery_id)
    assert WebhookDelivery.objects.filter(resent_from=delivery, status="delivered").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_never_answers_2xx_is_given_up_with_the_reason(review, alice, receiver, settings):
    settings.TASKS = DATABASE_QUEUE
    receiver.codes = [302]  # a redirect is not followed (it could point anywhere)
    webhook_create(workload=review.workload, user=alice, url=receiver.url, events=["answer.saved"])
    review.workload.refresh_from_db()

    _save(review, load_bank(review.lens).questions[0].key, [], alice)
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1, verbosity=0)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.error) == (
        "failed",
        3,
        302,
        "HTTP 302",
    )
    page = _owner_client(alice).get(reverse("reviewapp:webhook_list", args=[review.workload.pk])).content.decode()
    assert "Gave up" in page and "HTTP 302" in page


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
    ],
)
def test_private_and_local_addresses_are_refused(workload, alice, url):
    response = _owner_client(alice).post(
        reverse("reviewapp:webhook_list", args=[workload.pk]), {"url": url, "events": ["answer.saved"]}
    )

    assert response.status_code == 400
    assert "private or local address" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_scheme_other_than_http_is_refused(workload, alice):
    response = _owner_client(alice).post(
        reverse("reviewapp:webhook_list", args=[workload.pk]),
        {"url": "ftp://example.com/x", "events": ["answer.saved"]},
    )
    assert response.status_code == 400 and not Webhook.objects.exists()


def test_only_owners_see_and_change_webhooks(workload, alice, bob, vera, charlie, receiver):
    webhook = webhook_create(workload=workload, user=alice, url=receiver.url, events=["answer.saved"])
    list_url = reverse("reviewapp:webhook_list", args=[workload.pk])
    delete_url = reverse("reviewapp:webhook_delete", args=[workload.pk, webhook.pk])
    for user, status in [(bob, 403), (vera, 403), (charlie, 404)]:
        client = _owner_client(user)
        assert client.get(list_url).status_code == status
        assert client.post(list_url, {"url": receiver.url, "events": ["answer.saved"]}).status_code == status
        assert client.post(delete_url).status_code == status
    assert Webhook.objects.count() == 1

    _owner_client(alice).post(delete_url)

    assert not Webhook.objects.exists()
    assert Workload.objects.get(pk=workload.pk).webhook_events == []


def test_an_ended_session_reaches_the_receiver_signed(review, alice, bob, receiver, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from reviewapp.sessions.planning import AgendaEntry, session_plan
    from reviewapp.sessions.running import session_end, session_next, session_start

    webhook = webhook_create(workload=review.workload, user=alice, url=receiver.url, events=["session.ended"])
    review.workload.refresh_from_db()
    session = session_plan(
        review=review,
        user=alice,
        title="Workshop 1",
        planned_start=timezone.now(),
        facilitator=alice,
        agenda=[AgendaEntry("question:p1_q1", 10), AgendaEntry("pillar:p2", 20)],
        expected=[alice, bob],
    )

    with django_capture_on_commit_callbacks(execute=True):
        session = session_start(session=session, user=alice)
        session = session_next(session=session, user=alice)
        session = session_end(session=session, user=alice)

    assert receiver.events() == ["session.ended"]  # starting and moving on are not told
    request = receiver.received[0]
    assert verify_signature(webhook.secret, request["headers"][SIGNATURE_HEADER], request["body"])
    payload = json.loads(request["body"])
    assert payload["event"] == "session.ended"
    assert payload["data"]["session"] == session.pk and payload["data"]["title"] == "Workshop 1"
    assert payload["data"]["review"] == review.pk and payload["data"]["by"] == "alice"
    assert payload["data"]["ended_at"] == session.ended_at.isoformat()
    assert WebhookDelivery.objects.get().status == "delivered"
