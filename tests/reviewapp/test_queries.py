"""Query counts: the review pages and the save endpoint cost the same for a small lens and a big one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.review_relations import relations_forget
from reviewapp.workloads import review_create

from ..factories import add_member, make_lens, make_user, make_workload

SIZES = {"small": {"pillars": 1, "questions_per_pillar": 2}, "big": {"pillars": 3, "questions_per_pillar": 5}}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _answer_half(review, user) -> None:
    """Answer every other question, so the pages show saved answers as well as empty ones."""
    bank = load_bank(review.lens)
    for index, item in enumerate(bank.questions):
        if index % 2 == 0:
            keys = frozenset({f"{item.key}_a1", f"{item.key}_a2"})
            answer_save(
                review=review,
                item=item,
                user=user,
                state=AnswerState(choices=keys, applicable=True, reason="", notes="*n*"),
            )


@pytest.fixture
def reviews(alice, bob):
    """One review per lens size, of two workloads shared alike."""
    reviews = {}
    for slug, size in SIZES.items():
        workload = make_workload(alice, name=slug, lens=make_lens(slug=slug, **size))
        add_member(workload, bob, "contributor")
        reviews[slug] = workload.reviews.select_related("lens").get()
        _answer_half(reviews[slug], alice)
    assert reviews["small"].answers.count() == 2
    assert reviews["big"].answers.count() == 15
    return reviews


def _count(client, method: str, url: str, data=None, *, status: int = 200, **extra) -> int:
    """Queries of one request, after a first page view has warmed the session alike for every lens,
    and with no workload or lens kept from an earlier request (each request reads them alike)."""
    client.get(reverse("reviewapp:workload_list"))
    relations_forget()
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data, **extra)
    assert response.status_code == status
    return len(queries)


def _save(review, data, **extra):
    return "post", reverse("reviewapp:answer_save", args=[review.pk]), data, {**extra}


REQUESTS = {
    "review_detail": (200, lambda r: ("get", reverse("reviewapp:review_detail", args=[r.pk]), None, {})),
    "review_pillar": (200, lambda r: ("get", reverse("reviewapp:review_pillar", args=[r.pk, "p1"]), None, {})),
    "review_question": (200, lambda r: ("get", reverse("reviewapp:review_question", args=[r.pk, "p1_q2"]), None, {})),
    # p1_q1 was answered a1 + a2: the save drops a2 and adds a3.
    "answer_save": (302, lambda r: _save(r, {"question": "p1_q1", "choices": ["p1_q1_a1", "p1_q1_a3"]})),
    "answer_save_htmx": (200, lambda r: _save(r, {"question": "p1_q1", "choices": ["p1_q1_a3"]}, **HTMX)),
    "answer_refused_htmx": (
        400,
        lambda r: _save(r, {"question": "p1_q2", "choices": ["p1_q2_no", "p1_q2_a1"]}, **HTMX),
    ),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_it_runs_as_many_queries_for_a_big_lens_as_for_a_small_one(reviews, client_for, bob, name, record_property):
    client = client_for(bob)
    status, build = REQUESTS[name]
    counts = {}
    for slug, review in reviews.items():
        method, url, data, extra = build(review)
        counts[slug] = _count(client, method, url, data, status=status, **extra)

    record_property("queries", counts)
    print(f"\n{name}: {counts}")
    assert counts["small"] == counts["big"]


def test_it_saves_an_answer_without_a_query_per_choice(reviews, client_for, bob):
    """Unanswered questions of the big lens given one, two and two other practices (all still risky)."""
    client = client_for(bob)
    url = reverse("reviewapp:answer_save", args=[reviews["big"].pk])

    counts = [
        _count(client, "post", url, {"question": key, "choices": [f"{key}_{c}" for c in picks]}, **HTMX)
        for key, picks in (("p1_q2", ["a1"]), ("p2_q1", ["a1", "a2"]), ("p3_q2", ["a2", "a3"]), ("p3_q4", ["no"]))
    ]

    print(f"\nanswer_save by selection: {counts}")
    assert len(set(counts)) == 1


def test_it_lists_workloads_in_a_fixed_number_of_queries(client_for, alice, lens):
    client = client_for(alice)
    make_workload(alice, name="One", lens=lens)
    url = reverse("reviewapp:workload_list")
    few = _count(client, "get", url)

    for n in range(5):
        workload = make_workload(alice, name=f"More {n}", lens=make_lens(slug=f"l{n}"))
        add_member(workload, make_user(f"member{n}"), "viewer")
    many = _count(client, "get", url)

    print(f"\nworkload_list: {few} / {many}")
    assert few == many


def test_it_shows_a_workload_in_a_fixed_number_of_queries(client_for, alice, lens):
    client = client_for(alice)
    small = make_workload(alice, name="Small", lens=lens)
    big = make_workload(alice, name="Big", lens=make_lens(slug="big", pillars=3, questions_per_pillar=5))
    for n in range(3):
        review_create(workload=big, lens=make_lens(slug=f"extra{n}"), user=alice)
        add_member(big, make_user(f"member{n}"), "viewer")

    counts = [_count(client, "get", reverse("reviewapp:workload_detail", args=[w.pk])) for w in (small, big)]

    print(f"\nworkload_detail: {counts}")
    assert counts[0] == counts[1]


def _run_a_session(review, user) -> None:
    from django.utils import timezone

    from reviewapp.sessions.discussion import parking_add
    from reviewapp.sessions.planning import AgendaEntry, session_plan
    from reviewapp.sessions.running import session_start

    keys = [item.key for item in load_bank(review.lens).questions]
    session = session_plan(
        review=review,
        user=user,
        title="Workshop",
        planned_start=timezone.now(),
        facilitator=user,
        agenda=[AgendaEntry(f"question:{key}", 5) for key in keys],
        expected=[user],
    )
    session = session_start(session=session, user=user)
    parking_add(session=session, user=user, text="Later", question_key="p1_q2")


@pytest.mark.parametrize("name", ["review_detail", "review_pillar", "review_question", "answer_save_htmx"])
def test_it_runs_as_many_queries_for_a_big_lens_as_for_a_small_one_during_a_session(
    reviews, client_for, alice, bob, name
):
    client = client_for(bob)
    status, build = REQUESTS[name]
    counts = {}
    for slug, review in reviews.items():
        _run_a_session(review, alice)
        review.refresh_from_db()
        method, url, data, extra = build(review)
        counts[slug] = _count(client, method, url, data, status=status, **extra)

    print(f"\n{name} during a session: {counts}")
    assert counts["small"] == counts["big"]
