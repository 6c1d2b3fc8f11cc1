"""The live view of a review (views/live.py, presence.py): polls, presence and facilitator mode.

The browser tests (tests/browser/test_live.py) drive two real pages; these call the poll
directly and look at what it answers and what it costs.
"""

import html
import json
import re

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reviewapp import presence
from reviewapp.access import live_access
from reviewapp.facilitation import review_facilitator_set
from reviewapp.models import Review, Role

from ..factories import answer_data_in

HTMX = {"HTTP_HX_REQUEST": "true"}
CACHED_DB = "config.sessions"


@pytest.fixture(autouse=True)
def _no_presence():
    """Presence lives in the (process-wide) cache: start each test with nobody there."""
    cache.clear()
    yield
    cache.clear()


def _live_url(review) -> str:
    return reverse("reviewapp:review_live", args=[review.pk])


def poll(client, review, page: str = "review", **params):
    return client.get(_live_url(review), {"page": page, **params}, **HTMX)


def next_params(response) -> dict:
    """What the page sends with its next poll: the ``hx-vals`` of the poller in the response."""
    found = re.search(r"<div id=\"live\"[^>]*hx-vals='([^']*)'", response.content.decode())
    assert found, response.content.decode()
    return json.loads(html.unescape(found.group(1)))


def _save(client, review, key: str, version: int = 0, **data):
    url = reverse("reviewapp:answer_save", args=[review.pk])
    response = client.post(url, {"question": key, "version": version, **data}, **HTMX)
    assert response.status_code == 200, response.content
    return response


def _login_redirect(review) -> str:
    return f"{reverse('login')}?next={reverse('reviewapp:review_detail', args=[review.pk])}"


@pytest.fixture
def as_alice(client_for, alice):
    return client_for(alice)


@pytest.fixture
def as_bob(client_for, bob):
    return client_for(bob)


@pytest.fixture
def as_vera(client_for, vera):
    return client_for(vera)


# --- Nothing changed: 204 after one query ------------------------------------------------------


def test_it_answers_204_after_one_query_when_nothing_changed(
    review, alice, client_for, settings, django_assert_num_queries
):
    # Sessions are read from the cache (config.sessions, a cached_db), so the poll is the review query alone.
    assert settings.SESSION_ENGINE == CACHED_DB
    client = client_for(alice)
    params = next_params(poll(client, review, page="question:p1_q1"))

    with django_assert_num_queries(1) as queries:
        response = poll(client, review, **params)

    assert response.status_code == 204
    assert response.content == b""
    assert '"reviewapp_review"' in queries.captured_queries[0]["sql"]
    assert "no-store" in response["Cache-Control"]


