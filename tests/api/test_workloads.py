"""Workloads and their members through the API."""

import json

import pytest

from questions.models import Lens
from reviewapp.models import AnswerRisk, Membership, Review, Role, Workload

from ..factories import make_lens, make_user, make_workload, workload_snapshot

NEW = {
    "name": "Payments",
    "description": "Card payments.",
    "environment": "PREPRODUCTION",
    "regions": ["ap-northeast-2", "us-east-1"],
    "review_owner": "Platform team",
    "industry": "Finance",
    "architecture_diagram_url": "https://example.com/diagram.png",
    "notes": "Ask Kim.",
}


def _send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def _members(workload) -> list[tuple[str, str]]:
    return sorted(workload.memberships.values_list("user__username", "role"))


@pytest.fixture
def as_alice(api_for, alice):
    return api_for(alice)


# --- Creating -----------------------------------------------------------------------------------


def test_it_creates_a_workload_owned_by_its_creator_with_a_review_per_lens(lens, bob, api_for):
    other = make_lens(slug="other", pillars=1, questions_per_pillar=3)

    response = _send(api_for(bob), "post", "/api/v1/workloads/", {**NEW, "lenses": [lens.pk, other.pk]})

    assert response.status_code == 201, response.content
    workload = Workload.objects.get(pk=response.json()["id"])
    assert {field: getattr(workload, field) for field in NEW} == NEW
    assert workload.created_by == bob
    assert _members(workload) == [("bob", Role.OWNER)]
    reviews = {r.lens.slug: r for r in workload.reviews.select_related("lens")}
    assert set(reviews) == {"mini", "other"}
    assert (reviews["mini"].answers.count(), reviews["other"].answers.count()) == (4, 3)
    assert set(reviews["mini"].answers.values_list("risk", flat=True)) == {AnswerRisk.UNANSWERED}
    body = response.json()
    assert (body["name"], sorted(body["reviews"])) == ("Payments", sorted(r.pk for r in reviews.values()))
    assert "lenses" not in body


def test_it_tells_the_creator_they_own_the_new_workload(db, bob, api_for):
    response = _send(api_for(bob), "post", "/api/v1/workloads/", NEW)

    assert response.json()["role"] == "owner"


def test_it_creates_a_workload_without_reviews_when_no_lens_is_given(db, bob, api_for):
    body = {"name": "Bare", "description": "d", "review_owner": "T"}

    response = _send(api_for(bob), "post", "/api/v1/workloads/", body)

    workload = Workload.objects.get(pk=response.json()["id"])
    assert (workload.reviews.count(), workload.environment, workload.regions) == (0, "PRODUCTION", [])


@pytest.mark.parametrize("status", [Lens.Status.DRAFT, Lens.Status.RETIRED])
def test_it_refuses_to_start_a_review_on_an_unpublished_lens(db, bob, api_for, status):
    lens = make_lens(slug="soon")
    lens.status = status
    lens.save()

    response = _send(api_for(bob), "post", "/api/v1/workloads/", {**NEW, "lenses": [lens.pk]})

    body = _error(response)
    assert list(body["details"]) == ["lenses"]
    assert body["error"].startswith("lenses: Invalid pk")
    assert not Workload.objects.exists()


def test_it_refuses_a_lens_named_twice_and_creates_nothing(lens, bob, api_for):
    response = _send(api_for(bob), "post", "/api/v1/workloads/", {**NEW, "lenses": [lens.pk, lens.pk]})

    body = _error(response)
    assert list(body["details"]) == ["lenses"]
    assert body["error"] == "lenses: A lens is named twice; a workload has one review per lens."
    assert not Workload.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"environment": "STAGING"}, "environment"),
        ({"architecture_diagram_url": "not a url"}, "architecture_diagram_url"),
        ({"regions": "ap-northeast-2"}, "regions"),
    ],
)
def test_it_refuses_a_workload_with_a_bad_field_and_creates_nothing(db, bob, api_for, change, field):
    body = _error(_send(api_for(bob), "post", "/api/v1/workloads/", {**NEW, **change}))

    assert list(body["details"]) == [field]
    assert body["error"].startswith(f"{field}: ")
    assert not Workload.objects.exists()


