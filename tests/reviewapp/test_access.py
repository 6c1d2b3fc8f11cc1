"""Who may do what: every workload and review URL, for every persona.

Personas: alice owns the workload, bob contributes, vera views, charlie is a stranger,
sam is staff (a member of nothing), and an anonymous visitor.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reviewapp import urls as reviewapp_urls
from reviewapp.access import get_review_for_user
from reviewapp.models import Answer, AnswerRisk, Invitation, Membership, Review, Role, Workload

from ..factories import make_lens, make_user, make_workload, workload_snapshot


@dataclass(frozen=True)
class Action:
    """One URL of the app, how to call it, and what success looks like."""

    name: str
    method: str
    url: Callable
    data: Callable = lambda w: {}
    writes: bool = False
    texts: Callable = lambda w: []  # what a reader sees on a GET page
    effect: Callable | None = None  # asserts the change a permitted POST made
    redirect: Callable | None = None  # where a permitted POST goes


def _edit_data(w):
    return {
        "name": "Shop renamed",
        "description": "A bigger shop.",
        "environment": "PREPRODUCTION",
        "regions": "us-east-1",
        "review_owner": "Team",
        "industry": "",
        "architecture_diagram_url": "",
        "notes": "",
    }


def _edited(w, user):
    w.workload.refresh_from_db()
    assert (w.workload.name, w.workload.environment, w.workload.regions) == (
        "Shop renamed",
        "PREPRODUCTION",
        ["us-east-1"],
    )


def _shared(w, user):
    assert Membership.objects.get(workload=w.workload, user=w.dave).role == Role.VIEWER


def _invited(w, user):
    invitation = Invitation.objects.get(workload=w.workload)
    assert (invitation.role, invitation.created_by) == (Role.CONTRIBUTOR, user)


def _removed(w, user):
    assert not Membership.objects.filter(workload=w.workload, user__username="vera").exists()


def _review_added(w, user):
    review = Review.objects.get(workload=w.workload, lens=w.other)
    assert review.answers.count() == 4
    assert set(review.answers.values_list("risk", flat=True)) == {AnswerRisk.UNANSWERED}
    assert review.created_by == user


def _answer_saved(w, user):
    answer = Answer.objects.get(review=w.review, question__key="p1_q1")
    assert (answer.risk, answer.version, answer.updated_by) == (AnswerRisk.MEDIUM, 1, user)
    assert list(answer.selected_choices.values_list("key", flat=True)) == ["p1_q1_a1"]


def _to_workload(w):
    return reverse("reviewapp:workload_detail", args=[w.workload.pk])


ACTIONS = [
    Action(
        "workload_detail",
        "get",
        lambda w: reverse("reviewapp:workload_detail", args=[w.workload.pk]),
        texts=lambda w: ["<h1>Shop</h1>", "<span>alice</span>", "<span>bob</span>", "<span>vera</span>", "mini lens"],
    ),
    Action(
        "review_detail",
        "get",
        lambda w: reverse("reviewapp:review_detail", args=[w.review.pk]),
        texts=lambda w: ["Question 1.1?", "Question 2.2?", "Pillar 2"],
    ),
    Action(
        "review_pillar",
        "get",
        lambda w: reverse("reviewapp:review_pillar", args=[w.review.pk, "p2"]),
        texts=lambda w: ["Question 2.1?", "Question 2.2?", "Practice 3", "None of these"],
    ),
    Action(
        "review_question",
        "get",
        lambda w: reverse("reviewapp:review_question", args=[w.review.pk, "p1_q2"]),
        texts=lambda w: ["Question 1.2?", 'value="p1_q2_a1"', "None of these"],
    ),
    Action(
        "workload_edit_page",
        "get",
        lambda w: reverse("reviewapp:workload_edit", args=[w.workload.pk]),
        writes=True,
        texts=lambda w: ['value="Shop"', "Edit workload"],
    ),
    Action(
        "workload_edit",
        "post",
        lambda w: reverse("reviewapp:workload_edit", args=[w.workload.pk]),
        data=_edit_data,
        writes=True,
        effect=_edited,
        redirect=_to_workload,
    ),
    Action(
        "member_share",
        "post",
        lambda w: reverse("reviewapp:member_share", args=[w.workload.pk]),
        data=lambda w: {"username": "dave", "role": Role.VIEWER},
        writes=True,
        effect=_shared,
        redirect=_to_workload,
    ),
    Action(
        "member_remove",
        "post",
        lambda w: reverse("reviewapp:member_remove", args=[w.workload.pk, w.vera_membership.pk]),
        writes=True,
        effect=_removed,
        redirect=_to_workload,
    ),
    Action(
        "invitation_create",
        "post",
        lambda w: reverse("reviewapp:invitation_create", args=[w.workload.pk]),
        data=lambda w: {"role": Role.CONTRIBUTOR, "valid_days": 7},
        writes=True,
        effect=_invited,
    ),
    Action(
        "review_add",
        "post",
        lambda w: reverse("reviewapp:review_add", args=[w.workload.pk]),
        data=lambda w: {"lens": w.other.pk},
        writes=True,
        effect=_review_added,
        redirect=lambda w: reverse(
            "reviewapp:review_detail", args=[Review.objects.get(workload=w.workload, lens=w.other).pk]
        ),
    ),
    Action(
        # Owners (and staff) only: the archive holds the members and everything of the workload.
        "workload_archive",
        "get",
        lambda w: reverse("reviewapp:workload_archive", args=[w.workload.pk]),
        writes=True,
        texts=lambda w: ['"format": "wa-workload-archive"', '"username": "vera"', '"name": "Shop"'],
    ),
    Action(
        "answer_save",
        "post",
        lambda w: reverse("reviewapp:answer_save", args=[w.review.pk]),
        data=lambda w: {"question": "p1_q1", "choices": ["p1_q1_a1"]},
        writes=True,
        effect=_answer_saved,
        redirect=lambda w: reverse("reviewapp:review_question", args=[w.review.pk, "p1_q1"]),
    ),
]
BY_NAME = {action.name: action for action in ACTIONS}
READS = [a.name for a in ACTIONS if not a.writes]

# What each member may do; everything else is 403 for a member and 404 for a stranger.
ALLOWED = {
    "alice": set(BY_NAME),
    "sam": set(BY_NAME),  # staff
    "bob": set(READS) | {"workload_edit_page", "workload_edit", "review_add", "answer_save"},
    "vera": set(READS),
}
DENIED = [
    pytest.param(persona, name, id=f"{persona}-{name}")
    for persona in ("bob", "vera")
    for name in BY_NAME
    if name not in ALLOWED[persona]
]
PERMITTED = [
    pytest.param(persona, name, id=f"{persona}-{name}")
    for persona, names in ALLOWED.items()
    for name in BY_NAME
    if name in names
]


@pytest.fixture
def world(workload, review, charlie, staff):
    """The workload of the personas, a second lens to start a review with, and dave to share with."""
    return SimpleNamespace(
        workload=workload,
        review=review,
        other=make_lens(slug="other"),
        dave=make_user("dave"),
        vera_membership=workload.memberships.get(user__username="vera"),
    )


def _call(client, action: Action, w):
    return getattr(client, action.method)(action.url(w), action.data(w))


def _everything(w) -> dict:
    counts = {model.__name__: model.objects.count() for model in (Workload, Membership, Review, Answer, Invitation)}
    selected = Answer.selected_choices.through.objects.count()
    return {"workload": workload_snapshot(w.workload), "counts": counts, "selected": selected}


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


@pytest.mark.parametrize("url", [reverse("reviewapp:workload_list"), reverse("reviewapp:workload_create")])
def test_it_sends_anonymous_visitors_to_the_login_page_from_the_list_and_create(db, client_for, url):
    response = client_for(None).get(url)

    assertRedirects(response, f"{reverse('login')}?next={quote(url)}", fetch_redirect_response=False)


def test_it_creates_nothing_for_an_anonymous_post_to_create(db, client_for, lens):
    response = client_for(None).post(
        reverse("reviewapp:workload_create"),
        {"name": "X", "description": "d", "environment": "PRODUCTION", "review_owner": "T", "lenses": [lens.pk]},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Workload.objects.exists()


@pytest.mark.parametrize("name", list(BY_NAME))
def test_it_answers_404_to_an_outsider_for_everything_under_the_workload(world, client_for, charlie, name):
    before = _everything(world)

    response = _call(client_for(charlie), BY_NAME[name], world)

    assert response.status_code == 404
    assert _everything(world) == before


# Every URL of reviewapp/urls.py, including those added after this file was written.
UNDER_A_WORKLOAD = [
    pattern for pattern in reviewapp_urls.urlpatterns if str(pattern.pattern).startswith(("workloads/<", "reviews/<"))
]


def _any_url(pattern, w) -> str:
    """The pattern's URL for the personas' workload (or its review), other ids pointing anywhere."""
    route = str(pattern.pattern)
    kwargs = {}
    for name in pattern.pattern.converters:
        if name == "pk":
            kwargs[name] = w.workload.pk if route.startswith("workloads/") else w.review.pk
        elif name == "member_pk":
            kwargs[name] = w.vera_membership.pk
        elif name == "key":
            kwargs[name] = "p1_q1"
        elif name == "fmt":
            kwargs[name] = "csv"
        elif name == "ext":
            kwargs[name] = "json"
        else:
            kwargs[name] = 1
    return reverse(f"reviewapp:{pattern.name}", kwargs=kwargs)


def test_it_knows_the_urls_under_a_workload():
    names = {pattern.name for pattern in UNDER_A_WORKLOAD}

    assert names >= {a.name for a in ACTIONS} - {"workload_edit_page"}


@pytest.mark.parametrize("pattern", UNDER_A_WORKLOAD, ids=lambda p: p.name)
def test_it_sends_anonymous_visitors_to_the_login_page_from_every_url(world, client_for, pattern):
    url = _any_url(pattern, world)
    before = _everything(world)
    client = client_for(None)

    for response in (client.get(url), client.post(url, {"name": "x", "question": "p1_q1"})):
        if pattern.name == "review_live" and response.status_code != 405:
            # the poll is an htmx request: it sends the browser to sign in with HX-Redirect
            assert response["HX-Redirect"].startswith(reverse("login")), response
        elif pattern.name != "review_live":
            assertRedirects(response, f"{reverse('login')}?next={quote(url)}", fetch_redirect_response=False)
    assert _everything(world) == before


@pytest.mark.parametrize("pattern", UNDER_A_WORKLOAD, ids=lambda p: p.name)
def test_it_answers_404_to_an_outsider_on_every_url(world, client_for, charlie, pattern):
    url = _any_url(pattern, world)
    before = _everything(world)
    client = client_for(charlie)

    statuses = {client.get(url).status_code, client.post(url, {"name": "x", "question": "p1_q1"}).status_code}

    assert 404 in statuses and statuses <= {404, 405}, statuses
    assert _everything(world) == before


def test_it_answers_404_for_a_workload_or_review_that_does_not_exist(world, client_for, alice):
    client = client_for(alice)

    assert client.get(reverse("reviewapp:workload_detail", args=[999999])).status_code == 404
    assert client.get(reverse("reviewapp:review_detail", args=[999999])).status_code == 404
    assert client.get(reverse("reviewapp:review_pillar", args=[world.review.pk, "nope"])).status_code == 404
    assert client.get(reverse("reviewapp:review_question", args=[world.review.pk, "nope"])).status_code == 404


@pytest.mark.parametrize(("persona", "name"), DENIED)
def test_it_forbids_members_what_their_role_does_not_allow(world, client_for, persona, name):
    before = _everything(world)

    response = _call(client_for(_user(persona)), BY_NAME[name], world)

    assert response.status_code == 403
    assert _everything(world) == before


@pytest.mark.parametrize(("persona", "name"), PERMITTED)
def test_it_lets_members_and_staff_do_what_their_role_allows(world, client_for, persona, name):
    action = BY_NAME[name]
    user = _user(persona)

    response = _call(client_for(user), action, world)

    if action.method == "get":
        assert response.status_code == 200
        for text in action.texts(world):
            assertContains(response, text)
    else:
        if action.redirect is None:  # a page showing the result once (the invitation link)
            assert response.status_code == 200
        else:
            assertRedirects(response, action.redirect(world), fetch_redirect_response=False)
        action.effect(world, user)


def test_it_keeps_staff_out_of_the_member_list(world, client_for, staff):
    response = client_for(staff).get(reverse("reviewapp:workload_detail", args=[world.workload.pk]))

    assertContains(response, "<h1>Shop</h1>")
    assert not Membership.objects.filter(user=staff).exists()


@pytest.mark.parametrize(
    ("persona", "can_write", "is_owner"), [("alice", True, True), ("bob", True, False), ("vera", False, False)]
)
def test_it_offers_each_member_only_the_controls_of_their_role(world, client_for, persona, can_write, is_owner):
    client = client_for(_user(persona))
    detail = client.get(reverse("reviewapp:workload_detail", args=[world.workload.pk]))
    question = client.get(reverse("reviewapp:review_question", args=[world.review.pk, "p1_q1"]))

    share_action = f'action="{reverse("reviewapp:member_share", args=[world.workload.pk])}"'
    archive_link = f'href="{reverse("reviewapp:workload_archive", args=[world.workload.pk])}"'
    edit_link = f'href="{reverse("reviewapp:workload_edit", args=[world.workload.pk])}"'
    read_only = "You can read this review; only owners and contributors can change it."
    assert (share_action in detail.content.decode()) is is_owner
    assert (archive_link in detail.content.decode()) is is_owner
    assert (edit_link in detail.content.decode()) is can_write
    assert (read_only in question.content.decode()) is not can_write
    assert ('<fieldset class="choices" disabled>' in question.content.decode()) is not can_write


@pytest.mark.parametrize("name", ["member_share", "member_remove", "review_add", "answer_save"])
def test_it_answers_405_to_get_on_post_only_views(world, client_for, alice, name):
    before = _everything(world)

    response = client_for(alice).get(BY_NAME[name].url(world))

    assert response.status_code == 405
    assert _everything(world) == before


def test_it_lists_only_the_workloads_of_the_user(world, client_for, alice, charlie, vera):
    make_workload(charlie, name="Charlie's lab")
    make_workload(alice, name="Alice's archive")
    url = reverse("reviewapp:workload_list")

    for_alice = client_for(alice).get(url)
    for_vera = client_for(vera).get(url)
    for_charlie = client_for(charlie).get(url)

    assert [w.name for w in for_alice.context["workloads"]] == ["Alice's archive", "Shop"]
    assertContains(for_alice, ">Shop</a>")
    assertContains(for_alice, "Alice&#x27;s archive")
    assertNotContains(for_alice, "Charlie&#x27;s lab")
    assert [w.name for w in for_vera.context["workloads"]] == ["Shop"]
    assertNotContains(for_vera, "Alice&#x27;s archive")
    assert [w.name for w in for_charlie.context["workloads"]] == ["Charlie's lab"]
    assertNotContains(for_charlie, ">Shop</a>")


def test_it_lists_every_workload_for_staff(world, client_for, staff, charlie):
    make_workload(charlie, name="Charlie's lab")

    response = client_for(staff).get(reverse("reviewapp:workload_list"))

    assert [w.name for w in response.context["workloads"]] == ["Charlie's lab", "Shop"]
    assertContains(response, "Charlie&#x27;s lab")
    assertContains(response, ">Shop</a>")


def test_it_lets_a_user_without_workloads_see_an_empty_list(db, client_for, charlie):
    response = client_for(charlie).get(reverse("reviewapp:workload_list"))

    assertContains(response, "No workloads yet. Create one to start a review.")


@pytest.mark.parametrize(
    ("persona", "role"), [("alice", Role.OWNER), ("bob", Role.CONTRIBUTOR), ("vera", Role.VIEWER), ("sam", Role.OWNER)]
)
def test_it_reads_the_review_and_the_role_in_one_query(world, persona, role, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username=persona)
    with django_assert_num_queries(3):  # the first time, the workload and lens are read too, then kept
        get_review_for_user(request, world.review.pk)

    with django_assert_num_queries(1) as queries:
        review, found = get_review_for_user(request, world.review.pk)

    assert (review, found) == (world.review, role)
    assert (review.workload, review.lens) == (world.review.workload, world.review.lens)
    assert "ORDER BY" not in queries.captured_queries[0]["sql"]  # nor the joins a default ordering brings


def test_a_renamed_workload_or_new_webhook_events_are_read_again(world, alice, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = alice
    get_review_for_user(request, world.review.pk)
    workload = world.review.workload
    workload.name = "Renamed"
    workload.save()

    review, _role = get_review_for_user(request, world.review.pk)
    assert review.workload.name == "Renamed"

    Workload.objects.filter(pk=workload.pk).update(webhook_events=["answer.saved"])  # as webhooks.py does
    review, _role = get_review_for_user(request, world.review.pk)
    assert review.workload.webhook_events == ["answer.saved"]


def test_it_answers_404_to_a_stranger_in_that_one_query(world, charlie, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = charlie

    with django_assert_num_queries(1), pytest.raises(Http404):
        get_review_for_user(request, world.review.pk)
