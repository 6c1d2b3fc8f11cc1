"""The issue tracker page and what the plan page shows of it (views/trackers.py, views/plans.py).

Only owners connect, sync or disconnect; the token is write-only (never in a page, the database
in clear, or the logs); a refused connection says why in words and saves nothing; each item on
the plan links to its issue with its last sync and any error in words.
"""

import hashlib
import hmac
import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from reviewapp.models import ImprovementItem, TrackedIssue, TrackerConnection
from reviewapp.trackers.connecting import tracker_disconnect

from .test_trackers import _connect, _item, _save
from .tracker_fakes import FakeTracker

TOKEN = "tok-good-1234567890"


@pytest.fixture
def fake(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.TRACKER_RETRY_DELAYS = [0]
    server = FakeTracker(token=TOKEN)
    yield server
    server.close()


@pytest.fixture
def risky_review(review, alice):
    _save(review, "p1_q1", ["p1_q1_no"], alice)
    return review


def _client(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _form(fake, **changes) -> dict:
    return {"kind": "github", "base_url": fake.url, "project": "acme/shop", "token": TOKEN, "risks": "high"} | changes


def test_an_owner_connects_and_the_token_is_never_shown_stored_in_clear_or_logged(
    risky_review, alice, fake, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    client = _client(alice)
    url = reverse("reviewapp:tracker_settings", args=[risky_review.workload_id])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form(fake))
    assert response.status_code == 302

    page = client.get(url).content.decode()
    assert "Connected. The improvement items are being synced." in page
    assert "acme/shop" in page and "3 issues linked" in page
    assert TOKEN not in page
    connection = TrackerConnection.objects.get()
    assert TOKEN not in connection.token_encrypted and connection.created_by == alice
    assert connection.site_url == "http://testserver/" and connection.language == "en"
    assert len(fake.issues) == 3
    assert f"http://testserver/reviews/{risky_review.pk}/plan/#practice-p1_q1_a1" in fake.issues[1]["body"]
    assert TOKEN not in caplog.text


def test_a_refused_token_says_so_in_words_and_saves_nothing(risky_review, alice, fake, caplog):
    caplog.set_level(logging.DEBUG)
    url = reverse("reviewapp:tracker_settings", args=[risky_review.workload_id])

    response = _client(alice).post(url, _form(fake, token="tok-expired-555"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "GitHub refused the token (401): reconnect with a new token." in page
    assert "tok-expired-555" not in page and "tok-expired-555" not in caplog.text
    assert not TrackerConnection.objects.exists() and not fake.issues


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"project": "shop"}, "A GitHub repository is owner/name."),
        ({"kind": "jira", "base_url": "", "project": "SHOP"}, "Give the address of your Jira site."),
        ({"kind": "jira", "project": "shop"}, "A Jira project key is like SHOP."),
        ({"token": ""}, "This field is required."),
        ({"base_url": "http://10.0.0.8/"}, "private or local address"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(risky_review, alice, fake, changes, message):
    url = reverse("reviewapp:tracker_settings", args=[risky_review.workload_id])
    response = _client(alice).post(url, _form(fake, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TrackerConnection.objects.exists()


def test_only_owners_connect_sync_and_disconnect(risky_review, alice, bob, vera, charlie, fake):
    workload_pk = risky_review.workload_id
    urls = {
        name: reverse(f"reviewapp:{name}", args=[workload_pk])
        for name in ("tracker_settings", "tracker_sync", "tracker_disconnect")
    }
    for user, status in [(bob, 403), (vera, 403), (charlie, 404)]:
        client = _client(user)
        assert client.get(urls["tracker_settings"]).status_code == status
        assert client.post(urls["tracker_settings"], _form(fake)).status_code == status
        assert client.post(urls["tracker_sync"]).status_code == status
        assert client.post(urls["tracker_disconnect"]).status_code == status
    assert not TrackerConnection.objects.exists() and not fake.requests
    assert _client(alice).get(urls["tracker_sync"]).status_code == 405
    detail = reverse("reviewapp:workload_detail", args=[workload_pk])
    assert urls["tracker_settings"] in _client(alice).get(detail).content.decode()
    assert urls["tracker_settings"] not in _client(bob).get(detail).content.decode()


def test_the_plan_shows_each_issue_its_last_sync_and_errors_in_words(
    risky_review, alice, bob, fake, django_capture_on_commit_callbacks
):
    settings_url = reverse("reviewapp:tracker_settings", args=[risky_review.workload_id])
    with django_capture_on_commit_callbacks(execute=True):
        _client(alice).post(settings_url, _form(fake))
    plan_url = reverse("reviewapp:plan", args=[risky_review.pk])

    page = _client(bob).get(plan_url).content.decode()  # members see the links too
    assert f'href="{fake.url}/acme/shop/issues/1"' in page and "GitHub #1" in page and "synced " in page

    fake.token = "tok-rotated"  # the token was revoked in GitHub
    with django_capture_on_commit_callbacks(execute=True):
        _client(alice).post(reverse("reviewapp:tracker_sync", args=[risky_review.workload_id]))
    page = _client(bob).get(plan_url).content.decode()
    assert page.count("GitHub refused the token (401): reconnect with a new token.") == 1 + 3  # the plan, each item
    assert settings_url not in page  # contributors cannot reconnect; the owner's plan links there
    assert settings_url in _client(alice).get(plan_url).content.decode()


def test_sync_now_pulls_closed_issues_and_disconnect_forgets_the_links(
    risky_review, alice, fake, django_capture_on_commit_callbacks
):
    workload_pk = risky_review.workload_id
    client = _client(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviewapp:tracker_settings", args=[workload_pk]), _form(fake))
    fake.set_closed(2, True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviewapp:tracker_sync", args=[workload_pk]), follow=True)
    assert "Sync queued" in response.content.decode()
    assert ImprovementItem.objects.get(tracked_issue__key="2").status == "done"

    response = client.post(reverse("reviewapp:tracker_disconnect", args=[workload_pk]), follow=True)
    assert "The issues stay in the tracker" in response.content.decode()
    assert not TrackerConnection.objects.exists() and not TrackedIssue.objects.exists()
    plan = client.get(reverse("reviewapp:plan", args=[risky_review.pk])).content.decode()
    assert "GitHub #" not in plan and _item(risky_review, "p1_q1_a2").status == "done"


def _hook_call(connection, payload: dict, *, secret: str | None = None):
    body = json.dumps(payload).encode()
    secret = secret if secret is not None else connection.hook_secret
    if connection.kind == "gitlab":
        headers = {"X-Gitlab-Token": secret, "X-Gitlab-Event": "Issue Hook"}
    else:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        header = "X-Hub-Signature-256" if connection.kind == "github" else "X-Hub-Signature"
        headers = {header: f"sha256={digest}"}
    url = reverse("reviewapp:tracker_hook", args=[connection.hook_id])
    return Client().post(url, body, content_type="application/json", headers=headers)  # not signed in


PAYLOADS = {
    "github": lambda n: {"action": "closed", "issue": {"number": n, "state": "closed"}},
    "gitlab": lambda n: {"object_kind": "issue", "object_attributes": {"iid": n, "action": "close"}},
    "jira": lambda n: {"webhookEvent": "jira:issue_updated", "issue": {"key": f"WA-{n}"}},
}


@pytest.mark.parametrize("kind", ["github", "gitlab", "jira"])
def test_the_trackers_signed_webhook_marks_the_item_done_at_once(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    connection = _connect(risky_review, alice, fake, kind, capture=django_capture_on_commit_callbacks)
    fake.set_closed(2, True)

    with django_capture_on_commit_callbacks(execute=True):
        forged = _hook_call(connection, PAYLOADS[kind](2), secret="not-the-secret")
    assert forged.status_code == 403
    assert ImprovementItem.objects.get(tracked_issue__key__endswith="2").status == "open"

    with django_capture_on_commit_callbacks(execute=True):
        response = _hook_call(connection, PAYLOADS[kind](2))
    assert (response.status_code, response.json()) == (202, {"queued": True})
    assert ImprovementItem.objects.get(tracked_issue__key__endswith="2").status == "done"

    other = _hook_call(connection, PAYLOADS[kind](99))  # not one of ours
    assert (other.status_code, other.json()) == (200, {"queued": False})


def test_the_webhook_of_no_connection_or_a_get_is_refused(
    risky_review, alice, fake, django_capture_on_commit_callbacks
):
    connection = _connect(risky_review, alice, fake, capture=django_capture_on_commit_callbacks)
    url = reverse("reviewapp:tracker_hook", args=[connection.hook_id])
    assert Client().get(url).status_code == 405
    tracker_disconnect(connection=connection)
    assert _hook_call(connection, PAYLOADS["github"](1)).status_code == 404


def test_owners_see_the_webhook_address_and_secret(risky_review, alice, fake, django_capture_on_commit_callbacks):
    connection = _connect(risky_review, alice, fake, capture=django_capture_on_commit_callbacks)
    page = _client(alice).get(reverse("reviewapp:tracker_settings", args=[risky_review.workload_id])).content.decode()
    assert f"http://testserver/trackers/hooks/{connection.hook_id}/" in page and connection.hook_secret in page