def test_it_names_every_missing_field(db, bob, api_for):
    body = _error(_send(api_for(bob), "post", "/api/v1/workloads/", {}))

    assert sorted(body["details"]) == ["description", "name", "review_owner"]
    assert "name: This field is required." in body["error"]


# --- Changing -----------------------------------------------------------------------------------


def test_it_changes_a_workload_with_patch(workload, as_alice):
    body = {"name": "Shop 2", "regions": ["eu-west-1"]}

    response = _send(as_alice, "patch", f"/api/v1/workloads/{workload.pk}/", body)

    assert response.status_code == 200, response.content
    workload.refresh_from_db()
    assert (workload.name, workload.regions, workload.description) == ("Shop 2", ["eu-west-1"], "A shop.")
    assert response.json()["name"] == "Shop 2"


def test_it_replaces_a_workload_with_put(workload, as_alice):
    response = _send(as_alice, "put", f"/api/v1/workloads/{workload.pk}/", NEW)

    assert response.status_code == 200, response.content
    workload.refresh_from_db()
    assert {field: getattr(workload, field) for field in NEW} == NEW


def test_it_starts_no_review_when_lenses_come_with_an_update(workload, as_alice):
    other = make_lens(slug="other")

    response = _send(as_alice, "patch", f"/api/v1/workloads/{workload.pk}/", {"lenses": [other.pk]})

    assert response.status_code == 200
    assert list(workload.reviews.values_list("lens__slug", flat=True)) == ["mini"]


def test_it_refuses_a_bad_update_and_changes_nothing(workload, as_alice):
    before = workload_snapshot(workload)

    body = _error(_send(as_alice, "patch", f"/api/v1/workloads/{workload.pk}/", {"name": "", "industry": "x" * 101}))

    assert sorted(body["details"]) == ["industry", "name"]
    assert workload_snapshot(workload) == before


# --- Listing ------------------------------------------------------------------------------------


def test_it_lists_workloads_by_name_and_finds_them_by_part_of_the_name(alice, lens, as_alice):
    for name in ("shop-b", "Archive", "Shop A"):
        make_workload(alice, name=name)

    everything = as_alice.get("/api/v1/workloads/").json()
    found = as_alice.get("/api/v1/workloads/", {"search": "SHOP"}).json()
    nothing = as_alice.get("/api/v1/workloads/", {"search": "zzz"}).json()

    assert [w["name"] for w in everything["results"]] == ["Archive", "Shop A", "shop-b"]
    assert ([w["name"] for w in found["results"]], found["count"]) == (["Shop A", "shop-b"], 2)
    assert (nothing["results"], nothing["count"]) == ([], 0)


def test_it_shows_every_field_of_a_workload(workload, review, as_alice):
    body = as_alice.get(f"/api/v1/workloads/{workload.pk}/").json()

    assert set(body) == {
        "id",
        "name",
        "description",
        "environment",
        "regions",
        "review_owner",
        "industry",
        "architecture_diagram_url",
        "notes",
        "role",
        "reviews",
        "created_at",
        "updated_at",
    }
    assert (body["id"], body["description"], body["review_owner"], body["reviews"]) == (
        workload.pk,
        "A shop.",
        "Team",
        [review.pk],
    )


# --- Members ------------------------------------------------------------------------------------


def _members_url(workload) -> str:
    return f"/api/v1/workloads/{workload.pk}/members/"


def test_it_lists_members_by_username(workload, api_for, vera):
    response = api_for(vera).get(_members_url(workload))

    assert [(m["username"], m["role"]) for m in response.json()] == [
        ("alice", "owner"),
        ("bob", "contributor"),
        ("vera", "viewer"),
    ]
    assert response.json()[0]["id"] == Membership.objects.get(workload=workload, user__username="alice").pk


