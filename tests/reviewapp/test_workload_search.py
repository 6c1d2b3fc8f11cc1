"""The workload list among many workloads (reviewapp/workload_search.py, views/workloads.workload_list):
search, filters, sort and pages kept in the URL, htmx partial swaps, access, and a query count that
does not grow with the number of workloads."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewapp.models import Answer, AnswerRisk, Workload
from reviewapp.workload_search import PAGE_SIZE, WorkloadFilters, workload_search
from reviewapp.workloads import workload_create

from ..factories import add_member, make_lens, make_user

LIST = reverse("reviewapp:workload_list")


def _workload(owner, name: str, *, lens, risks: dict[str, str] | None = None, **fields) -> Workload:
    fields = {"description": "d", "review_owner": "Platform team", **fields}
    workload = workload_create(user=owner, lenses=[lens] if lens else [], name=name, **fields)
    for key, risk in (risks or {}).items():
        Answer.objects.filter(review__workload=workload, question__key=key).update(risk=risk)
    return workload


def _names(response) -> list[str]:
    return [
        html.unescape(name)
        for name in re.findall(r"<td><a href=\"/workloads/\d+/\">([^<]+)</a></td>", response.content.decode())
    ]


@pytest.fixture
def portfolio(alice, bob, lens):
    """Four of alice's workloads (bob sees two) and one that is bob's alone."""
    other = make_lens(slug="other", pillars=1, questions_per_pillar=2)
    shop = _workload(alice, "Shop", lens=lens, risks={"p1_q1": AnswerRisk.HIGH, "p1_q2": AnswerRisk.MEDIUM})
    pay = _workload(
        alice,
        "Payments",
        lens=lens,
        risks={"p1_q1": AnswerRisk.HIGH, "p1_q2": AnswerRisk.HIGH, "p2_q1": AnswerRisk.HIGH},
        review_owner="Kim Team",
        industry="Finance",
    )
    _workload(alice, "Search", lens=other, environment="PREPRODUCTION", risks={"p1_q1": AnswerRisk.MEDIUM})
    _workload(alice, "Archive", lens=None, industry="Media")
    _workload(bob, "Bob's lab", lens=lens, risks={"p1_q1": AnswerRisk.HIGH})
    add_member(shop, bob, "viewer")
    add_member(pay, bob, "contributor")


def test_it_searches_the_name_the_review_owner_and_the_industry(client_for, alice, portfolio):
    client = client_for(alice)

    assert _names(client.get(LIST, {"q": "pay"})) == ["Payments"]
    assert _names(client.get(LIST, {"q": "kim team"})) == ["Payments"]
    assert _names(client.get(LIST, {"q": "MEDIA"})) == ["Archive"]
    response = client.get(LIST, {"q": "nothing like it"})
    assert _names(response) == []
    assert "No workload matches the search." in response.content.decode()


def test_it_filters_by_environment_lens_and_risk(client_for, alice, portfolio):
    client = client_for(alice)

    assert _names(client.get(LIST, {"environment": "PREPRODUCTION"})) == ["Search"]
    assert _names(client.get(LIST, {"lens": "other"})) == ["Search"]
    assert _names(client.get(LIST, {"lens": "mini"})) == ["Payments", "Shop"]
    assert _names(client.get(LIST, {"risk": "high"})) == ["Payments", "Shop"]
    assert _names(client.get(LIST, {"risk": "medium"})) == ["Search", "Shop"]
    assert _names(client.get(LIST, {"risk": "none"})) == ["Archive"]
    assert _names(client.get(LIST, {"risk": "high", "q": "sh"})) == ["Shop"]


def test_it_sorts_by_name_update_and_risk_counts(client_for, alice, portfolio):
    client = client_for(alice)
    Workload.objects.filter(name="Search").update(updated_at="2030-01-01T00:00:00Z")

    assert _names(client.get(LIST)) == ["Archive", "Payments", "Search", "Shop"]
    assert _names(client.get(LIST, {"sort": "-name"})) == ["Shop", "Search", "Payments", "Archive"]
    assert _names(client.get(LIST, {"sort": "-updated"}))[0] == "Search"
    assert _names(client.get(LIST, {"sort": "-high"})) == ["Payments", "Shop", "Archive", "Search"]
    assert _names(client.get(LIST, {"sort": "-medium"}))[:2] == ["Search", "Shop"]
    assert _names(client.get(LIST, {"sort": "owner"}))[0] == "Payments"  # "Kim Team" before "Platform team"


def test_it_shows_only_the_workloads_the_user_can_see(client_for, bob, charlie, staff, portfolio):
    assert _names(client_for(bob).get(LIST, {"sort": "-high"})) == ["Payments", "Bob's lab", "Shop"]
    assert _names(client_for(bob).get(LIST, {"q": "search"})) == []
    assert _names(client_for(charlie).get(LIST)) == []
    assert len(_names(client_for(staff).get(LIST))) == 5


def test_it_counts_the_risks_of_every_listed_workload(client_for, alice, portfolio):
    html = client_for(alice).get(LIST).content.decode()

    row = re.search(r">Payments</a></td>.*?</tr>", html, re.S).group(0)
    assert '<span class="count high">3</span>' in row
    assert '<span class="count medium">0</span>' in row


def test_it_pages_through_many_workloads_keeping_the_filters_in_the_links(client_for, alice):
    for n in range(PAGE_SIZE + 3):
        Workload.objects.create(name=f"w{n:03d}", description="d", review_owner="T", industry="Games")
    for workload in Workload.objects.all():
        add_member(workload, alice, "owner")
    client = client_for(alice)

    first = client.get(LIST, {"q": "w0", "sort": "-name"})
    html = first.content.decode()
    assert len(_names(first)) == PAGE_SIZE
    assert f"1–{PAGE_SIZE} of {PAGE_SIZE + 3} workloads" in html
    assert 'href="?q=w0&amp;sort=-name&amp;page=2"' in html
    last = client.get(LIST, {"q": "w0", "sort": "-name", "page": "2"})
    assert _names(last) == ["w002", "w001", "w000"]
    assert _names(client.get(LIST, {"q": "w0", "sort": "-name", "page": "99"})) == ["w002", "w001", "w000"]


def test_it_says_which_filter_is_wrong_and_keeps_the_others(client_for, alice, portfolio):
    response = client_for(alice).get(LIST, {"sort": "cost", "risk": "high", "page": "x"})

    html = response.content.decode()
    assert "Select a valid choice. cost is not one of the available choices." in html
    assert _names(response) == ["Payments", "Shop"]


def test_it_answers_htmx_with_the_results_only(client_for, alice, portfolio):
    response = client_for(alice).get(LIST, {"q": "shop"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="workload-results"')
    assert _names(response) == ["Shop"]
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_it_keeps_a_plain_form_and_links_behind_htmx(client_for, alice, portfolio):
    html = client_for(alice).get(LIST).content.decode()

    assert re.search(r'<form method="get" action="/"[^>]*hx-get="/"', html)
    assert 'name="q"' in html and 'name="sort"' in html and 'name="lens"' in html


def test_it_speaks_korean(client_for, alice, portfolio):
    html = client_for(alice, language="ko").get(LIST).content.decode()

    assert "검색" in html
    assert "워크로드 4개 중 1–4" in html


def test_it_finds_the_same_page_without_a_request(alice, portfolio):
    page = workload_search(user=alice, filters=WorkloadFilters(sort="-high"), page=1, per_page=2)

    assert [(w.name, w.high_count, w.medium_count) for w in page.workloads] == [("Payments", 3, 0), ("Shop", 1, 1)]
    assert (page.number, page.pages, page.total, page.page_numbers) == (1, 2, 4, [1, 2])


@pytest.mark.parametrize("params", [{}, {"sort": "-high"}, {"q": "w", "risk": "medium", "lens": "mini"}, {"page": "2"}])
def test_it_lists_3_or_30_workloads_in_the_same_number_of_queries(client_for, alice, lens, params):
    client = client_for(alice)
    counts = []
    for total in (3, 30):
        while Workload.objects.count() < total:
            n = Workload.objects.count()
            workload = _workload(alice, f"w{n:02d}", lens=lens, risks={"p1_q1": AnswerRisk.MEDIUM})
            add_member(workload, make_user(f"member{n}"), "viewer")
        client.get(LIST)  # the session warmed alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, params)
        assert response.status_code == 200
        assert _names(response), params
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