def test_it_adds_only_the_session_read_with_database_sessions(
    review, alice, client_for, settings, django_assert_num_queries
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"  # sign in after switching
    as_alice = client_for(alice)
    params = next_params(poll(as_alice, review, page="pillar:p1"))

    with django_assert_num_queries(2) as queries:
        response = poll(as_alice, review, **params)

    assert response.status_code == 204
    assert '"django_session"' in queries.captured_queries[0]["sql"]


def test_a_changed_refresh_never_loads_the_signed_in_user(review, alice, bob, client_for):
    """The fragments show no header: neither the user row nor the unread notifications are read."""
    as_alice = client_for(alice)
    params = next_params(poll(as_alice, review, page="question:p1_q1"))
    _save(client_for(bob), review, "p1_q1", choices=["p1_q1_a1"])

    with CaptureQueriesContext(connection) as queries:
        response = poll(as_alice, review, **params)

    assertContains(response, 'id="answer-data-p1_q1"')
    sql = [q["sql"] for q in queries.captured_queries]
    # The session check reads the account inside the review's query; the user row alone is never loaded.
    assert not [q for q in sql if q.startswith('SELECT "auth_user"."id"')], sql
    assert not [q for q in sql if "reviewapp_notification" in q], sql


def test_it_keeps_answering_204_until_something_changes(review, as_alice):
    params = next_params(poll(as_alice, review, page="question:p1_q1"))

    assert [poll(as_alice, review, **params).status_code for _ in range(3)] == [204, 204, 204]


@pytest.mark.parametrize(
    "change",
    [
        {"rev": "0"},
        {"rev": ""},
        {"rev": "x"},
        {"rev": "\u00b2"},
        {"rev": "9" * 30},
        {"seen": "stale-token"},
        {"lead": "p2_q1"},
    ],
    ids=[
        "older-revision",
        "no-revision",
        "bad-revision",
        "superscript-revision",
        "huge-revision",
        "other-people",
        "other-lead",
    ],
)
def test_it_answers_200_when_the_page_is_behind(review, as_alice, as_bob, change):
    _save(as_bob, review, "p2_q1")  # revision 1
    params = next_params(poll(as_alice, review, page="question:p1_q1"))
    assert poll(as_alice, review, **params).status_code == 204

    response = poll(as_alice, review, **{**params, **change})

    assert response.status_code == 200
    assert next_params(response) == params


# --- Someone else saved: only what changed --------------------------------------------------------


def test_it_sends_only_the_fragments_of_the_question_that_changed(review, as_alice, as_bob):
    params = next_params(poll(as_alice, review, page="pillar:p1"))

    _save(as_bob, review, "p1_q1", choices=["p1_q1_a1"], notes="from bob")
    response = poll(as_alice, review, **params)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assertContains(response, '<div id="status-p1_q1" class="status" data-version="1" hx-swap-oob="true">')
    assertContains(response, "Saved by bob")
    data = answer_data_in(response, "p1_q1")  # as data: the page decides whether the fields may take it
    assert (data["version"], data["choices"], data["notes"], data["by"]) == (1, ["p1_q1_a1"], "from bob", "bob")
    assertContains(response, '<template><div class="markdown"><p>from bob</p></div></template>')  # its preview
    for never in ("answer-p1_q1", "version-p1_q1", "notes-p1_q1", "preview-p1_q1"):  # form controls are never swapped
        assertNotContains(response, f'id="{never}"')
    for unchanged in ("status-p1_q2", "answer-data-p1_q2"):
        assertNotContains(response, f'id="{unchanged}"')
    assertContains(response, '<div id="review-counts" class="summary" hx-swap-oob="true">')
    assertContains(response, "Medium <b>1</b>")
    assert next_params(response)["rev"] == str(Review.objects.get(pk=review.pk).revision)


def test_it_sends_no_answer_fragments_for_a_change_on_another_pillar(review, as_alice, as_bob):
    params = next_params(poll(as_alice, review, page="question:p1_q1"))

    _save(as_bob, review, "p2_q1", choices=["p2_q1_no"])
    response = poll(as_alice, review, **params)

    assert response.status_code == 200
    assertNotContains(response, 'id="status-')
    assertNotContains(response, 'id="answer-')
    assertContains(response, "High <b>1</b>")  # the counts still move
    assertContains(response, '<li id="nav-p1_q1" hx-swap-oob="true" class="active">')  # nav of the question's pillar
    assertContains(response, '<li id="nav-p1_q2" hx-swap-oob="true"')
    assertNotContains(response, 'id="nav-p2_q1"')


def test_it_answers_204_again_once_the_page_has_caught_up(review, as_alice, as_bob):
    params = next_params(poll(as_alice, review, page="pillar:p1"))
    _save(as_bob, review, "p1_q2", choices=["p1_q2_a1"])

    caught_up = next_params(poll(as_alice, review, **params))

    assert poll(as_alice, review, **caught_up).status_code == 204


def test_it_refreshes_every_shown_question_for_a_page_that_sends_no_revision(review, as_alice):
    response = poll(as_alice, review, page="pillar:p2")

    for key in ("p2_q1", "p2_q2"):
        assert answer_data_in(response, key) is not None
    assert answer_data_in(response, "p1_q1") is None


def test_it_treats_an_unknown_page_as_the_overview(review, as_alice):
    response = poll(as_alice, review, page='question:"><script>')

    assert response.status_code == 200
    assert next_params(response)["page"] == "review"
    assertNotContains(response, "<script")


# --- Presence -----------------------------------------------------------------------------------


def test_it_shows_two_people_polling_each_other(review, as_alice, as_bob):
    alice_params = next_params(poll(as_alice, review, page="question:p1_q1"))

    bob_sees = poll(as_bob, review, page="question:p1_q2")
    alice_sees = poll(as_alice, review, **alice_params)  # her page's token no longer matches

    assert alice_sees.status_code == 200
    for response in (alice_sees, bob_sees):
        assertContains(response, '<span class="avatar" title="alice">AL</span> alice')
        assertContains(response, '<span class="avatar" title="bob">BO</span> bob')
    assertContains(
        bob_sees,
        '<span id="presence-p1_q2" class="presence" hx-swap-oob="true"><span class="avatar" title="bob">BO</span></span>',
    )
    assertContains(
        alice_sees,
        '<span id="presence-p1_q1" class="presence" hx-swap-oob="true"><span class="avatar" title="alice">AL</span></span>',
    )
    assert re.search(r'<li id="nav-p1_q2"[^>]*>.*?title="bob">BO</span>', alice_sees.content.decode(), re.S)
    assert poll(as_alice, review, **next_params(alice_sees)).status_code == 204


def test_it_keeps_presence_out_of_the_database(review, as_alice, as_bob):
    poll(as_bob, review, page="question:p1_q2")
    params = next_params(poll(as_alice, review, page="question:p1_q1"))

    with CaptureQueriesContext(connection) as queries:
        moved = poll(as_bob, review, page="question:p2_q2")  # bob opens another question
        seen = poll(as_alice, review, **params)

    assert (moved.status_code, seen.status_code) == (200, 200)
    assertContains(seen, '<span class="avatar" title="bob">BO</span> bob <small class="muted">(P2 2)</small>')
    assert [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")] == []


def test_it_forgets_people_who_stopped_polling(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(presence.time, "time", lambda: clock[0])
    presence.presence_touch(review_id=7, user_id=1, username="alice", page="question:a")
    clock[0] += presence.TTL - 1
    present = presence.presence_touch(review_id=7, user_id=2, username="bob", page="review")
    clock[0] += 2

    later = presence.presence_touch(review_id=7, user_id=2, username="bob", page="question:b")

    assert [(p.username, p.question, p.initials) for p in present] == [("alice", "a", "AL"), ("bob", "", "BO")]
    assert [(p.username, p.question) for p in later] == [("bob", "b")]
    assert presence.presence_token(present) != presence.presence_token(later)


def test_it_keeps_the_presence_of_each_review_apart():
    presence.presence_touch(review_id=1, user_id=1, username="alice", page="review")

    assert [p.username for p in presence.presence_touch(review_id=2, user_id=2, username="bob", page="review")] == [
        "bob"
    ]


# --- Facilitator mode -------------------------------------------------------------------------


def _facilitate(client, review, value, **extra):
    return client.post(reverse("reviewapp:facilitator_set", args=[review.pk]), {"facilitator": value, **extra})


def _lead(review):
    row = Review.objects.values_list("facilitator__username", "facilitator_question").get(pk=review.pk)
    return row


def test_it_lets_the_owner_choose_a_facilitator(review, as_alice, bob):
    question = reverse("reviewapp:review_question", args=[review.pk, "p1_q1"])

    response = _facilitate(as_alice, review, bob.pk, next=question)

    assertRedirects(response, question, fetch_redirect_response=False)
    assert _lead(review) == ("bob", "")
    assertContains(as_alice.get(question), "Led by bob")


def test_it_records_the_question_the_facilitator_polls_from(review, as_alice, as_bob, bob):
    _facilitate(as_alice, review, bob.pk)

    poll(as_bob, review, page="pillar:p2")
    assert _lead(review) == ("bob", "")  # a pillar page leads nowhere
    poll(as_bob, review, page="question:p2_q1")

    assert _lead(review) == ("bob", "p2_q1")


def test_it_sends_a_follower_to_the_facilitators_question(review, as_alice, as_bob, as_vera, bob):
    _facilitate(as_alice, review, bob.pk)
    poll(as_bob, review, page="question:p2_q1")

    response = poll(as_vera, review, page="question:p1_q1", follow="1")

    assert response["HX-Redirect"] == reverse("reviewapp:review_question", args=[review.pk, "p2_q1"])


def test_it_leaves_a_follower_already_on_the_question_alone(review, as_alice, as_bob, as_vera, bob):
    _facilitate(as_alice, review, bob.pk)
    poll(as_bob, review, page="question:p2_q1")

    response = poll(as_vera, review, page="question:p2_q1", follow="1")

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert next_params(response)["lead"] == "p2_q1"


@pytest.mark.parametrize("follow", [None, "0"], ids=["no-follow", "follow-0"])
def test_it_does_not_move_someone_who_does_not_follow(review, as_alice, as_bob, as_vera, bob, follow):
    _facilitate(as_alice, review, bob.pk)
    poll(as_bob, review, page="question:p2_q1")
    params = {"follow": follow} if follow else {}

    response = poll(as_vera, review, page="question:p1_q1", **params)

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert next_params(response)["lead"] == "p2_q1"  # the page knows who leads where, and stays


def test_it_never_moves_the_facilitator(review, as_alice, as_bob, bob):
    _facilitate(as_alice, review, bob.pk)
    poll(as_bob, review, page="question:p2_q1")

    response = poll(as_bob, review, page="question:p1_q1", follow="1")

    assert "HX-Redirect" not in response
    assert _lead(review) == ("bob", "p1_q1")


def test_it_moves_nobody_before_the_facilitator_opens_a_question(review, as_alice, as_vera, bob):
    _facilitate(as_alice, review, bob.pk)

    response = poll(as_vera, review, page="question:p1_q1", follow="1")

    assert "HX-Redirect" not in response


def test_it_lets_the_owner_lead_and_stop(review, as_alice, as_vera, alice):
    _facilitate(as_alice, review, alice.pk)
    poll(as_alice, review, page="question:p1_q2")
    assert _lead(review) == ("alice", "p1_q2")

    response = _facilitate(as_alice, review, "")

    assertRedirects(response, reverse("reviewapp:review_detail", args=[review.pk]), fetch_redirect_response=False)
    assert _lead(review) == (None, "")
    assert "HX-Redirect" not in poll(as_vera, review, page="question:p1_q1", follow="1")


def test_it_lets_the_facilitator_stop_leading(review, as_alice, as_bob, bob):
    _facilitate(as_alice, review, bob.pk)

    _facilitate(as_bob, review, "")

    assert _lead(review) == (None, "")


@pytest.mark.parametrize("persona", ["bob", "vera"])
def test_it_forbids_a_member_who_is_not_owner_to_choose_the_facilitator(review, client_for, persona, bob):
    user = get_user_model().objects.get(username=persona)

    response = _facilitate(client_for(user), review, user.pk)

    assert response.status_code == 403
    assert _lead(review) == (None, "")


def test_it_forbids_a_member_who_does_not_lead_to_stop_the_facilitator(review, as_alice, as_vera, bob):
    _facilitate(as_alice, review, bob.pk)

    response = _facilitate(as_vera, review, "")

    assert response.status_code == 403
    assert _lead(review) == ("bob", "")


def test_it_answers_404_to_an_outsider_choosing_a_facilitator(review, client_for, charlie):
    response = _facilitate(client_for(charlie), review, charlie.pk)

    assert response.status_code == 404
    assert _lead(review) == (None, "")


@pytest.mark.parametrize("value", ["charlie", "999999", "x", "-1", "1" * 30])
def test_it_refuses_a_facilitator_who_is_not_a_member_with_a_message(review, as_alice, charlie, value):
    question = reverse("reviewapp:review_question", args=[review.pk, "p1_q1"])

    response = _facilitate(as_alice, review, charlie.pk if value == "charlie" else value, next=question)

    assertRedirects(response, question, fetch_redirect_response=False)
    assert _lead(review) == (None, "")
    page = as_alice.get(question)
    assertContains(page, "Choose a member of this workload to lead the workshop.")
    assertNotContains(page, "Facilitator mode is on")


def test_it_refuses_a_facilitator_in_korean(review, client_for, alice, charlie):
    as_alice = client_for(alice, language="ko")

    _facilitate(as_alice, review, charlie.pk)

    assertContains(
        as_alice.get(reverse("reviewapp:review_detail", args=[review.pk])),
        "이 워크로드의 구성원 중에서 워크숍을 이끌 사람을 고르세요.",
    )


def test_it_lets_the_service_refuse_a_facilitator_who_is_not_a_member(review, alice, charlie):
    with pytest.raises(ValidationError) as error:
        review_facilitator_set(review=review, user=alice, facilitator=charlie)

    assert error.value.code == "not_member"
    assert _lead(review) == (None, "")


def test_it_lets_staff_choose_the_facilitator_as_owners(review, client_for, staff, bob):
    _facilitate(client_for(staff), review, bob.pk)

    assert _lead(review) == ("bob", "")


def test_it_lets_the_service_stop_and_start_facilitation(review, alice, bob):
    review_facilitator_set(review=review, user=alice, facilitator=bob)
    assert _lead(review) == ("bob", "")

    review_facilitator_set(review=review, user=bob, facilitator=None)

    assert _lead(review) == (None, "")
    assert review.facilitator is None


def test_it_does_not_redirect_to_another_site_after_choosing(review, as_alice, bob):
    response = _facilitate(as_alice, review, bob.pk, next="https://evil.example/")

    assertRedirects(response, reverse("reviewapp:review_detail", args=[review.pk]), fetch_redirect_response=False)


def test_it_answers_405_to_get_on_the_facilitator(review, as_alice):
    assert as_alice.get(reverse("reviewapp:facilitator_set", args=[review.pk])).status_code == 405


# --- Who may poll ---------------------------------------------------------------------------------


def test_it_answers_404_to_an_outsider(review, client_for, charlie):
    response = poll(client_for(charlie), review, page="question:p1_q1")

    assert response.status_code == 404
    assert "HX-Redirect" not in response
    assert cache.get(f"presence:{review.pk}") is None  # charlie was not recorded as present


def test_it_answers_404_for_a_review_that_does_not_exist(review, as_alice):
    assert as_alice.get(reverse("reviewapp:review_live", args=[review.pk + 1000])).status_code == 404


def test_it_lets_staff_poll_any_review(review, client_for, staff):
    response = poll(client_for(staff), review, page="question:p1_q1")

    assert response.status_code == 200
    assertContains(response, 'title="sam">SA</span>')


def test_it_sends_an_anonymous_poll_to_the_login_page(review, client_for):
    response = poll(client_for(None), review, page="question:p1_q1")

    assert response["HX-Redirect"] == _login_redirect(review)
    assert cache.get(f"presence:{review.pk}") is None


def test_it_refuses_a_session_whose_password_changed_since(review, as_alice, alice):
    assert poll(as_alice, review).status_code == 200
    alice.set_password("a-new-password")
    alice.save()

    response = poll(as_alice, review)

    assert response["HX-Redirect"] == _login_redirect(review)
    assertRedirects(
        as_alice.get(reverse("reviewapp:review_detail", args=[review.pk])),
        _login_redirect(review),
        fetch_redirect_response=False,
    )  # the same verdict as every other page


def test_it_refuses_a_session_of_a_deactivated_account(review, as_alice, alice):
    alice.is_active = False
    alice.save()

    response = poll(as_alice, review)

    assert response["HX-Redirect"] == _login_redirect(review)


def _set_session(client, **values) -> None:
    session = client.session
    session.update(values)
    session.save()


def test_it_keeps_a_person_signed_in_across_a_secret_key_rotation(review, client_for, alice, settings):
    settings.SECRET_KEY = "the-old-secret-key-" + "x" * 40
    as_alice = client_for(alice)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40

    response = poll(as_alice, review, page="question:p1_q1")

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assertContains(response, 'title="alice">AL</span>')
    assert as_alice.session[HASH_SESSION_KEY] == alice.get_session_auth_hash()  # now under the new key
    settings.SECRET_KEY_FALLBACKS = []
    assert poll(as_alice, review, **next_params(response)).status_code == 204
    assertContains(as_alice.get(reverse("reviewapp:review_detail", args=[review.pk])), review.workload.name)


def test_it_signs_out_a_session_signed_with_a_key_no_longer_listed(review, client_for, alice, settings):
    settings.SECRET_KEY = "the-old-secret-key-" + "x" * 40
    as_alice = client_for(alice)
    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40

    assert poll(as_alice, review)["HX-Redirect"] == _login_redirect(review)
    assert SESSION_KEY not in as_alice.session  # flushed, as django.contrib.auth.get_user does


@pytest.mark.parametrize("session_hash", ["0" * 64, ""], ids=["wrong-hash", "no-hash"])
def test_it_sends_a_session_with_a_wrong_hash_to_sign_in(review, as_alice, session_hash):
    _set_session(as_alice, **{HASH_SESSION_KEY: session_hash})

    response = poll(as_alice, review)

    assert response["HX-Redirect"] == _login_redirect(review)
    assert cache.get(f"presence:{review.pk}") is None


@pytest.mark.parametrize("backend", ["reviewapp.backends.NotInstalled", None], ids=["unknown", "missing"])
def test_it_signs_out_a_session_whose_backend_is_not_installed(review, as_alice, backend):
    if backend is None:
        session = as_alice.session
        del session[BACKEND_SESSION_KEY]
        session.save()
    else:
        _set_session(as_alice, **{BACKEND_SESSION_KEY: backend})

    response = poll(as_alice, review)

    assert response["HX-Redirect"] == _login_redirect(review)
    assertRedirects(
        as_alice.get(reverse("reviewapp:review_detail", args=[review.pk])),
        _login_redirect(review),
        fetch_redirect_response=False,
    )  # the same verdict as every other page


def test_it_treats_staff_as_owners_on_the_live_view(review, client_for, staff):
    request = RequestFactory().get("/")
    request.session = client_for(staff).session

    access = live_access(request, review.pk)

    assert (access.user_id, access.username, access.role) == (staff.pk, "sam", Role.OWNER)


def test_it_gives_a_member_their_own_role_on_the_live_view(review, client_for, vera):
    request = RequestFactory().get("/")
    request.session = client_for(vera).session

    assert live_access(request, review.pk).role == Role.VIEWER


def test_it_answers_405_to_a_post(review, as_alice):
    assert as_alice.post(_live_url(review), {"page": "review"}).status_code == 405


def test_it_brings_the_facilitation_controls_when_someone_starts_leading(review, as_alice, bob):
    """The Follow box appears on the others' pages without a reload (and goes when leading stops)."""
    params = next_params(poll(as_alice, review, page="question:p1_q1"))
    assert poll(as_alice, review, **params).status_code == 204
    Review.objects.filter(pk=review.pk).update(facilitator=bob)

    page_url = f"http://testserver/reviews/{review.pk}/questions/p1_q1/"
    response = as_alice.get(_live_url(review), params, **HTMX, HTTP_HX_CURRENT_URL=page_url)

    assert response.status_code == 200
    assertContains(response, '<div id="facilitation" class="facilitation" hx-swap-oob="true">')
    assertContains(response, "Led by bob")
    assertContains(response, "data-follow")
    assertContains(response, f'name="next" value="/reviews/{review.pk}/questions/p1_q1/"')  # the page, not the poll
    assert next_params(response)["by"] == str(bob.pk)
    assert poll(as_alice, review, **next_params(response)).status_code == 204


def test_it_names_the_question_each_person_is_on_by_its_label(review, as_alice, as_bob):
    poll(as_bob, review, page="question:p1_q2")

    response = poll(as_alice, review, page="question:p1_q1")

    assertContains(response, 'bob <small class="muted">(P1 2)</small>')


def test_it_reads_the_members_only_for_an_owner_choosing_a_facilitator(review, client_for, alice, bob):
    url = reverse("reviewapp:review_question", args=[review.pk, "p1_q1"])
    member_list = 'FROM "reviewapp_membership" INNER JOIN "auth_user"'

    for person in (alice, bob):  # a first page reads the workload and lens (then kept) and counts the unread
        client_for(person).get(url)
    with CaptureQueriesContext(connection) as as_owner:
        owner_page = client_for(alice).get(url)
    with CaptureQueriesContext(connection) as as_contributor:
        contributor_page = client_for(bob).get(url)

    assertContains(owner_page, 'id="facilitator-choice"')
    assertContains(owner_page, f'<option value="{bob.pk}">bob</option>')
    assert any(member_list in q["sql"] for q in as_owner.captured_queries)
    assertNotContains(contributor_page, 'id="facilitator-choice"')
    assert not any(member_list in q["sql"] for q in as_contributor.captured_queries)
    assert len(as_contributor.captured_queries) == len(as_owner.captured_queries) - 1
