"""The portfolio of a lens across workloads (reviewapp/portfolio.py, views/portfolio.py, the API): what it
counts, who it counts for, the same figures as page, CSV, JSON and API, and a query count that does not
grow with the number of workloads."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.improvements import improvement_update
from reviewapp.milestones import milestone_create
from reviewapp.models import ImprovementItem, Milestone, Workload
from reviewapp.portfolio import portfolio_data, portfolio_of
from reviewapp.tokens import token_create

from ..factories import add_member, make_user, make_workload

PAGE = reverse("reviewapp:portfolio", args=["mini"])


def _answer(workload, user, key: str, *choices: str) -> None:
    review = workload.reviews.select_related("lens").get()
    item = load_bank(review.lens).by_key[key]
    state = AnswerState(choices=frozenset(f"{key}_{c}" for c in choices), applicable=True, reason="", notes="")
    answer_save(review=review, item=item, user=user, state=state)


@pytest.fixture
def shops(alice, bob, lens):
    """Shop (one high, one medium risk) and Depot (one high) are alice's; Lab (one high) is bob's alone."""
    shop = make_workload(alice, name="Shop", lens=lens)
    depot = make_workload(alice, name="Depot", lens=lens)
    lab = make_workload(bob, name="Lab", lens=lens)
    _answer(shop, alice, "p1_q1", "no")  # high: items for a1, a2, a3
    _answer(shop, alice, "p1_q2", "a1")  # medium: items for a2, a3
    _answer(depot, alice, "p1_q1", "a2")  # high: items for a1, a3
    _answer(lab, bob, "p1_q1", "no")
    item = ImprovementItem.objects.get(review__workload=shop, choice__key="p1_q2_a2")
    improvement_update(
        review=item.review, choice=item.choice, user=alice, status="in_progress", owner=alice, due_date=None, note=""
    )
    milestone_create(review=shop.reviews.get(), name="Before", user=alice)
    Milestone.objects.filter(name="Before").update(created_at=timezone.now() - timedelta(days=62))
    return shop, depot, lab


def _data(user) -> dict:
    with translation.override("en"):
        return portfolio_data(portfolio_of(workloads=Workload.objects.for_user(user), slug="mini"))


def test_it_counts_risks_per_pillar_over_the_workloads_the_user_can_see(alice, shops):
    data = _data(alice)

    assert (data["workloads"], data["reviews"]) == (2, 2)
    p1, p2 = data["pillars"]
    assert (p1["key"], p1["high"], p1["medium"], p1["unanswered"], p1["questions"]) == ("p1", 2, 1, 1, 4)
    assert (p2["key"], p2["unanswered"], p2["questions"]) == ("p2", 4, 4)
    assert data["totals"]["high"] == 2


def test_it_ranks_the_best_practices_most_often_missing(alice, shops):
    missing = [(m["key"], m["workloads"]) for m in _data(alice)["missing_practices"]]

    assert missing == [("p1_q1_a1", 2), ("p1_q1_a3", 2), ("p1_q1_a2", 1), ("p1_q2_a2", 1), ("p1_q2_a3", 1)]
    assert _data(alice)["missing_practices"][0]["title"] == "Practice 1"
    assert _data(alice)["missing_practices"][0]["question"] == "P1 1"


def test_it_counts_workloads_by_high_risks_and_items_by_status_and_owner(alice, shops):
    data = _data(alice)

    assert data["workloads_by_high_risks"][:2] == [{"high": "0", "workloads": 0}, {"high": "1", "workloads": 2}]
    assert data["workloads_by_high_risks"][-1]["high"] == "5+"
    assert [(w["workload"], w["high"], w["medium"]) for w in data["most_high_risks"]] == [
        ("Shop", 1, 1),
        ("Depot", 1, 0),
    ]
    assert data["improvement_items"]["by_status"] == {"open": 6, "in_progress": 1, "done": 0, "wont_do": 0}
    assert data["improvement_items"]["by_owner"] == [
        {"owner": "alice", "open": 0, "in_progress": 1, "done": 0, "wont_do": 0},
        {"owner": None, "open": 6, "in_progress": 0, "done": 0, "wont_do": 0},
    ]


def test_it_draws_the_trend_of_high_and_medium_risks_across_milestones(alice, shops):
    trend = _data(alice)["trend"]

    month = timezone.localtime(timezone.now() - timedelta(days=62)).strftime("%Y-%m")
    assert trend == [
        {"month": month, "milestones": 1, "high": 1, "medium": 1},
        {"month": "now", "milestones": 0, "high": 2, "medium": 1},
    ]


def test_it_counts_nothing_of_workloads_the_user_cannot_see(client_for, bob, charlie, staff, shops):
    assert _data(bob)["workloads"] == 1
    assert _data(bob)["missing_practices"][0] == {
        "rank": 1,
        "key": "p1_q1_a1",
        "title": "Practice 1",
        "question": "P1 1",
        "workloads": 1,
    }
    assert _data(charlie)["workloads"] == 0
    assert _data(charlie)["missing_practices"] == []
    assert _data(staff)["workloads"] == 3
    html = client_for(charlie).get(PAGE).content.decode()
    assert "Shop" not in html and "Depot" not in html and "Lab" not in html


def test_it_shows_the_figures_on_the_page_with_charts_and_links(client_for, alice, shops):
    shop, depot, _lab = shops
    html = client_for(alice).get(PAGE).content.decode()

    assert '<svg class="chart bars"' in html
    assert '<svg class="chart trend"' in html
    assert "Best practices most often missing" in html
    assert f'href="{reverse("reviewapp:workload_detail", args=[shop.pk])}">Shop</a>' in html
    assert f'href="{reverse("reviewapp:workload_list")}?missing=p1_q1_a1">2</a>' in html
    assert 'href="/portfolio/mini/portfolio.csv"' in html


def test_it_links_each_missing_practice_to_the_workloads_missing_it(client_for, alice, shops):
    html = client_for(alice).get(reverse("reviewapp:workload_list"), {"missing": "p1_q2_a2"}).content.decode()

    assert ">Shop</a>" in html and ">Depot</a>" not in html
    assert "p1_q2_a2" in html


def test_it_speaks_korean(client_for, alice, shops):
    html = client_for(alice, language="ko").get(PAGE).content.decode()

    assert "포트폴리오" in html
    assert "기둥 1" in html


def test_it_gives_the_same_figures_as_json_csv_and_api(client_for, alice, shops):
    client = client_for(alice)
    page_json = json.loads(client.get(reverse("reviewapp:portfolio_export", args=["mini", "json"])).content)
    csv_text = client.get(reverse("reviewapp:portfolio_export", args=["mini", "csv"])).content.decode("utf-8-sig")
    token = token_create(user=alice, name="t")[1]
    api = client_for().get("/api/v1/lenses/mini/portfolio/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert page_json == _data(alice) == api.json()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {"figure": "pillar", "key": "p1", "label": "Pillar 1", "measure": "high", "value": "2"} in rows
    assert {
        "figure": "missing_practice",
        "key": "p1_q1_a1",
        "label": "Practice 1",
        "measure": "workloads",
        "value": "2",
    } in rows


def test_it_answers_404_for_a_lens_that_does_not_exist(client_for, alice, shops):
    assert client_for(alice).get(reverse("reviewapp:portfolio", args=["nope"])).status_code == 404
    assert client_for(alice).get(reverse("reviewapp:portfolio_export", args=["nope", "csv"])).status_code == 404


def test_it_takes_as_many_queries_for_30_workloads_as_for_3(client_for, alice, lens):
    client = client_for(alice)
    counts = []
    for total in (3, 30):
        while Workload.objects.count() < total:
            n = Workload.objects.count()
            workload = make_workload(alice, name=f"w{n:02d}", lens=lens)
            add_member(workload, make_user(f"member{n}"), "viewer")
            _answer(workload, alice, "p1_q1", "a1")
            if n % 3 == 0:
                milestone_create(review=workload.reviews.get(), name="m", user=alice)
        client.get(PAGE)  # the session and the lens's bank warmed alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PAGE)
        assert response.status_code == 200
        assert f"{total} workloads" in response.content.decode()
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
