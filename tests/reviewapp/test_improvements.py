"""The improvement plan (reviewapp/improvements.py) and its page and item endpoint (views/plans.py).

The small lens of ``make_lens``: every question has practices a1 (required), a2, a3 and
"None of these"; all three practices are no risk, a1 alone is medium, anything else is high.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.improvements import PlanFilters, improvement_plan, improvement_update
from reviewapp.models import AnswerRisk, ImprovementItem, Role
from reviewapp.progress import review_state

from ..factories import add_member, make_lens, make_workload

HTMX = {"HTTP_HX_REQUEST": "true"}
Status = ImprovementItem.Status


def _save(review, key, choices=(), *, user=None, na=False, reason="", notes=""):
    item = load_bank(review.lens).by_key[key]
    return answer_save(
        review=review,
        item=item,
        user=user,
        state=AnswerState(choices=frozenset(choices), applicable=not na, reason=reason if na else "", notes=notes),
    )


def _items(review) -> dict[str, str]:
    """``{practice key: status}`` of every item of the review."""
    return dict(ImprovementItem.objects.filter(review=review).values_list("choice__key", "status"))


def _item(review, key) -> ImprovementItem:
    return ImprovementItem.objects.select_related("owner", "updated_by").get(review=review, choice__key=key)


def _tracking(review, key) -> tuple | None:
    item = ImprovementItem.objects.filter(review=review, choice__key=key).first()
    if item is None:
        return None
    return (item.status, item.owner_id, item.due_date, item.note, item.updated_by_id, item.updated_at)


def _plan(review, **filters) -> list[tuple[str, str, list[str]]]:
    """The plan as ``(question key, risk, [missing practice keys])``."""
    plan = improvement_plan(review_state(review), PlanFilters(**filters))
    return [(q.state.item.key, q.risk, [p.choice.key for p in q.practices]) for q in plan]


def _plan_url(review, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("reviewapp:plan", args=[review.pk]) + (f"?{query}" if query else "")


def _item_url(review, key) -> str:
    return reverse("reviewapp:plan_item_update", args=[review.pk, key])


def _item_data(key, *, status="in_progress", owner="", due_date="", note="") -> dict:
    return {f"{key}-status": status, f"{key}-owner": owner, f"{key}-due_date": due_date, f"{key}-note": note}


def _practices_on_page(response) -> list[str]:
    """The practice keys shown on the plan page, in page order."""
    return re.findall(r'<div class="practice" id="practice-([\w-]+)">', response.content.decode())


def _questions_on_page(response) -> list[str]:
    """The question keys of the plan page's sections, in page order."""
    sections = r'<section class="card plan-question">\s*<h2>.*?/questions/([\w-]+)/"'
    return re.findall(sections, response.content.decode(), re.S)


@pytest.fixture
def wide_review(alice, bob):
    """A review of a 3 × 3 lens answered at every risk (see EXPECTED_PLAN)."""
    workload = make_workload(alice, name="Wide", lens=make_lens(slug="wide", pillars=3, questions_per_pillar=3))
    add_member(workload, bob, Role.CONTRIBUTOR)
    review = workload.reviews.get()
    # Saved out of order on purpose: the plan's order must not follow the order of saving.
    answers = [
        ("p3_q3", ["p3_q3_a1", "p3_q3_a2"]),  # medium
        ("p2_q2", ["p2_q2_no"]),  # high
        ("p1_q1", ["p1_q1_a1"]),  # medium
        ("p3_q2", ["p3_q2_a3"]),  # high
        ("p1_q2", ["p1_q2_a1", "p1_q2_a2", "p1_q2_a3"]),  # no risk
        ("p3_q1", ["p3_q1_a1", "p3_q1_a3"]),  # medium
        ("p1_q3", ["p1_q3_a2", "p1_q3_a3"]),  # high
    ]
    for key, choices in answers:
        _save(review, key, choices, user=alice)
    _save(review, "p2_q1", [], na=True, reason="OUT_OF_SCOPE", user=alice)  # not applicable; p2_q3 unanswered
    return review


