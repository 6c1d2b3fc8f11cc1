"""Lists come in pages (limit/offset) in a stable order."""

import pytest
from django.test import Client

from reviewapp.milestones import milestone_create

from ..factories import make_lens, make_workload


@pytest.fixture
def five_workloads(alice, lens):
    """Five workloads of alice, created out of name order, each with a review of the mini lens."""
    return [make_workload(alice, name=name, lens=lens) for name in ("Echo", "Alpha", "Delta", "Bravo", "Charlie")]


def test_it_pages_with_limit_and_offset(five_workloads, api_for, alice):
    client = api_for(alice)

    first = client.get("/api/v1/workloads/", {"limit": 2}).json()
    second = client.get("/api/v1/workloads/", {"limit": 2, "offset": 2}).json()
    last = client.get("/api/v1/workloads/", {"limit": 2, "offset": 4}).json()

    assert [w["name"] for w in first["results"] + second["results"] + last["results"]] == [
        "Alpha",
        "Bravo",
        "Charlie",
        "Delta",
        "Echo",
    ]
    assert (first["count"], second["count"], last["count"]) == (5, 5, 5)
    assert first["next"] == "http://testserver/api/v1/workloads/?limit=2&offset=2"
    assert first["previous"] is None
    assert second["next"] == "http://testserver/api/v1/workloads/?limit=2&offset=4"
    assert second["previous"] == "http://testserver/api/v1/workloads/?limit=2"
    assert last["next"] is None


def test_it_follows_next_to_the_end(five_workloads, api_for, alice):
    client = api_for(alice)
    url, names = "/api/v1/workloads/?limit=2", []

    while url:
        page = client.get(url).json()
        names += [w["name"] for w in page["results"]]
        url = page["next"]

    assert names == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]


def test_it_keeps_the_search_in_the_next_link(five_workloads, api_for, alice):
    page = api_for(alice).get("/api/v1/workloads/", {"search": "a", "limit": 1}).json()

    assert page["count"] == 4
    assert page["next"] == "http://testserver/api/v1/workloads/?limit=1&offset=1&search=a"


def test_it_gives_fifty_a_page_by_default(alice, api_for):
    for n in range(52):
        make_workload(alice, name=f"W{n:02}")

    page = api_for(alice).get("/api/v1/workloads/").json()

    assert (page["count"], len(page["results"])) == (52, 50)
    assert page["results"][-1]["name"] == "W49"
    assert page["next"].endswith("?limit=50&offset=50")


def test_it_orders_same_named_workloads_by_id(alice, api_for):
    ids = [make_workload(alice, name="Same").pk for _ in range(3)]

    page = api_for(alice).get("/api/v1/workloads/").json()

    assert [w["id"] for w in page["results"]] == ids


def test_it_orders_reviews_by_id_ascending(five_workloads, api_for, alice):
    page = api_for(alice).get("/api/v1/reviews/", {"limit": 3, "offset": 1}).json()

    ids = sorted(w.reviews.get().pk for w in five_workloads)
    assert [r["id"] for r in page["results"]] == ids[1:4]
    assert page["count"] == 5


def test_it_orders_lenses_by_slug_then_version(db, api_for, alice):
    for slug, version in (("b", "2"), ("a", "2"), ("b", "1"), ("a", "1")):
        make_lens(slug=slug, version=version, pillars=1, questions_per_pillar=1)

    page = api_for(alice).get("/api/v1/lenses/", {"limit": 3}).json()

    assert [(lens["slug"], lens["version"]) for lens in page["results"]] == [("a", "1"), ("a", "2"), ("b", "1")]
    assert page["count"] == 4


def test_it_pages_milestones_oldest_first(review, alice, api_for):
    for name in ("one", "two", "three"):
        milestone_create(review=review, name=name, user=alice)

    page = api_for(alice).get(f"/api/v1/reviews/{review.pk}/milestones/", {"limit": 2, "offset": 1}).json()

    assert ([m["name"] for m in page["results"]], page["count"]) == (["two", "three"], 3)


@pytest.mark.parametrize("query", [{"limit": "abc"}, {"limit": "-2"}, {"offset": "-1"}, {"offset": "x"}])
def test_it_falls_back_to_the_defaults_for_a_bad_limit_or_offset(five_workloads, api_for, alice, query):
    page = api_for(alice).get("/api/v1/workloads/", query).json()

    assert page["count"] == 5
    assert [w["name"] for w in page["results"]] == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]


def test_it_gives_an_empty_page_past_the_end(five_workloads, api_for, alice):
    page = api_for(alice).get("/api/v1/workloads/", {"offset": 100}).json()

    assert (page["count"], page["results"], page["next"]) == (5, [], None)


def test_it_survives_an_absurd_limit(five_workloads, alice):
    from reviewapp.tokens import token_create

    _token, key = token_create(user=alice, name="ci")
    client = Client(headers={"Authorization": f"Bearer {key}"}, raise_request_exception=False)

    response = client.get("/api/v1/workloads/", {"limit": 10**20})

    assert response.status_code in (200, 400)
    assert response["Content-Type"] == "application/json"
