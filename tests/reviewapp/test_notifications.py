"""Notifications (reviewapp/notifications/): who hears of each event, in the list and by mail, as
each person chose, in their language; the digest; the list page, the preferences page and the API.

Personas: alice owns the workload, bob contributes, vera views, charlie is an outsider.
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from questions.versions import lens_draft_create, lens_publish
from reviewapp.bank import load_bank
from reviewapp.comments import comment_add, comment_edit
from reviewapp.improvements import improvement_update
from reviewapp.models import EmailChoice, Notification, NotificationKind, NotificationPreference, PersonalSettings
from reviewapp.notifications.emails import digest_send, send_digests
from reviewapp.notifications.inbox import unread_count

SITE = "https://review.example.com/wa"  # tests/settings.py: SITE_URL, behind a path prefix


@pytest.fixture(autouse=True)
def _addresses(alice, bob, vera, charlie):
    for user in (alice, bob, vera, charlie):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (mails are queued then) as a request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _english(*users):
    for user in users:
        PersonalSettings.objects.update_or_create(user=user, defaults={"language": "en"})


def _assign(review, owner, by, *, key="p1_q1_a2", due=None):
    choice = load_bank(review.lens).practice(key)
    return improvement_update(review=review, choice=choice, user=by, status="open", owner=owner, due_date=due, note="")


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def _html(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


# Each event, to the right people only


def test_it_tells_the_new_owner_of_an_item_by_list_and_mail(review, alice, bob, vera, committed):
    _english(bob)
    with committed():
        _assign(review, bob, alice, due=date(2026, 12, 24))

    assert _kinds(bob) == [NotificationKind.ASSIGNED]
    assert _kinds(alice) == [] and _kinds(vera) == []
    (message,) = mail.outbox
    assert message.to == ["bob@example.com"]
    assert message.subject == "alice assigned you “Practice 2” in Shop, due Dec. 24, 2026."
    link = f"{SITE}/reviews/{review.pk}/plan/"
    assert link in message.body and f'href="{link}"' in _html(message)
    assert "alice assigned you" in _html(message) and message.extra_headers["Content-Language"] == "en"
    assert f"{SITE}/notifications/preferences/" in message.body


def test_it_does_not_tell_people_of_their_own_actions_or_of_an_unchanged_owner(review, alice, bob, committed):
    with committed():
        _assign(review, alice, alice)  # alice takes it herself
        _assign(review, bob, alice, key="p1_q1_a3")
        _assign(review, bob, bob, key="p1_q1_a3")  # bob saves it again: still his

    assert _kinds(alice) == []
    assert _kinds(bob) == [NotificationKind.ASSIGNED]
    assert len(mail.outbox) == 1


def test_it_mails_in_the_recipients_language(review, alice, bob, vera, committed):
    _english(vera)  # bob keeps the site's default, Korean
    with committed():
        _assign(review, bob, alice, key="p1_q1_a2")
        _assign(review, vera, alice, key="p1_q1_a3")

    (korean,) = _mails_to(bob)
    (english,) = _mails_to(vera)
    assert korean.subject == "alice 님이 Shop의 “모범 사례 2” 항목을 배정했습니다."
    assert "열기" in korean.body and 'lang="ko"' in _html(korean)
    assert english.subject == "alice assigned you “Practice 3” in Shop."
    assert "Open it" in english.body and 'lang="en"' in _html(english)


def test_a_comment_tells_the_mentioned_and_those_who_wrote_on_the_question(
    review, alice, bob, vera, charlie, committed
):
    _english(alice, bob, vera)
    with committed():
        comment_add(review=review, question_key="p1_q1", user=alice, body="We should check this.")
        comment_add(review=review, question_key="p1_q1", user=bob, body="Agreed, @vera and @charlie: have a look.")

    assert _kinds(vera) == [NotificationKind.MENTION]
    assert _kinds(alice) == [NotificationKind.COMMENT]
    assert _kinds(bob) == [] and _kinds(charlie) == []  # the author; an outsider named is not told
    (to_vera,) = _mails_to(vera)
    assert to_vera.subject == "bob mentioned you on P1 1 in Shop."
    assert "> Agreed, @vera and @charlie: have a look." in to_vera.body
    assert f"{SITE}/reviews/{review.pk}/questions/p1_q1/" in to_vera.body
    (to_alice,) = _mails_to(alice)
    assert to_alice.subject == "bob commented on P1 1 in Shop."


def test_an_edit_tells_only_the_newly_mentioned(review, alice, bob, vera, committed):
    with committed():
        comment = comment_add(review=review, question_key="p1_q1", user=bob, body="@vera look")
        comment_edit(comment=comment, user=bob, body="@vera and @alice look")

    assert _kinds(vera) == [NotificationKind.MENTION]
    assert _kinds(alice) == [NotificationKind.MENTION]


def test_sharing_a_workload_tells_the_person_added(workload, alice, charlie, client_for, committed):
    _english(charlie)
    with committed():
        response = client_for(alice).post(
            reverse("reviewapp:member_share", args=[workload.pk]), {"username": "charlie", "role": "viewer"}
        )
    assert response.status_code == 302

    (notification,) = Notification.objects.filter(recipient=charlie)
    assert notification.kind == NotificationKind.SHARED and notification.actor == alice
    (message,) = mail.outbox
    assert message.subject == "alice shared Shop with you (Viewer)."
    assert f"{SITE}/workloads/{workload.pk}/" in message.body
    assert _kinds(alice) == []


def test_a_new_lens_version_tells_the_owners_of_reviews_on_an_older_one(review, alice, bob, staff, committed):
    _english(alice)
    with committed():
        lens_publish(draft=lens_draft_create(lens=review.lens, user=staff), version="2", release_notes={}, user=staff)

    assert _kinds(alice) == [NotificationKind.NEWER_LENS]
    assert _kinds(bob) == []  # a contributor does not decide on upgrades
    (message,) = mail.outbox
    assert message.subject == "mini lens 2 is published: your review of Shop can move to it."
    assert f"{SITE}/reviews/{review.pk}/upgrade/" in message.body


# Preferences


def test_a_kind_turned_off_tells_nothing(review, alice, bob, committed):
    NotificationPreference.objects.create(user=bob, kind=NotificationKind.ASSIGNED, in_app=False, email="off")
    with committed():
        _assign(review, bob, alice)
        comment_add(review=review, question_key="p1_q1", user=alice, body="@bob see the plan")

    assert _kinds(bob) == [NotificationKind.MENTION]  # other kinds are still told
    assert [m.subject for m in mail.outbox] == ["alice 님이 Shop의 P1 1 댓글에서 회원님을 언급했습니다."]


def test_in_the_app_only_and_mail_only(review, alice, bob, vera, committed):
    NotificationPreference.objects.create(user=bob, kind=NotificationKind.ASSIGNED, in_app=True, email="off")
    NotificationPreference.objects.create(user=vera, kind=NotificationKind.ASSIGNED, in_app=False, email="immediate")
    with committed():
        _assign(review, bob, alice, key="p1_q1_a2")
        _assign(review, vera, alice, key="p1_q1_a3")

    assert unread_count(bob) == 1 and _mails_to(bob) == []
    assert unread_count(vera) == 0 and len(_mails_to(vera)) == 1


def test_the_preferences_page_saves_each_kind_and_the_language(bob, client_for, committed):
    client = client_for(bob)
    page = client.get(reverse("reviewapp:notification_preferences"))
    assert "An item of mine is overdue" in page.content.decode()
    data = {"language": "en"}
    for kind in NotificationKind:
        name = kind.replace(".", "_")
        data[f"email_{name}"] = "digest"
        data[f"in_app_{name}"] = "on"
    data["email_item_overdue"] = "off"
    del data["in_app_item_overdue"]

    response = client.post(reverse("reviewapp:notification_preferences"), data)

    assert response.status_code == 302
    assert PersonalSettings.objects.get(user=bob).language == "en"
    saved = dict(NotificationPreference.objects.filter(user=bob).values_list("kind", "email"))
    assert saved[NotificationKind.OVERDUE] == "off" and saved[NotificationKind.MENTION] == "digest"
    assert not NotificationPreference.objects.get(user=bob, kind=NotificationKind.OVERDUE).in_app


def test_the_preferences_page_refuses_a_bad_choice_and_keeps_what_was_saved(bob, client_for):
    NotificationPreference.objects.create(user=bob, kind=NotificationKind.MENTION, email="digest")
    response = client_for(bob).post(
        reverse("reviewapp:notification_preferences"), {"language": "fr", "email_mention": "carrier-pigeon"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert NotificationPreference.objects.get(user=bob, kind=NotificationKind.MENTION).email == "digest"
    assert not PersonalSettings.objects.filter(user=bob).exists()


# The digest


def test_digest_mode_gathers_the_days_events_in_one_mail(review, alice, bob, committed):
    _english(bob)
    for kind in (NotificationKind.ASSIGNED, NotificationKind.MENTION):
        NotificationPreference.objects.create(user=bob, kind=kind, email=EmailChoice.DIGEST)
    with committed():
        _assign(review, bob, alice, key="p1_q1_a2")
        _assign(review, bob, alice, key="p1_q1_a3")
        comment_add(review=review, question_key="p1_q1", user=alice, body="@bob both are yours")
    assert mail.outbox == []  # nothing at once
    assert unread_count(bob) == 3  # the list has them meanwhile

    assert send_digests.call() == 1
    assert send_digests.call() == 0  # run again the same day (another worker, a second scheduler)

    (message,) = mail.outbox
    assert message.subject == "Your daily digest: 3 notifications"
    assert message.body.startswith("What happened since your last digest")
    for text in ("“Practice 2” in Shop", "“Practice 3” in Shop", "alice mentioned you on P1 1 in Shop."):
        assert text in message.body and text in _html(message)
    assert "  > @bob both are yours" in message.body
    assert set(Notification.objects.filter(recipient=bob).values_list("email_state", flat=True)) == {"sent"}


def test_events_after_the_days_digest_wait_for_the_next_one(review, alice, bob, committed):
    NotificationPreference.objects.create(user=bob, kind=NotificationKind.ASSIGNED, email=EmailChoice.DIGEST)
    today = date(2026, 12, 2)
    _assign(review, bob, alice, key="p1_q1_a2")
    assert digest_send(user_id=bob.pk, day=today)
    _assign(review, bob, alice, key="p1_q1_a3")

    assert not digest_send(user_id=bob.pk, day=today)
    assert digest_send(user_id=bob.pk, day=today + timedelta(days=1))
    assert [m.subject for m in mail.outbox] == ["오늘의 알림 모음: 1건", "오늘의 알림 모음: 1건"]


# The list, its count in the header, marking read


def test_the_list_shows_ones_own_notifications_and_the_unread_count(review, alice, bob, vera, client_for, committed):
    with committed():
        _assign(review, bob, alice, key="p1_q1_a2")
        comment_add(review=review, question_key="p1_q1", user=alice, body="@bob and @vera, please")

    page = client_for(bob).get(reverse("reviewapp:notification_list")).content.decode()

    assert "alice assigned you “Practice 2” in Shop." in page
    assert "alice mentioned you on P1 1 in Shop." in page and "@bob and @vera, please" in page
    assert '<span class="nav-count" title="Unread">2</span>' in page
    assert f'href="/reviews/{review.pk}/plan/"' in page
    assert "Practice" not in client_for(vera).get(reverse("reviewapp:notification_list")).content.decode()


def test_marking_read_one_then_all(review, alice, bob, vera, client_for, committed):
    with committed():
        _assign(review, bob, alice, key="p1_q1_a2")
        _assign(review, bob, alice, key="p1_q1_a3")
        _assign(review, vera, alice, key="p1_q2_a2")
    first, second = Notification.objects.filter(recipient=bob).order_by("pk")
    theirs = Notification.objects.get(recipient=vera)
    client = client_for(bob)
    client.get(reverse("reviewapp:workload_list"))  # the count is cached by a page view

    client.post(reverse("reviewapp:notification_read", args=[first.pk]))
    assert client.post(reverse("reviewapp:notification_read", args=[theirs.pk])).status_code == 404  # not his

    assert Notification.objects.filter(read_at__isnull=False).get() == first
    assert (
        '<span class="nav-count" title="Unread">1</span>'
        in client.get(reverse("reviewapp:workload_list")).content.decode()
    )
    response = client.post(reverse("reviewapp:notification_read_all"), follow=True)
    assert "1 notification marked read." in response.content.decode()
    assert Notification.objects.get(pk=second.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "nav-count" not in client.get(reverse("reviewapp:workload_list")).content.decode()
    assert client.get(reverse("reviewapp:notification_read_all")).status_code == 405


def test_the_header_count_costs_no_query_once_cached(review, alice, bob, client_for):
    _assign(review, bob, alice)
    client = client_for(bob)
    client.get(reverse("reviewapp:token_list"))

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("reviewapp:token_list")).content.decode()
    assert '<span class="nav-count" title="Unread">1</span>' in page
    assert not [q for q in queries if "reviewapp_notification" in q["sql"]]


# The API


def test_the_api_lists_ones_notifications_and_marks_them_read(review, alice, bob, vera, client_for, committed):
    with committed():
        _assign(review, bob, alice, key="p1_q1_a2")
        _assign(review, bob, alice, key="p1_q1_a3")
        _assign(review, vera, alice, key="p1_q2_a2")
    client = client_for(bob)

    listed = client.get(reverse("api:notification-list")).json()
    assert listed["count"] == 2
    first = listed["results"][0]
    assert first["kind"] == "item.assigned" and first["actor"] == "alice" and first["read"] is False
    assert first["text"] == "alice assigned you “Practice 3” in Shop."
    assert first["url"] == f"{SITE}/reviews/{review.pk}/plan/"

    marked = client.post(reverse("api:notifications-read"), {"ids": [first["id"]]}, content_type="application/json")
    assert marked.json() == {"marked": 1, "unread": 1}
    assert client.get(reverse("api:notification-list") + "?unread=true").json()["count"] == 1
    neither = client.post(reverse("api:notifications-read"), {}, content_type="application/json")
    assert neither.status_code == 400 and "Give either ids or all: true." in neither.json()["error"]
    everything = client.post(reverse("api:notifications-read"), {"all": True}, content_type="application/json")
    assert everything.json() == {"marked": 1, "unread": 0}
    assert Notification.objects.get(recipient=vera).read_at is None

    bad = client.post(reverse("api:notifications-read"), {"ids": ["x"]}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["details"] == {"ids": {"0": ["A valid integer is required."]}}
    assert client_for(None).get(reverse("api:notification-list")).status_code in (401, 403)


def test_a_comments_markup_reaches_the_html_mail_and_the_list_as_text(review, alice, bob, client_for, committed):
    with committed():
        comment_add(review=review, question_key="p1_q1", user=alice, body='@bob <img src=x onerror="alert(1)"> & co')

    (message,) = mail.outbox
    assert '> @bob <img src=x onerror="alert(1)"> & co' in message.body  # plain text stays as written
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co" in _html(message)
    assert "<img" not in _html(message)
    page = client_for(bob).get(reverse("reviewapp:notification_list")).content.decode()
    assert "&lt;img src=x" in page and "<img src=x" not in page


def test_the_system_check_warns_without_a_site_url(settings):
    from reviewapp.checks import check_site_url

    assert check_site_url() == []
    settings.SITE_URL = ""
    assert [message.id for message in check_site_url()] == ["reviewapp.W004"]
