"""Issue trackers (reviewapp/trackers/): items synced as GitHub, GitLab and Jira issues, against a local fake.

What an owner cares about: one issue per item, saying what to do and linking back; an item done
here closes its issue and an issue closed there marks the item done; rate limits and outages are
retried without ever making a second issue; a revoked token, a deleted issue or item, and a
disconnected workload each end in a clear state.
"""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.improvements import improvement_update
from reviewapp.models import ImprovementItem, TrackedIssue, TrackerConnection
from reviewapp.trackers.connecting import TrackerRefused, tracker_connect, tracker_disconnect
from reviewapp.trackers.encryption import decrypt_token, encrypt_token
from reviewapp.trackers.errors import sync_error_text
from reviewapp.trackers.sync import pull_all_connected_workloads, sync_tracker_item, sync_tracker_workload

from .tracker_fakes import PROJECTS, FakeTracker, issue_number

KINDS = ["github", "gitlab", "jira"]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def fake(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the administrator allows the loopback fake
    settings.TRACKER_RETRY_DELAYS = [0, 0]
    server = FakeTracker()
    yield server
    server.close()


def _save(review, key, choices, user):
    item = load_bank(review.lens).by_key[key]
    return answer_save(review=review, item=item, user=user, state=AnswerState(choices=frozenset(choices)))


@pytest.fixture
def risky_review(review, alice):
    """p1_q1 at high risk (items a1, a2, a3), p1_q2 at medium risk (items a2, a3)."""
    _save(review, "p1_q1", ["p1_q1_no"], alice)
    _save(review, "p1_q2", ["p1_q2_a1"], alice)
    return review


def _connect(review, alice, fake, kind="github", risks="high", capture=None, token=None):
    kwargs = dict(
        workload=review.workload,
        user=alice,
        kind=kind,
        base_url=fake.url,
        project=PROJECTS[kind],
        token=token or fake.token,
        risks=risks,
        language="en",
        site_url="https://wa.example.com/",
        username="owner@example.com" if kind == "jira" else "",
    )
    with capture(execute=True):
        return tracker_connect(**kwargs)


def _item(review, key) -> ImprovementItem:
    return ImprovementItem.objects.select_related("tracked_issue").get(review=review, choice__key=key)


@pytest.mark.parametrize("kind", KINDS)
def test_it_creates_one_issue_per_item_saying_what_to_do(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    _connect(risky_review, alice, fake, kind, risks="high", capture=django_capture_on_commit_callbacks)

    assert len(fake.issues) == 3  # the high-risk question's three practices; medium is not synced
    item = _item(risky_review, "p1_q1_a2")
    tracked = item.tracked_issue
    issue = fake.issues[issue_number(kind, tracked.key)]
    assert issue["title"] == "[P1 1] Practice 2"
    assert "Do practice 2." in issue["body"] and "Question 1.1?" in issue["body"]
    assert f"https://wa.example.com/reviews/{risky_review.pk}/plan/#practice-p1_q1_a2" in issue["body"]
    assert f"wa-item:{item.pk}" in issue["body"]
    assert sorted(issue["labels"]) == ["pillar:p1", "risk:high", "well-architected"]
    assert tracked.url.startswith(fake.url) and tracked.state == "open" and tracked.error == ""
    assert tracked.synced_at is not None
    assert TrackerConnection.objects.get().last_synced_at is not None


@pytest.mark.parametrize("kind", KINDS)
def test_done_here_closes_the_issue_and_closed_there_marks_the_item_done(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    _connect(risky_review, alice, fake, kind, capture=django_capture_on_commit_callbacks)
    a1, a2 = _item(risky_review, "p1_q1_a1"), _item(risky_review, "p1_q1_a2")
    choice = a1.choice

    with django_capture_on_commit_callbacks(execute=True):  # done here → closed there, at once
        improvement_update(
            review=risky_review, choice=choice, user=alice, status="done", owner=None, due_date=None, note=""
        )
    assert fake.issues[issue_number(kind, a1.tracked_issue.key)]["closed"] is True

    fake.set_closed(issue_number(kind, a2.tracked_issue.key), True)  # closed there → done here
    assert sync_tracker_workload.call(workload_pk=risky_review.workload_id) == "synced"
    assert _item(risky_review, "p1_q1_a2").status == "done"

    fake.set_closed(issue_number(kind, a2.tracked_issue.key), False)  # reopened there → open again
    sync_tracker_workload.call(workload_pk=risky_review.workload_id)
    assert _item(risky_review, "p1_q1_a2").status == "open"
    assert _item(risky_review, "p1_q1_a1").status == "done"  # nothing else moved
    assert fake.issues[issue_number(kind, a1.tracked_issue.key)]["closed"] is True
    assert len(fake.issues) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_a_changed_advice_or_risk_updates_the_issue_and_nothing_else_is_sent(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    _connect(risky_review, alice, fake, kind, risks="high_medium", capture=django_capture_on_commit_callbacks)
    assert len(fake.issues) == 5
    writes = fake.calls("PATCH") + fake.calls("PUT")

    sync_tracker_workload.call(workload_pk=risky_review.workload_id)  # nothing changed: reads only
    assert fake.calls("PATCH") + fake.calls("PUT") == writes

    _save(risky_review, "p1_q1", ["p1_q1_a1"], alice)  # high → medium
    choice = _item(risky_review, "p1_q1_a3").choice
    choice.improvement_plan_en = "Do practice 3, now with a checklist."
    choice.save()
    sync_tracker_workload.call(workload_pk=risky_review.workload_id)

    a3 = fake.issues[issue_number(kind, _item(risky_review, "p1_q1_a3").tracked_issue.key)]
    assert "now with a checklist" in a3["body"] and "risk:medium" in a3["labels"]
    a1 = fake.issues[issue_number(kind, _item(risky_review, "p1_q1_a1").tracked_issue.key)]
    assert a1["closed"] is True  # ticked in the answer: the item is done, so its issue closed
    assert len(fake.issues) == 5


@pytest.mark.django_db(transaction=True)
def test_a_rate_limit_is_retried_when_the_tracker_says(review, alice, fake, settings):
    _save(review, "p1_q1", ["p1_q1_no"], alice)
    settings.TASKS = DATABASE_QUEUE
    settings.TRACKER_RETRY_DELAYS = [30, 60]
    connection = _connect(review, alice, fake, "github", capture=_no_capture)
    fake.fail_next((429, {"Retry-After": "120"}))
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1, verbosity=0)

    connection.refresh_from_db()
    assert connection.last_error == "rate_limited" and connection.attempts == 1
    wait = (connection.retry_at - timezone.now()).total_seconds()
    assert 100 < wait <= 120  # the tracker's 120 s, not our 30 s
    text = sync_error_text(connection.last_error, kind="github", retry_at=connection.retry_at)
    assert text.startswith("GitHub is rate limiting us: retrying at ")
    assert not fake.issues

    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())  # the time has come
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1, verbosity=0)

    connection.refresh_from_db()
    assert (connection.last_error, connection.attempts, connection.retry_at) == ("", 0, None)
    assert len(fake.issues) == 3 and TrackedIssue.objects.exclude(key="").count() == 3


class _no_capture:
    def __init__(self, execute):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("kind", KINDS)
def test_a_tracker_that_is_down_is_retried_then_given_up_and_caught_up_later(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    connection = _connect(risky_review, alice, fake, kind, capture=_no_capture)  # checks the token, syncs nothing
    fake.down = True
    fake.requests.clear()

    assert sync_tracker_workload.call(workload_pk=risky_review.workload_id) == "unreachable"

    # Two delays: the first sync and two retries (run at once by the tests' immediate queue), then it gives up.
    assert len(fake.requests) == 3
    connection.refresh_from_db()
    assert (connection.last_error, connection.last_error_status, connection.retry_at) == ("unreachable", 503, None)
    tracked = _item(risky_review, "p1_q1_a1").tracked_issue
    assert tracked.error == "unreachable" and tracked.key == ""
    assert "is unreachable (HTTP 503)" in sync_error_text(tracked.error, kind=kind, status=tracked.error_status)

    fake.down = False
    sync_tracker_workload.call(workload_pk=risky_review.workload_id)
    assert len(fake.issues) == 3
    assert not TrackedIssue.objects.exclude(error="").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_after_a_lost_answer_never_creates_a_second_issue(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    fake.lose_create_answer = 1  # the first issue is made, but its answer is a 502
    _connect(risky_review, alice, fake, kind, capture=django_capture_on_commit_callbacks)

    assert len(fake.issues) == 3  # the retry found the first one by its marker
    keys = set(TrackedIssue.objects.values_list("key", flat=True))
    assert {issue_number(kind, key) for key in keys} == set(fake.issues)

    sync_tracker_workload.call(workload_pk=risky_review.workload_id)
    sync_tracker_item.call(item_pk=_item(risky_review, "p1_q1_a1").pk)
    assert len(fake.issues) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_a_revoked_token_is_not_retried_and_says_to_reconnect(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    connection = _connect(risky_review, alice, fake, kind, capture=django_capture_on_commit_callbacks)
    fake.token = "tok-new-0987654321"  # revoked: the stored one is refused now
    before = len(fake.requests)

    assert sync_tracker_workload.call(workload_pk=risky_review.workload_id) == "auth"

    assert len(fake.requests) == before + 1  # not retried
    connection.refresh_from_db()
    assert (connection.last_error, connection.last_error_status) == ("auth", 401)
    assert set(TrackedIssue.objects.values_list("error", flat=True)) == {"auth"}
    label = {"github": "GitHub", "gitlab": "GitLab", "jira": "Jira"}[kind]
    assert sync_error_text("auth", kind=kind, status=401) == (
        f"{label} refused the token (401): reconnect with a new token."
    )

    with pytest.raises(TrackerRefused, match="refused the token"):  # the old token cannot reconnect
        _connect(
            risky_review, alice, fake, kind, capture=django_capture_on_commit_callbacks, token="tok-good-1234567890"
        )
    _connect(risky_review, alice, fake, kind, capture=django_capture_on_commit_callbacks, token=fake.token)
    assert not TrackedIssue.objects.exclude(error="").exists()
    assert len(fake.issues) == 3  # the issues were kept: same tracker, same project


@pytest.mark.parametrize("kind", KINDS)
def test_an_issue_deleted_there_is_forgotten_then_made_again(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    _connect(risky_review, alice, fake, kind, capture=django_capture_on_commit_callbacks)
    tracked = _item(risky_review, "p1_q1_a1").tracked_issue
    fake.delete(issue_number(kind, tracked.key))

    sync_tracker_workload.call(workload_pk=risky_review.workload_id)
    tracked.refresh_from_db()
    assert (tracked.key, tracked.url, tracked.error) == ("", "", "gone")
    assert "was deleted in" in sync_error_text(tracked.error, kind=kind)

    sync_tracker_workload.call(workload_pk=risky_review.workload_id)
    tracked.refresh_from_db()
    assert tracked.key and tracked.error == "" and len(fake.issues) == 3


def test_an_item_deleted_here_is_not_synced_and_its_record_goes(
    risky_review, alice, fake, django_capture_on_commit_callbacks
):
    _connect(risky_review, alice, fake, capture=django_capture_on_commit_callbacks)
    item = _item(risky_review, "p1_q1_a1")
    before = len(fake.requests)
    item.delete()

    assert sync_tracker_item.call(item_pk=item.pk) == "disconnected"
    assert len(fake.requests) == before and TrackedIssue.objects.count() == 2


def test_a_disconnected_workload_forgets_its_issues_and_queued_jobs_send_nothing(
    risky_review, alice, fake, django_capture_on_commit_callbacks
):
    connection = _connect(risky_review, alice, fake, capture=django_capture_on_commit_callbacks)
    item = _item(risky_review, "p1_q1_a1")
    tracker_disconnect(connection=connection)
    before = len(fake.requests)

    assert sync_tracker_item.call(item_pk=item.pk) == "disconnected"
    assert sync_tracker_workload.call(workload_pk=risky_review.workload_id) == "disconnected"
    assert pull_all_connected_workloads.call() == 0
    assert len(fake.requests) == before
    assert not TrackedIssue.objects.exists() and len(fake.issues) == 3  # the issues stay in the tracker


def test_the_periodic_pull_and_the_command_sync_every_connected_workload(
    risky_review, alice, fake, django_capture_on_commit_callbacks
):
    _connect(risky_review, alice, fake, capture=django_capture_on_commit_callbacks)
    fake.set_closed(1, True)

    assert pull_all_connected_workloads.call() == 1
    assert ImprovementItem.objects.filter(tracked_issue__key="1").get().status == "done"

    fake.set_closed(2, True)
    call_command("sync_trackers", verbosity=0)
    assert ImprovementItem.objects.filter(tracked_issue__key="2").get().status == "done"


def test_private_addresses_and_unknown_projects_are_refused_and_nothing_is_saved(
    risky_review, alice, fake, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    with pytest.raises(TrackerRefused, match="private or local address"):
        _connect(risky_review, alice, fake, capture=django_capture_on_commit_callbacks)
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with pytest.raises(TrackerRefused, match="has no project acme/nope"):
        tracker_connect(
            workload=risky_review.workload,
            user=alice,
            kind="github",
            base_url=fake.url,
            project="acme/nope",
            token=fake.token,
            risks="high",
            language="en",
            site_url="https://wa.example.com/",
        )
    assert not TrackerConnection.objects.exists() and not fake.issues


def test_the_token_is_stored_encrypted_never_logged_and_keys_rotate(
    risky_review, alice, fake, settings, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    connection = _connect(risky_review, alice, fake, capture=django_capture_on_commit_callbacks)
    fake.fail_next((500, {}), (429, {"Retry-After": "1"}))
    sync_tracker_workload.call(workload_pk=risky_review.workload_id)
    fake.token = "tok-other"
    sync_tracker_workload.call(workload_pk=risky_review.workload_id)

    assert "tok-good-1234567890" not in caplog.text
    assert "tok-good" not in connection.token_encrypted
    assert decrypt_token(connection.token_encrypted) == "tok-good-1234567890"

    old_key = settings.TRACKER_TOKEN_KEYS[0]
    settings.TRACKER_TOKEN_KEYS = ["bmV3LXRyYWNrZXIta2V5LTAxMjM0NTY3ODlhYmNkZWY=", old_key]  # rotate: new first
    assert decrypt_token(connection.token_encrypted) == "tok-good-1234567890"
    assert decrypt_token(encrypt_token("x")) == "x"


@pytest.mark.parametrize("kind", KINDS)
def test_an_issue_already_there_with_the_items_marker_is_adopted_not_duplicated(
    risky_review, alice, fake, kind, django_capture_on_commit_callbacks
):
    item = _item(risky_review, "p1_q1_a1")
    fake.issues[7] = {"title": "Old", "body": f"Moved by hand. wa-item:{item.pk}", "labels": [], "closed": False}

    _connect(risky_review, alice, fake, kind, capture=django_capture_on_commit_callbacks)

    assert len(fake.issues) == 3 and issue_number(kind, _item(risky_review, "p1_q1_a1").tracked_issue.key) == 7
    assert fake.issues[7]["title"] == "[P1 1] Practice 1"  # and brought up to date


def test_jira_data_center_without_the_enhanced_search_is_searched_the_older_way(
    risky_review, alice, fake, django_capture_on_commit_callbacks
):
    fake.data_center = True
    fake.lose_create_answer = 1  # the retry must find the first issue by its marker
    _connect(risky_review, alice, fake, "jira", capture=django_capture_on_commit_callbacks)

    assert len(fake.issues) == 3
    assert ("GET", "/rest/api/2/search") in {(m, p.split("?")[0]) for m, p in fake.requests}
    assert not TrackedIssue.objects.exclude(error="").exists()


def test_a_token_no_key_can_read_says_to_reconnect(
    risky_review, alice, fake, settings, django_capture_on_commit_callbacks
):
    connection = _connect(risky_review, alice, fake, capture=django_capture_on_commit_callbacks)
    settings.TRACKER_TOKEN_KEYS = ["bmV3LXRyYWNrZXIta2V5LTAxMjM0NTY3ODlhYmNkZWY="]  # the old key was dropped
    before = len(fake.requests)

    assert sync_tracker_workload.call(workload_pk=risky_review.workload_id) == "token"
    assert sync_tracker_item.call(item_pk=_item(risky_review, "p1_q1_a1").pk) == "token"

    connection.refresh_from_db()
    assert connection.last_error == "token" and len(fake.requests) == before
    assert "TRACKER_TOKEN_KEYS changed" in sync_error_text("token", kind="github")


def test_githubs_403_rate_limit_and_a_dated_retry_after_are_rate_limits_with_their_wait(fake):
    from email.utils import format_datetime

    from reviewapp.trackers.clients import GitHubClient
    from reviewapp.trackers.errors import TrackerError

    client = GitHubClient(base_url=fake.url, project="acme/shop", token=fake.token)
    reset = int(timezone.now().timestamp()) + 300
    in_a_minute = format_datetime(timezone.now() + timedelta(seconds=60), usegmt=True)
    fake.fail_next(
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}),
        (429, {"Retry-After": in_a_minute}),
        (403, {}),
    )
    waits = []
    for _attempt in range(3):
        with pytest.raises(TrackerError) as raised:
            client.check()
        waits.append((raised.value.code, raised.value.retry_after))
    client.close()

    (first, wait_1), (second, wait_2), (third, wait_3) = waits
    assert first == second == "rate_limited" and 290 < wait_1 <= 300 and 50 < wait_2 <= 60
    assert (third, wait_3) == ("auth", None)  # a plain 403: the token may not do this


def test_issues_are_written_in_the_language_of_whoever_connected(
    risky_review, alice, fake, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tracker_connect(
            workload=risky_review.workload,
            user=alice,
            kind="gitlab",
            base_url=fake.url,
            project="acme/shop",
            token=fake.token,
            risks="high",
            language="ko",
            site_url="https://wa.example.com/",
        )

    issue = fake.issues[1]
    assert issue["title"] == "[P1 1] 모범 사례 1"
    assert "모범 사례 1 적용." in issue["body"] and "위험: 높은 위험 · 기둥 1" in issue["body"]
    assert "리뷰의 개선 계획: https://wa.example.com/reviews/" in issue["body"]