def test_it_adds_a_member_by_username(workload, as_alice):
    make_user("dave")

    response = _send(as_alice, "post", _members_url(workload), {"username": "dave", "role": "contributor"})

    assert response.status_code == 201, response.content
    assert (response.json()["username"], response.json()["role"]) == ("dave", "contributor")
    assert ("dave", Role.CONTRIBUTOR) in _members(workload)


def test_it_changes_the_role_of_an_existing_member(workload, as_alice):
    response = _send(as_alice, "post", _members_url(workload), {"username": "bob", "role": "viewer"})

    assert response.status_code == 201
    assert _members(workload) == [("alice", "owner"), ("bob", "viewer"), ("vera", "viewer")]
    assert Membership.objects.filter(workload=workload, user__username="bob").count() == 1


@pytest.mark.parametrize("username", ["nobody", "ghost"])
def test_it_refuses_an_unknown_username(workload, as_alice, username):
    before = _members(workload)

    body = _error(_send(as_alice, "post", _members_url(workload), {"username": username, "role": "viewer"}))

    assert body["error"] == f"username: There is no user named “{username}”."
    assert _members(workload) == before


def test_it_refuses_an_inactive_user(workload, as_alice):
    make_user("dave", is_active=False)

    body = _error(_send(as_alice, "post", _members_url(workload), {"username": "dave", "role": "viewer"}))

    assert body["error"] == "username: There is no user named “dave”."
    assert ("dave", "viewer") not in _members(workload)


def test_it_refuses_an_unknown_role(workload, as_alice):
    make_user("dave")

    body = _error(_send(as_alice, "post", _members_url(workload), {"username": "dave", "role": "admin"}))

    assert body["details"] == {"role": ['"admin" is not a valid choice.']}
    assert ("dave", "admin") not in _members(workload)


def test_it_removes_a_member(workload, as_alice):
    vera = Membership.objects.get(workload=workload, user__username="vera")

    response = as_alice.delete(f"{_members_url(workload)}{vera.pk}/")

    assert response.status_code == 204
    assert response.content == b""
    assert _members(workload) == [("alice", "owner"), ("bob", "contributor")]


def test_it_keeps_the_last_owner(workload, as_alice):
    alice = Membership.objects.get(workload=workload, user__username="alice")
    before = _members(workload)

    removed = as_alice.delete(f"{_members_url(workload)}{alice.pk}/")
    demoted = _send(as_alice, "post", _members_url(workload), {"username": "alice", "role": "viewer"})

    assert _error(removed)["error"].endswith("A workload needs at least one owner.")
    assert _error(demoted)["error"] == "username: A workload needs at least one owner."
    assert _members(workload) == before


def test_it_says_plainly_why_the_last_owner_stays(workload, as_alice):
    alice = Membership.objects.get(workload=workload, user__username="alice")

    response = as_alice.delete(f"{_members_url(workload)}{alice.pk}/")

    assert _error(response)["error"] == "A workload needs at least one owner."


def test_it_lets_an_owner_leave_once_there_is_another(workload, as_alice):
    _send(as_alice, "post", _members_url(workload), {"username": "bob", "role": "owner"})
    alice = Membership.objects.get(workload=workload, user__username="alice")

    response = as_alice.delete(f"{_members_url(workload)}{alice.pk}/")

    assert response.status_code == 204
    assert _members(workload) == [("bob", "owner"), ("vera", "viewer")]


def test_it_answers_404_for_a_membership_of_another_workload(workload, as_alice, alice, charlie):
    elsewhere = make_workload(charlie, name="Lab")
    charlies = Membership.objects.get(workload=elsewhere, user=charlie)

    response = as_alice.delete(f"{_members_url(workload)}{charlies.pk}/")

    assert response.status_code == 404
    assert Membership.objects.filter(pk=charlies.pk).exists()


def test_it_creates_no_review_for_members_added(workload, as_alice):
    make_user("dave")
    reviews_before = Review.objects.count()

    _send(as_alice, "post", _members_url(workload), {"username": "dave", "role": "owner"})

    assert Review.objects.count() == reviews_before
