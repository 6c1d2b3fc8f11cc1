"""The issue tracker in the API: the connection read without its token, a sync queued by owners, items' issues."""

import pytest
from django.utils import translation

from tests.reviewapp.test_trackers import _connect, _save
from tests.reviewapp.tracker_fakes import FakeTracker

TOKEN = "tok-good-1234567890"


@pytest.fixture
def fake(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.TRACKER_RETRY_DELAYS = [0]
    server = FakeTracker(token=TOKEN)
    yield server
    server.close()


@pytest.fixture
def connected(review, alice, fake, django_capture_on_commit_callbacks):
    _save(review, "p1_q1", ["p1_q1_no"], alice)
    with translation.override("en"):
        return _connect(review, alice, fake, "gitlab", capture=django_capture_on_commit_callbacks)


def test_members_read_the_connection_but_never_its_token(connected, review, api_for, bob, charlie, fake):
    url = f"/api/v1/workloads/{review.workload_id}/tracker/"

    response = api_for(bob).get(url)

    data = response.json()
    assert (data["kind"], data["project"], data["base_url"], data["risks"]) == ("gitlab", "acme/shop", fake.url, "high")
    assert (data["linked_issues"], data["error"], data["error_message"], data["created_by"]) == (3, "", "", "alice")
    assert TOKEN not in response.content.decode() and "token" not in " ".join(data)
    assert api_for(charlie).get(url).status_code == 404


def test_a_workload_without_a_tracker_answers_404_in_words(review, api_for, alice):
    response = api_for(alice).get(f"/api/v1/workloads/{review.workload_id}/tracker/")
    assert response.status_code == 404
    assert "not connected to an issue tracker" in response.content.decode()


def test_owners_queue_a_sync_and_others_may_not(
    connected, review, api_for, alice, bob, fake, django_capture_on_commit_callbacks
):
    url = f"/api/v1/workloads/{review.workload_id}/tracker/sync/"
    fake.set_closed(1, True)
    assert api_for(bob).post(url).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(alice).post(url)

    assert response.status_code == 202 and response.json() == {"queued": True}
    items = api_for(bob).get(f"/api/v1/reviews/{review.pk}/improvement-plan/").json()[0]["items"]
    first = next(item for item in items if item["tracker_issue"]["key"] == "1")
    assert first["status"] == "done"
    assert first["tracker_issue"]["url"] == f"{fake.url}/acme/shop/-/issues/1"
    assert first["tracker_issue"]["state"] == "closed" and first["tracker_issue"]["error"] is None


def test_an_item_shows_its_sync_error_in_words(connected, review, api_for, alice, fake):
    from reviewapp.trackers.sync import sync_tracker_workload

    fake.token = "tok-revoked"
    sync_tracker_workload.call(workload_pk=review.workload_id)

    items = api_for(alice).get(f"/api/v1/reviews/{review.pk}/improvement-plan/").json()[0]["items"]
    assert {item["tracker_issue"]["error"] for item in items} == {"auth"}
    assert items[0]["tracker_issue"]["error_message"] == "GitLab refused the token (401): reconnect with a new token."
    patched = api_for(alice).patch(
        f"/api/v1/reviews/{review.pk}/improvement-plan/{items[0]['choice']}/",
        {"status": "in_progress"},
        content_type="application/json",
    )
    assert patched.json()["tracker_issue"]["error"] == "auth"