EXPECTED_PLAN = [
    ("p1_q3", AnswerRisk.HIGH, ["p1_q3_a1"]),
    ("p2_q2", AnswerRisk.HIGH, ["p2_q2_a1", "p2_q2_a2", "p2_q2_a3"]),
    ("p3_q2", AnswerRisk.HIGH, ["p3_q2_a1", "p3_q2_a2"]),
    ("p1_q1", AnswerRisk.MEDIUM, ["p1_q1_a2", "p1_q1_a3"]),
    ("p3_q1", AnswerRisk.MEDIUM, ["p3_q1_a2"]),
    ("p3_q3", AnswerRisk.MEDIUM, ["p3_q3_a3"]),
]


# --- The plan's content and order ----------------------------------------------------------------


def test_it_lists_high_risk_questions_first_then_medium_each_in_pillar_and_question_order(wide_review):
    plan = improvement_plan(review_state(wide_review))

    assert [(q.state.item.key, q.risk, [p.choice.key for p in q.practices]) for q in plan] == EXPECTED_PLAN


def test_it_gives_each_missing_practice_its_improvement_advice(wide_review):
    plan = improvement_plan(review_state(wide_review))

    with translation.override("en"):
        advice = {p.choice.key: (p.choice.title, p.choice.improvement_plan) for q in plan for p in q.practices}
    with translation.override("ko"):
        korean = {p.choice.key: (p.choice.title, p.choice.improvement_plan) for q in plan for p in q.practices}
    assert advice["p2_q2_a1"] == ("Practice 1", "Do practice 1.")
    assert advice["p2_q2_a3"] == ("Practice 3", "Do practice 3.")
    assert korean["p3_q1_a2"] == ("모범 사례 2", "모범 사례 2 적용.")
    assert all(plan_text for _title, plan_text in advice.values())
    assert not any(key.endswith("_no") for key in advice)


def test_it_shows_the_plan_page_in_the_same_order_without_settled_questions(wide_review, client_for, alice):
    response = client_for(alice).get(_plan_url(wide_review))

    assert _questions_on_page(response) == [key for key, _risk, _practices in EXPECTED_PLAN]
    assert _practices_on_page(response) == [p for _key, _risk, practices in EXPECTED_PLAN for p in practices]
    for title in ("Question 1.3?", "Question 2.2?", "Question 3.3?"):
        assertContains(response, title, count=1)
    for settled in ("Question 1.2?", "Question 2.1?", "Question 2.3?"):  # no risk, not applicable, unanswered
        assertNotContains(response, settled)
    assertNotContains(response, "None of these")
    assertContains(response, "Do practice 1.", count=3)  # p1_q3, p2_q2, p3_q2 lack a1
    assertContains(response, "Do practice 2.", count=4)
    assertContains(response, "Do practice 3.", count=3)
    assertContains(response, "High risk", count=3 + 1)  # three badges and the risk filter's option
    assert response.content.decode().index("Question 3.2?") < response.content.decode().index("Question 1.1?")


def test_it_says_so_when_no_question_is_at_risk(review, client_for, alice):
    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"])

    response = client_for(alice).get(_plan_url(review))

    assert improvement_plan(review_state(review)) == []
    assertContains(response, "No question is at high or medium risk.")
    assert _practices_on_page(response) == []


