"""Who may use the improvement plan, milestone and report URLs, persona by persona.

alice owns the workload, bob contributes, vera views, charlie is a stranger, sam is staff
(a member of nothing), and an anonymous visitor.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.milestones import milestone_create
from reviewapp.models import ImprovementItem, Milestone, MilestoneAnswer

from ..factories import answer_snapshot


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    url: Callable
    data: Callable = lambda w: {}
    writes: bool = False
    texts: Callable = lambda w: []  # what a reader sees on a GET page
    pdf: bool = False
    effect: Callable | None = None  # asserts the change a permitted POST made
    redirect: Callable | None = None  # where a permitted POST goes


def _item_data(w):
    return {"p1_q1_a2-status": "in_progress", "p1_q1_a2-owner": w.bob.pk, "p1_q1_a2-note": "On it"}


def _item_updated(w, user):
    item = ImprovementItem.objects.get(review=w.review, choice__key="p1_q1_a2")
    assert (item.status, item.owner, item.note, item.updated_by) == ("in_progress", w.bob, "On it", user)


def _milestone_taken(w, user):
    milestone = Milestone.objects.get(review=w.review, name="Taken")
    assert milestone.created_by == user
    assert milestone.answers.count() == 4


ACTIONS = [
    Action(
        "plan",
        "get",
        lambda w: reverse("reviewapp:plan", args=[w.review.pk]),
        texts=lambda w: ["Question 1.1?", 'id="practice-p1_q1_a2"', "Do practice 3."],
    ),
    Action(
        "plan_item_update",
        "post",
        lambda w: reverse("reviewapp:plan_item_update", args=[w.review.pk, "p1_q1_a2"]),
        data=_item_data,
        writes=True,
        effect=_item_updated,
        redirect=lambda w: reverse("reviewapp:plan", args=[w.review.pk]) + "#practice-p1_q1_a2",
    ),
    Action(
        "milestone_list",
        "get",
        lambda w: reverse("reviewapp:milestone_list", args=[w.review.pk]),
        texts=lambda w: ["Baseline", '<svg class="chart trend"'],
    ),
    Action(
        "milestone_create",
        "post",
        lambda w: reverse("reviewapp:milestone_list", args=[w.review.pk]),
        data=lambda w: {"name": "Taken"},
        writes=True,
        effect=_milestone_taken,
        redirect=lambda w: reverse("reviewapp:milestone_list", args=[w.review.pk]),
    ),
    Action(
        "milestone_detail",
        "get",
        lambda w: reverse("reviewapp:milestone_detail", args=[w.review.pk, w.milestone.pk]),
        texts=lambda w: ["Milestone “Baseline”", "Question 2.2?", "Medium risk"],
    ),
    Action(
        "milestone_compare",
        "get",
        lambda w: reverse("reviewapp:milestone_compare", args=[w.review.pk]),
        texts=lambda w: ["<th>Question</th><th>Baseline</th><th>Now</th>", "Question 1.2?"],
    ),
    Action("report", "get", lambda w: reverse("reviewapp:report", args=[w.review.pk]), pdf=True),
    Action(
        "milestone_report",
        "get",
        lambda w: reverse("reviewapp:milestone_report", args=[w.review.pk, w.milestone.pk]),
        pdf=True,
    ),
]
BY_NAME = {action.name: action for action in ACTIONS}
READS = {a.name for a in ACTIONS if not a.writes}
ALLOWED = {"alice": set(BY_NAME), "bob": set(BY_NAME), "sam": set(BY_NAME), "vera": READS}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(workload, review, alice, bob, charlie, staff):
    """p1_q1 at medium risk (items for a2 and a3 open) and a milestone "Baseline"."""
    answer_save(
        review=review,
        item=load_bank(review.lens).by_key["p1_q1"],
        user=alice,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes=""),
    )
    milestone = milestone_create(review=review, name="Baseline", user=alice)
    review.refresh_from_db()
    return SimpleNamespace(workload=workload, review=review, milestone=milestone, bob=bob)


def _call(client, action: Action, w):
    return getattr(client, action.method)(action.url(w), action.data(w))


def _everything(w) -> dict:
    items = sorted(
        ImprovementItem.objects.values_list("choice__key", "status", "owner_id", "due_date", "note", "updated_at")
    )
    counts = {m.__name__: m.objects.count() for m in (Milestone, MilestoneAnswer, ImprovementItem)}
    return {"items": items, "counts": counts, "answers": answer_snapshot(w.review)}


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize("name", list(BY_NAME))
def test_it_sends_anonymous_visitors_to_the_login_page(world, client_for, name):
    action = BY_NAME[name]
    before = _everything(world)

    response = _call(client_for(None), action, world)

    assertRedirects(
        response, f"{reverse(settings.LOGIN_URL)}?next={quote(action.url(world))}", fetch_redirect_response=False
    )
    assert _everything(world) == before


@pytest.mark.parametrize("name", list(BY_NAME))
def test_it_answers_404_to_an_outsider(world, client_for, charlie, name):
    before = _everything(world)

    response = _call(client_for(charlie), BY_NAME[name], world)

    assert response.status_code == 404
    assert "application/pdf" not in response.get("Content-Type", "")
    assert _everything(world) == before


@pytest.mark.parametrize("name", ["plan_item_update", "milestone_create"])
def test_it_forbids_a_viewer_to_change_anything(world, client_for, vera, name):
    before = _everything(world)

    response = _call(client_for(vera), BY_NAME[name], world)

    assert response.status_code == 403
    assert _everything(world) == before


def test_it_forbids_a_viewer_even_an_invalid_item_update(world, client_for, vera, charlie):
    before = _everything(world)

    response = client_for(vera).post(
        BY_NAME["plan_item_update"].url(world), {"p1_q1_a2-status": "nope", "p1_q1_a2-owner": charlie.pk}
    )

    assert response.status_code == 403
    assert _everything(world) == before


PERMITTED = [
    pytest.param(persona, name, id=f"{persona}-{name}")
    for persona, names in ALLOWED.items()
    for name in BY_NAME
    if name in names
]


@pytest.mark.parametrize(("persona", "name"), PERMITTED)
def test_it_lets_members_and_staff_do_what_their_role_allows(world, client_for, persona, name):
    action = BY_NAME[name]
    user = _user(persona)

    response = _call(client_for(user), action, world)

    if action.pdf:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="shop-')
        assert response.content.startswith(b"%PDF")
    elif action.method == "get":
        assert response.status_code == 200
        for text in action.texts(world):
            assertContains(response, text)
    else:
        assertRedirects(response, action.redirect(world), fetch_redirect_response=False)
        action.effect(world, user)


@pytest.mark.parametrize(("persona", "can_write"), [("alice", True), ("bob", True), ("sam", True), ("vera", False)])
def test_it_offers_the_write_controls_only_to_those_who_may_write(world, client_for, persona, can_write):
    client = client_for(_user(persona))

    plan = client.get(BY_NAME["plan"].url(world)).content.decode()
    milestones = client.get(BY_NAME["milestone_list"].url(world)).content.decode()

    assert ("<fieldset disabled>" in plan) is not can_write
    assert ("Save a milestone" in milestones) is can_write


def test_it_shows_milestones_but_no_milestone_form_to_a_viewer(world, client_for, vera):
    response = client_for(vera).get(BY_NAME["milestone_list"].url(world))

    assertContains(response, "Baseline")
    assertNotContains(response, 'name="name"')


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("plan_item_update", "get"),
        ("plan", "post"),
        ("milestone_detail", "post"),
        ("milestone_compare", "post"),
        ("report", "put"),  # a POST is "Try again" after a failed render (test_report_jobs.py)
        ("milestone_report", "put"),
    ],
)
def test_it_answers_405_to_the_wrong_method(world, client_for, alice, name, method):
    before = _everything(world)

    response = getattr(client_for(alice), method)(BY_NAME[name].url(world))

    assert response.status_code == 405
    assert _everything(world) == before


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("reviewapp:plan", args=[999999]),
        lambda w: reverse("reviewapp:milestone_list", args=[999999]),
        lambda w: reverse("reviewapp:milestone_detail", args=[w.review.pk, 999999]),
        lambda w: reverse("reviewapp:milestone_compare", args=[999999]),
        lambda w: reverse("reviewapp:report", args=[999999]),
        lambda w: reverse("reviewapp:milestone_report", args=[w.review.pk, 999999]),
    ],
    ids=["plan", "milestone_list", "milestone_detail", "compare", "report", "milestone_report"],
)
def test_it_answers_404_for_what_does_not_exist(world, client_for, staff, url):
    assert client_for(staff).get(url(world)).status_code == 404
