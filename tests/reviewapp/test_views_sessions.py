"""Session pages: who may see and do what, what the pages say, and the live poll with a session running."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from reviewapp.models import Attendance, ParkingItem, QuestionDiscussion, Review, ReviewSession
from reviewapp.sessions.planning import AgendaEntry, session_plan
from reviewapp.sessions.running import session_start

from .test_live import next_params, poll

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def session(review, alice, bob):
    return session_plan(
        review=review,
        user=alice,
        title="Kick-off",
        planned_start=timezone.now(),
        facilitator=bob,
        agenda=[AgendaEntry("question:p1_q1", 10), AgendaEntry("pillar:p2", 20)],
        expected=[alice, bob],
    )


def url(name, session, *extra):
    return reverse(f"reviewapp:{name}", args=[session.review_id, session.pk, *extra])


def step(client, session, action, **data):
    return client.post(url("session_step", session), {"action": action, **data})


def test_it_plans_a_session_through_the_form(review, client_for, alice, bob):
    response = client_for(bob).post(
        reverse("reviewapp:session_create", args=[review.pk]),
        {
            "title": "Security deep dive",
            "planned_start": "2026-12-03T10:00",
            "facilitator": bob.pk,
            "expected": [alice.pk, bob.pk],
            "target": ["pillar:p1", "question:p2_q2", ""],
            "minutes": ["25", "5", ""],
        },
    )

    session = ReviewSession.objects.get()
    assert response.status_code == 302 and response["Location"] == url("session_detail", session)
    assert [(i.target_key, i.minutes) for i in session.agenda.all()] == [("pillar:p1", 25), ("question:p2_q2", 5)]
    assert session.facilitator == bob and session.expected.count() == 2


def test_it_re_renders_a_bad_plan_with_its_errors_and_keeps_the_rows(review, client_for, bob):
    response = client_for(bob).post(
        reverse("reviewapp:session_create", args=[review.pk]),
        {
            "title": "X",
            "planned_start": "2026-12-03T10:00",
            "facilitator": bob.pk,
            "target": ["pillar:p1"],
            "minutes": ["0"],
        },
    )

    assertContains(response, "Item 1: give between 1 and 480 minutes.")
    assertContains(response, '<option value="pillar:p1" selected>', html=False)
    assert not ReviewSession.objects.exists()


def test_it_offers_the_previous_agenda_to_copy(review, client_for, bob, session):
    response = client_for(bob).get(reverse("reviewapp:session_create", args=[review.pk]) + "?copy=1")

    assertContains(response, '<option value="question:p1_q1" selected>', html=False)
    assertContains(response, 'value="20"', html=False)


def test_it_lists_sessions_on_the_review_page(review, client_for, vera, session):
    response = client_for(vera).get(reverse("reviewapp:review_detail", args=[review.pk]))

    assertContains(response, "Kick-off")
    assertNotContains(response, reverse("reviewapp:session_create", args=[review.pk]))  # a viewer plans nothing


def test_it_runs_the_clock_from_the_session_page(review, client_for, bob, session):
    as_bob = client_for(bob)

    step(as_bob, session, "start")
    step(as_bob, session, "extend", minutes="3")
    step(as_bob, session, "next")
    session.refresh_from_db()

    assert session.status == "running" and session.current_index == 1
    assert list(session.events.values_list("kind", flat=True)) == ["start", "extend", "next"]
    page = as_bob.get(reverse("reviewapp:review_question", args=[review.pk, "p2_q1"]))
    assertContains(page, 'id="session-bar"')
    assertContains(page, "Item 2 of 2:")
    assertContains(page, "P2 · Pillar 2")
    assertContains(page, "20:00")  # the pillar's 20 minutes, just started
    end = step(as_bob, session, "end")
    assert end["Location"] == url("session_minutes", session)


def test_it_shows_the_same_remaining_time_to_a_page_opened_mid_session(review, client_for, alice, vera, session):
    session_start(session=session, user=alice)
    ReviewSession.objects.filter(pk=session.pk).update(deadline=timezone.now() + timezone.timedelta(seconds=125))

    for user in (alice, vera):
        page = client_for(user).get(reverse("reviewapp:review_detail", args=[review.pk])).content.decode()
        assert "2:05" in page or "2:04" in page
        assert 'data-deadline-ms="' in page and 'data-now-ms="' in page


@pytest.mark.parametrize("action", ["start", "pause", "next", "end"])
def test_it_forbids_a_viewer_and_a_contributor_who_does_not_facilitate_to_run_it(
    review, client_for, vera, alice, bob, action
):
    planned = session_plan(
        review=review,
        user=alice,
        title="S",
        planned_start=timezone.now(),
        facilitator=alice,
        agenda=[AgendaEntry("pillar:p1", 5), AgendaEntry("pillar:p2", 5)],
        expected=[],
    )
    if action != "start":
        session_start(session=planned, user=alice)
    before = ReviewSession.objects.values_list("status", "version").get(pk=planned.pk)

    assert step(client_for(vera), planned, action).status_code == 403
    assert step(client_for(bob), planned, action).status_code == 403
    assert ReviewSession.objects.values_list("status", "version").get(pk=planned.pk) == before


def test_it_answers_404_to_an_outsider_for_every_session_page(review, client_for, charlie, session):
    client = client_for(charlie)
    for name in ("session_detail", "session_minutes", "session_edit"):
        assert client.get(url(name, session)).status_code == 404
    assert client.get(url("session_minutes_export", session, "json")).status_code == 404
    assert client.get(reverse("reviewapp:session_list", args=[review.pk])).status_code == 404
    assert step(client, session, "start").status_code == 404
    assert ReviewSession.objects.get().status == "planned"


def test_it_answers_404_for_a_session_of_another_review(client_for, alice, session, lens):
    from ..factories import make_workload

    other = make_workload(alice, name="Other", lens=lens).reviews.get()
    response = client_for(alice).get(reverse("reviewapp:session_detail", args=[other.pk, session.pk]))
    assert response.status_code == 404


def test_it_marks_discussion_and_parks_from_the_question_page(review, client_for, bob, vera, session):
    session_start(session=session, user=bob)
    as_bob = client_for(bob)
    back = reverse("reviewapp:review_question", args=[review.pk, "p1_q1"])

    page = as_bob.get(back)
    assertContains(page, "In this session")
    as_bob.post(url("session_discussion", session), {"question": "p1_q1", "state": "deferred", "next": back})
    as_bob.post(url("session_parking", session), {"question": "p1_q1", "text": "Ask ops", "next": back})
    refused = client_for(vera).post(url("session_parking", session), {"text": "viewer"})

    assert QuestionDiscussion.objects.get().state == "deferred"
    assert list(ParkingItem.objects.values_list("text", "question__key")) == [("Ask ops", "p1_q1")]
    assert refused.status_code == 403
    assertContains(as_bob.get(back), "Ask ops")


def test_it_lets_the_facilitator_correct_attendance(review, client_for, bob, vera, alice, session):
    session_start(session=session, user=bob)
    client_for(bob).post(url("session_attendance", session), {"person": vera.pk, "minutes": "45"})
    refused = client_for(vera).post(url("session_attendance", session), {"person": vera.pk, "minutes": "1"})

    assert refused.status_code == 403
    assert Attendance.objects.get(user=vera).seconds == 45 * 60
    client_for(alice).post(url("session_attendance", session), {"person": vera.pk, "minutes": "1"})  # an owner may
    assert Attendance.objects.get(user=vera).seconds == 60


def test_it_exports_the_minutes_as_markdown_and_json(review, client_for, alice, bob, session):
    session_start(session=session, user=bob)
    client_for(bob).post(
        reverse("reviewapp:answer_save", args=[review.pk]), {"question": "p1_q1", "choices": ["p1_q1_a1"]}
    )
    step(client_for(bob), session, "end")

    markdown = client_for(alice).get(url("session_minutes_export", session, "md"))
    data = client_for(alice).get(url("session_minutes_export", session, "json")).json()

    assert markdown["Content-Type"].startswith("text/markdown")
    text = markdown.content.decode()
    assert "# Minutes: Kick-off" in text and "**P1 1** Question 1.1?: Unanswered → Medium risk (bob" in text
    assert [(c["label"], c["who"], c["risk_after"]) for c in data["changes"]] == [("P1 1", "bob", "MEDIUM_RISK")]
    page = client_for(alice).get(url("session_minutes", session))
    assertContains(page, "Question 1.1?")


def test_it_polls_in_one_query_with_a_session_running(
    review, client_for, alice, bob, session, django_assert_num_queries
):
    session_start(session=session, user=bob)
    client = client_for(alice)
    params = next_params(poll(client, review, page="question:p1_q1"))
    assert params["sess"] == f"{session.pk}.1"

    with django_assert_num_queries(1):
        assert poll(client, review, **params).status_code == 204


def test_it_sends_the_session_bar_when_the_facilitator_moves_on(review, client_for, alice, bob, session):
    session_start(session=session, user=bob)
    client = client_for(alice)
    params = next_params(poll(client, review, page="question:p1_q1"))

    step(client_for(bob), session, "next")
    response = poll(client, review, **{**params, "lead": "p2_q1"})

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="session-bar"' in body and 'hx-swap-oob="true"' in body and "Item 2 of 2:" in body
    assert next_params(response)["sess"] == f"{session.pk}.2"


def test_it_counts_attendance_from_polls(review, client_for, alice, bob, session):
    session_start(session=session, user=bob)
    poll(client_for(alice), review, page="review")

    step(client_for(bob), session, "end")

    assert Attendance.objects.filter(session=session, user=alice).exists()
    assert Review.objects.get(pk=review.pk).live_session_id is None


def _state():
    from reviewapp.models import Comment

    return (
        list(ReviewSession.objects.values_list("pk", "title", "status", "version")),
        list(ParkingItem.objects.values_list("pk", "text")),
        list(QuestionDiscussion.objects.values_list("pk", "state")),
        list(Attendance.objects.values_list("pk", "seconds")),
        list(Comment.objects.values_list("pk", "body", "deleted_at")),
    )


WRITES = {
    "plan": lambda s, c: (reverse("reviewapp:session_create", args=[s.review_id]), {"title": "X"}),
    "edit": lambda s, c: (url("session_edit", s), {"title": "X"}),
    "delete": lambda s, c: (url("session_delete", s), {}),
    "step": lambda s, c: (url("session_step", s), {"action": "pause"}),
    "attendance": lambda s, c: (url("session_attendance", s), {"person": s.facilitator_id, "minutes": "3"}),
    "discussion": lambda s, c: (url("session_discussion", s), {"question": "p1_q1", "state": "discussed"}),
    "parking": lambda s, c: (url("session_parking", s), {"text": "park"}),
    "parking delete": lambda s, c: (url("session_parking_delete", s, ParkingItem.objects.get().pk), {}),
    "comment": lambda s, c: (reverse("reviewapp:comment_add", args=[s.review_id, "p1_q1"]), {"body": "x"}),
    "comment edit": lambda s, c: (reverse("reviewapp:comment_edit", args=[s.review_id, c.pk]), {"body": "x"}),
    "comment delete": lambda s, c: (reverse("reviewapp:comment_delete", args=[s.review_id, c.pk]), {}),
}


@pytest.mark.parametrize(("persona", "status"), [("vera", 403), ("charlie", 404)])
@pytest.mark.parametrize("name", list(WRITES))
def test_it_refuses_every_session_and_comment_write_to_viewers_and_outsiders(
    review, client_for, alice, bob, session, persona, status, name, request
):
    from reviewapp.comments import comment_add
    from reviewapp.sessions.discussion import parking_add

    running = session_start(session=session, user=bob)
    parking_add(session=running, user=bob, text="kept")
    comment = comment_add(review=review, question_key="p1_q1", user=bob, body="kept")
    before = _state()
    target, data = WRITES[name](running, comment)

    response = client_for(request.getfixturevalue(persona)).post(target, data)

    assert response.status_code == status
    assert _state() == before


def test_it_shows_who_is_present_in_the_session_bar(review, client_for, alice, bob, session):
    session_start(session=session, user=bob)
    poll(client_for(bob), review, page="question:p1_q1")

    page = client_for(alice).get(reverse("reviewapp:plan", args=[review.pk])).content.decode()

    bar = page[page.index('id="session-bar"') :]
    bar = bar[: bar.index("</div>")]
    assert 'title="bob">BO</span>' in bar and "Kick-off" in bar