def test_it_drops_a_question_from_the_plan_once_it_no_longer_applies(review):
    _save(review, "p1_q1", ["p1_q1_no"])
    assert _plan(review) == [("p1_q1", AnswerRisk.HIGH, ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"])]

    _save(review, "p1_q1", [], na=True, reason="BUSINESS_PRIORITIES")

    assert _plan(review) == []


# --- Items follow the answers --------------------------------------------------------------------


def test_it_has_no_items_for_unanswered_or_riskless_questions(review):
    assert _items(review) == {}

    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"])
    _save(review, "p1_q2", [], na=True, reason="OUT_OF_SCOPE")

    assert _items(review) == {}


def test_it_opens_an_item_for_each_missing_practice_when_a_question_turns_medium(review):
    _save(review, "p1_q1", ["p1_q1_a1"])

    assert _items(review) == {"p1_q1_a2": Status.OPEN, "p1_q1_a3": Status.OPEN}


def test_it_opens_an_item_for_each_practice_but_none_of_these_when_a_question_turns_high(review):
    _save(review, "p2_q1", ["p2_q1_no"])

    assert _items(review) == {"p2_q1_a1": Status.OPEN, "p2_q1_a2": Status.OPEN, "p2_q1_a3": Status.OPEN}


def test_it_marks_an_item_done_when_its_practice_is_ticked_and_opens_it_again_when_unticked(review):
    _save(review, "p1_q1", ["p1_q1_a1"])

    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2"])
    assert _items(review) == {"p1_q1_a2": Status.DONE, "p1_q1_a3": Status.OPEN}
    assert _plan(review) == [("p1_q1", AnswerRisk.MEDIUM, ["p1_q1_a3"])]

    _save(review, "p1_q1", ["p1_q1_a1"])
    assert _items(review) == {"p1_q1_a2": Status.OPEN, "p1_q1_a3": Status.OPEN}
    assert _plan(review) == [("p1_q1", AnswerRisk.MEDIUM, ["p1_q1_a2", "p1_q1_a3"])]


def test_it_marks_every_item_done_when_the_question_reaches_no_risk(review):
    _save(review, "p1_q1", ["p1_q1_no"])

    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"])

    assert _items(review) == {"p1_q1_a1": Status.DONE, "p1_q1_a2": Status.DONE, "p1_q1_a3": Status.DONE}
    assert _plan(review) == []


def test_it_opens_an_item_for_a_practice_unticked_on_a_riskless_question(review):
    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"])

    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2"])

    assert _items(review) == {"p1_q1_a3": Status.OPEN}
    assert _plan(review) == [("p1_q1", AnswerRisk.MEDIUM, ["p1_q1_a3"])]


def test_it_turns_a_manually_tracked_item_done_when_its_practice_is_ticked(review, bob):
    _save(review, "p1_q1", ["p1_q1_a1"])
    improvement_update(
        review=review,
        choice=_item(review, "p1_q1_a2").choice,
        user=bob,
        status=Status.IN_PROGRESS,
        owner=bob,
        due_date=datetime.date(2030, 1, 31),
        note="Ticket OPS-1",
    )

    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2"])

    item = _item(review, "p1_q1_a2")
    assert (item.status, item.owner, item.due_date, item.note) == (
        Status.DONE,
        bob,
        datetime.date(2030, 1, 31),
        "Ticket OPS-1",
    )


def test_it_answers_the_same_through_the_answer_endpoint(review, client_for, bob):
    client = client_for(bob)
    url = reverse("reviewapp:answer_save", args=[review.pk])

    client.post(url, {"question": "p2_q2", "choices": ["p2_q2_a1"]})
    assert _items(review) == {"p2_q2_a2": Status.OPEN, "p2_q2_a3": Status.OPEN}

    client.post(url, {"question": "p2_q2", "choices": ["p2_q2_a1", "p2_q2_a3"]}, **HTMX)
    assert _items(review) == {"p2_q2_a2": Status.OPEN, "p2_q2_a3": Status.DONE}


# --- Tracking an item through the plan page -----------------------------------------------------


def test_it_stores_the_tracking_of_an_item_from_a_plain_post(review, client_for, bob, vera):
    _save(review, "p1_q1", ["p1_q1_a1"])

    response = client_for(bob).post(
        _item_url(review, "p1_q1_a2"),
        _item_data("p1_q1_a2", owner=vera.pk, due_date="2030-01-31", note="Ticket OPS-1"),
    )

    assertRedirects(response, _plan_url(review) + "#practice-p1_q1_a2", fetch_redirect_response=False)
    item = _item(review, "p1_q1_a2")
    assert (item.status, item.owner, item.due_date, item.note, item.updated_by) == (
        Status.IN_PROGRESS,
        vera,
        datetime.date(2030, 1, 31),
        "Ticket OPS-1",
        bob,
    )
    assert _items(review) == {"p1_q1_a2": Status.IN_PROGRESS, "p1_q1_a3": Status.OPEN}


def test_it_answers_htmx_with_the_items_state_and_never_its_fields(review, client_for, bob):
    """What someone types in the item while its save is on its way stays: the answer carries no field."""
    _save(review, "p1_q1", ["p1_q1_a1"])

    response = client_for(bob).post(
        _item_url(review, "p1_q1_a3"), _item_data("p1_q1_a3", status="wont_do", note="Not worth it"), **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<span class="item-state" role="status" aria-live="polite">')
    assertContains(response, '<span class="saved">Saved</span>')
    assert "<select" not in html and "<textarea" not in html and "Not worth it" not in html
    item = _item(review, "p1_q1_a3")
    assert (item.status, item.note, item.owner, item.due_date) == (Status.WONT_DO, "Not worth it", None, None)


def test_it_names_the_field_of_each_refusal_in_the_items_state(review, client_for, bob):
    _save(review, "p1_q1", ["p1_q1_a1"])

    response = client_for(bob).post(
        _item_url(review, "p1_q1_a3"), _item_data("p1_q1_a3", status="nonsense", note="kept"), **HTMX
    )

    assert response.status_code == 400
    assertContains(response, '<span class="error">Status: ', status_code=400)
    assert _item(review, "p1_q1_a3") is None or _item(review, "p1_q1_a3").note != "kept"


def test_it_updates_the_status_counters_out_of_band_after_an_edit(review, client_for, bob):
    _save(review, "p1_q1", ["p1_q1_a1"])
    page_url = "http://testserver" + _plan_url(review)

    response = client_for(bob).post(
        _item_url(review, "p1_q1_a2"), _item_data("p1_q1_a2", status="done"), HTTP_HX_CURRENT_URL=page_url, **HTMX
    )

    html = response.content.decode()
    counters = html[html.index('<p id="plan-status"') :]
    assert 'hx-swap-oob="true"' in counters.split(">", 1)[0]
    assert re.search(r'status-count done">Done <b>1</b>', counters)
    assert re.search(r'status-count open">Open <b>1</b>', counters)


def test_it_counts_with_the_filters_of_the_page_it_came_from(review, client_for, bob):
    _save(review, "p1_q1", ["p1_q1_a1"])
    _save(review, "p2_q1", ["p2_q1_a1"])
    page_url = "http://testserver" + _plan_url(review, pillar="p1")

    response = client_for(bob).post(
        _item_url(review, "p1_q1_a2"), _item_data("p1_q1_a2", status="wont_do"), HTTP_HX_CURRENT_URL=page_url, **HTMX
    )

    counters = response.content.decode().split('<p id="plan-status"', 1)[1]
    total = sum(int(n) for n in re.findall(r"<b>(\d+)</b>", counters))
    assert total == len(_plan(review, pillar="p1")[0][2])
    assert re.search(r'status-count wont_do">Won&#x27;t do <b>1</b>', counters)


def test_it_gives_the_status_label_a_class_of_its_own(review, client_for, bob):
    _save(review, "p1_q1", ["p1_q1_a1"])

    response = client_for(bob).get(_plan_url(review))

    assertContains(response, '<label class="field-status">')
    assertNotContains(response, '<label class="status">')


def test_it_shows_the_stored_tracking_on_the_plan_page(review, client_for, alice, bob):
    _save(review, "p1_q1", ["p1_q1_a1"])
    client_for(bob).post(
        _item_url(review, "p1_q1_a2"), _item_data("p1_q1_a2", owner=bob.pk, due_date="2030-01-31", note="OPS-1")
    )

    response = client_for(alice).get(_plan_url(review))

    form = re.search(r'<form id="item-p1_q1_a2".*?</form>', response.content.decode(), re.S).group(0)
    assert '<option value="in_progress" selected>' in form
    assert f'<option value="{bob.pk}" selected>bob</option>' in form
    assert 'value="2030-01-31"' in form
    assert "OPS-1</textarea>" in form


def test_it_can_track_a_practice_before_it_has_an_item(review, client_for, bob):
    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"])  # no risk: no items

    client_for(bob).post(_item_url(review, "p1_q1_a1"), _item_data("p1_q1_a1", status="wont_do"))

    assert _items(review) == {"p1_q1_a1": Status.WONT_DO}


def test_it_keeps_manual_tracking_through_unrelated_answer_saves(review, client_for, alice, bob):
    _save(review, "p1_q1", ["p1_q1_a1"])
    client_for(bob).post(
        _item_url(review, "p1_q1_a2"),
        _item_data("p1_q1_a2", owner=bob.pk, due_date="2030-01-31", note="Ticket OPS-1"),
    )
    client_for(bob).post(_item_url(review, "p1_q1_a3"), _item_data("p1_q1_a3", status="done"))
    before = {key: _tracking(review, key) for key in ("p1_q1_a2", "p1_q1_a3")}

    _save(review, "p1_q1", ["p1_q1_a1"], notes="Only the notes change", user=alice)
    _save(review, "p1_q2", ["p1_q2_no"], user=alice)
    _save(review, "p2_q1", ["p2_q1_a1", "p2_q1_a2", "p2_q1_a3"], user=alice)
    client_for(alice).post(
        reverse("reviewapp:answer_save", args=[review.pk]),
        {"question": "p1_q1", "choices": ["p1_q1_a1"], "notes": "Again"},
    )

    assert {key: _tracking(review, key) for key in ("p1_q1_a2", "p1_q1_a3")} == before
    assert before["p1_q1_a2"][:4] == (Status.IN_PROGRESS, bob.pk, datetime.date(2030, 1, 31), "Ticket OPS-1")


def test_it_keeps_the_tracking_of_a_practice_when_another_practice_of_its_question_is_ticked(review, client_for, bob):
    _save(review, "p1_q1", ["p1_q1_no"])
    client_for(bob).post(
        _item_url(review, "p1_q1_a2"), _item_data("p1_q1_a2", status="wont_do", owner=bob.pk, note="Too costly")
    )
    before = _tracking(review, "p1_q1_a2")

    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a3"])

    assert _tracking(review, "p1_q1_a2") == before
    assert _items(review) == {"p1_q1_a1": Status.DONE, "p1_q1_a2": Status.WONT_DO, "p1_q1_a3": Status.DONE}
    assert _plan(review) == [("p1_q1", AnswerRisk.MEDIUM, ["p1_q1_a2"])]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("due_date", "2030-02-31", "Enter a valid date."),
        ("due_date", "next week", "Enter a valid date."),
        ("owner", "charlie", "Select a valid choice."),
        ("status", "finished", "Select a valid choice."),
    ],
)
def test_it_refuses_a_bad_item_update_with_400_and_changes_nothing(
    review, client_for, bob, charlie, field, value, message, headers
):
    _save(review, "p1_q1", ["p1_q1_a1"])
    client_for(bob).post(_item_url(review, "p1_q1_a2"), _item_data("p1_q1_a2", owner=bob.pk, note="Kept"))
    before = _tracking(review, "p1_q1_a2")
    data = _item_data("p1_q1_a2", status="done", owner=bob.pk, due_date="2030-01-31", note="Changed")
    data[f"p1_q1_a2-{field}"] = charlie.pk if value == "charlie" else value

    response = client_for(bob).post(_item_url(review, "p1_q1_a2"), data, **headers)

    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assert "<html" not in response.content.decode()
    assert _tracking(review, "p1_q1_a2") == before
    assert _items(review) == {"p1_q1_a2": Status.IN_PROGRESS, "p1_q1_a3": Status.OPEN}


def test_it_creates_no_item_when_the_first_update_is_refused(review, client_for, bob, charlie):
    response = client_for(bob).post(_item_url(review, "p1_q1_a2"), _item_data("p1_q1_a2", owner=charlie.pk))

    assert response.status_code == 400
    assert _items(review) == {}


@pytest.mark.parametrize("key", ["p1_q1_no", "p9_q9_a1", "p1_q1"])
def test_it_answers_404_for_a_key_that_is_not_a_practice_of_the_lens(review, client_for, bob, key):
    response = client_for(bob).post(_item_url(review, key), _item_data(key))

    assert response.status_code == 404
    assert _items(review) == {}


def test_it_answers_405_to_get_on_the_item_update(review, client_for, alice):
    assert client_for(alice).get(_item_url(review, "p1_q1_a2")).status_code == 405


def test_it_offers_only_members_as_owners(review, client_for, alice):
    _save(review, "p1_q1", ["p1_q1_a1"])

    response = client_for(alice).get(_plan_url(review))

    form = re.search(r'<form id="item-p1_q1_a2".*?</form>', response.content.decode(), re.S).group(0)
    assert re.findall(r'<option value="\d+">(\w+)</option>', form) == ["alice", "bob", "vera"]


# --- Filters -----------------------------------------------------------------------------------


@pytest.fixture
def tracked(review, client_for, alice, bob, vera):
    """p1_q1 high (a1..a3 missing), p1_q2 medium (a2, a3), p2_q1 high (a1, a2), p2_q2 no risk; some tracking."""
    _save(review, "p1_q1", ["p1_q1_no"])
    _save(review, "p1_q2", ["p1_q2_a1"])
    _save(review, "p2_q1", ["p2_q1_a3"])
    _save(review, "p2_q2", ["p2_q2_a1", "p2_q2_a2", "p2_q2_a3"])
    client = client_for(alice)
    client.post(_item_url(review, "p1_q1_a2"), _item_data("p1_q1_a2", status="in_progress", owner=bob.pk))
    client.post(_item_url(review, "p1_q2_a3"), _item_data("p1_q2_a3", status="in_progress", owner=vera.pk))
    client.post(_item_url(review, "p2_q1_a1"), _item_data("p2_q1_a1", status="done", owner=bob.pk))
    return review


ALL_PRACTICES = ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3", "p2_q1_a1", "p2_q1_a2", "p1_q2_a2", "p1_q2_a3"]


@pytest.mark.parametrize(
    ("params", "practices"),
    [
        ({}, ALL_PRACTICES),
        ({"pillar": "p2"}, ["p2_q1_a1", "p2_q1_a2"]),
        ({"risk": "MEDIUM_RISK"}, ["p1_q2_a2", "p1_q2_a3"]),
        ({"risk": "HIGH_RISK"}, ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3", "p2_q1_a1", "p2_q1_a2"]),
        ({"status": "in_progress"}, ["p1_q1_a2", "p1_q2_a3"]),
        ({"status": "done"}, ["p2_q1_a1"]),
        ({"status": "open"}, ["p1_q1_a1", "p1_q1_a3", "p2_q1_a2", "p1_q2_a2"]),
        ({"owner": "bob"}, ["p1_q1_a2", "p2_q1_a1"]),
        ({"owner": "vera"}, ["p1_q2_a3"]),
        ({"pillar": "p1", "risk": "HIGH_RISK", "owner": "bob"}, ["p1_q1_a2"]),
    ],
    ids=lambda v: "-".join(map(str, v.values())) if isinstance(v, dict) else None,
)
def test_it_filters_the_plan_page(tracked, client_for, alice, bob, vera, params, practices):
    users = {"bob": bob.pk, "vera": vera.pk}
    query = {k: users.get(v, v) for k, v in params.items()}

    response = client_for(alice).get(_plan_url(tracked, **query))

    assert _practices_on_page(response) == practices
    for hidden in set(ALL_PRACTICES) - set(practices):
        assertNotContains(response, f'id="practice-{hidden}"')
    if params:
        assertContains(response, f'href="{_plan_url(tracked)}">Clear</a>')


def test_it_says_so_when_nothing_matches_the_filters(tracked, client_for, alice):
    response = client_for(alice).get(_plan_url(tracked, pillar="p2", risk="MEDIUM_RISK"))

    assert _practices_on_page(response) == []
    assertContains(response, "Nothing matches the filters.")


def test_it_ignores_filters_it_cannot_understand(tracked, client_for, alice):
    response = client_for(alice).get(_plan_url(tracked, pillar="nope", status="sleeping"))

    assert response.status_code == 200
    assert _practices_on_page(response) == ALL_PRACTICES


def test_it_filters_the_plan_without_a_request(tracked, bob):
    assert _plan(tracked, status="done") == [("p2_q1", AnswerRisk.HIGH, ["p2_q1_a1"])]
    assert _plan(tracked, owner=bob.pk, risk=AnswerRisk.HIGH) == [
        ("p1_q1", AnswerRisk.HIGH, ["p1_q1_a2"]),
        ("p2_q1", AnswerRisk.HIGH, ["p2_q1_a1"]),
    ]
    assert _plan(tracked, pillar="p1") == [
        ("p1_q1", AnswerRisk.HIGH, ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"]),
        ("p1_q2", AnswerRisk.MEDIUM, ["p1_q2_a2", "p1_q2_a3"]),
    ]


# --- Queries -------------------------------------------------------------------------------------


def _plan_page_queries(client, review) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_plan_url(review))
    assert response.status_code == 200
    return len(queries)


def test_it_renders_the_plan_page_in_a_fixed_number_of_queries(review, client_for, alice):
    client = client_for(alice)
    _save(review, "p1_q1", ["p1_q1_a1"])  # one risky question, two practices
    client.get(_plan_url(review))  # the first page counts the unread notifications for the header once (cached)
    small = _plan_page_queries(client, review)

    for key in ("p1_q2", "p2_q1", "p2_q2"):
        _save(review, key, [f"{key}_no"])  # three more, three practices each
    large = _plan_page_queries(client, review)

    assert large == small


def test_it_leaves_items_alone_on_a_save_of_the_notes_alone(review, alice):
    _save(review, "p1_q1", ["p1_q1_a1"], user=alice)  # medium: items for a2 and a3
    before = _items(review)

    with CaptureQueriesContext(connection) as queries:
        _save(review, "p1_q1", ["p1_q1_a1"], user=alice, notes="we alarm on errors")

    assert _items(review) == before == {"p1_q1_a2": Status.OPEN, "p1_q1_a3": Status.OPEN}
    assert not [q for q in queries.captured_queries if "reviewapp_improvementitem" in q["sql"]]


def test_it_still_brings_items_along_when_only_the_applicability_changes(review, alice):
    _save(review, "p1_q1", ["p1_q1_a1"], user=alice, na=True, reason="OUT_OF_SCOPE")
    assert _items(review) == {}

    _save(review, "p1_q1", ["p1_q1_a1"], user=alice)  # applies again: medium, same choices

    assert _items(review) == {"p1_q1_a2": Status.OPEN, "p1_q1_a3": Status.OPEN}
