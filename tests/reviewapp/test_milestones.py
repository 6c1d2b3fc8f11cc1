"""Milestones (reviewapp/milestones.py) and their pages (views/milestones.py): taking, freezing, comparing."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.improvements import improvement_update
from reviewapp.milestones import MilestoneError, compare, milestone_create
from reviewapp.models import AnswerRisk, ImprovementItem, Milestone, MilestoneAnswer, Role
from reviewapp.progress import milestone_records, review_state

from ..factories import add_member, make_lens, make_workload


def _save(review, key, choices=(), *, user=None, na=False, reason="", notes=""):
    item = load_bank(review.lens).by_key[key]
    return answer_save(
        review=review,
        item=item,
        user=user,
        state=AnswerState(choices=frozenset(choices), applicable=not na, reason=reason if na else "", notes=notes),
    )


def _list_url(review) -> str:
    return reverse("reviewapp:milestone_list", args=[review.pk])


def _detail_url(milestone) -> str:
    return reverse("reviewapp:milestone_detail", args=[milestone.review_id, milestone.pk])


def _compare_url(review, before=None, after=None) -> str:
    url = reverse("reviewapp:milestone_compare", args=[review.pk])
    if before is None:
        return url
    side = lambda m: m if isinstance(m, str) else m.pk  # noqa: E731
    return f"{url}?before={side(before)}&after={side(after)}"


def _main(response) -> str:
    """The page's <main>, which holds everything the milestone shows (and no CSRF token)."""
    return re.search(r"<main.*?</main>", response.content.decode(), re.S).group(0)


def _frozen(milestone) -> dict:
    """Everything stored for a milestone, read afresh from the database."""
    fresh = Milestone.objects.get(pk=milestone.pk)
    fields = ("name", "lens_id", "review_revision", "created_by_id", "created_at")
    answers = list(
        MilestoneAnswer.objects.filter(milestone=milestone)
        .order_by("question__key")
        .values(
            "question__key",
            "risk",
            "selected_keys",
            "is_applicable",
            "reason",
            "notes",
            "version",
            "updated_by",
            "updated_at",
        )
    )
    return {"milestone": {f: getattr(fresh, f) for f in fields}, "answers": answers}


def _kinds(pillars) -> dict[str, str]:
    return {change.key: change.kind for pillar in pillars for change in pillar.changes}


def _milestone_state(milestone):
    review = milestone.review
    return review_state(review, load_bank(milestone.lens), milestone_records(milestone))


@pytest.fixture
def answered(review, alice, bob):
    """Every kind of answer: medium with notes, high, not applicable with a reason, and unanswered."""
    _save(review, "p1_q1", ["p1_q1_a1"], notes="**Alarms** on the API", user=bob)
    _save(review, "p1_q2", ["p1_q2_no"], user=alice)
    _save(review, "p2_q1", [], na=True, reason="ARCHITECTURE_CONSTRAINTS", notes="No queues here", user=alice)
    review.refresh_from_db()
    return review


# --- Taking a milestone ------------------------------------------------------------------------


def test_it_copies_every_answer_of_the_review_into_the_milestone(answered, alice):
    milestone = milestone_create(review=answered, name="Baseline", user=alice)

    copied = {row["question__key"]: row for row in _frozen(milestone)["answers"]}
    assert set(copied) == {"p1_q1", "p1_q2", "p2_q1", "p2_q2"}
    for answer in answered.answers.select_related("question", "updated_by"):
        row = copied[answer.question.key]
        assert (row["risk"], row["is_applicable"], row["reason"], row["notes"], row["version"]) == (
            answer.risk,
            answer.is_applicable,
            answer.reason,
            answer.notes,
            answer.version,
        )
        assert row["selected_keys"] == sorted(answer.selected_choices.values_list("key", flat=True))
        assert row["updated_at"] == answer.updated_at
        assert row["updated_by"] == (answer.updated_by.username if answer.updated_by else "")
    assert copied["p1_q1"]["notes"] == "**Alarms** on the API"
    assert copied["p1_q1"]["updated_by"] == "bob"
    assert (copied["p2_q1"]["risk"], copied["p2_q1"]["is_applicable"], copied["p2_q1"]["reason"]) == (
        AnswerRisk.NOT_APPLICABLE,
        False,
        "ARCHITECTURE_CONSTRAINTS",
    )
    assert copied["p2_q2"]["risk"] == AnswerRisk.UNANSWERED
    assert (milestone.lens, milestone.review_revision, milestone.created_by) == (answered.lens, 3, alice)


def test_it_takes_a_milestone_from_the_list_page(answered, client_for, bob):
    client = client_for(bob)

    response = client.post(_list_url(answered), {"name": "  Before launch  "})

    assertRedirects(response, _list_url(answered), fetch_redirect_response=False)
    milestone = Milestone.objects.get(review=answered)
    assert (milestone.name, milestone.created_by) == ("Before launch", bob)
    assert milestone.answers.count() == 4
    page = client.get(_list_url(answered))
    assertContains(page, "Milestone “Before launch” saved.")
    assertContains(page, f'<a href="{_detail_url(milestone)}">Before launch</a>')


def test_it_lists_the_risk_counts_of_each_milestone_and_of_now(answered, client_for, alice):
    milestone_create(review=answered, name="One", user=alice)  # 1 high, 1 medium
    _save(answered, "p2_q2", ["p2_q2_a2"])
    _save(answered, "p1_q1", ["p1_q1_no"])
    milestone_create(review=answered, name="Two", user=alice)  # 3 high, 0 medium
    _save(answered, "p1_q2", ["p1_q2_a1"])  # now: 2 high, 1 medium

    response = client_for(alice).get(_list_url(answered))

    rows = re.findall(
        r"<tr(?: class=\"now\")?>\s*<td>(?:<a [^>]*>)?([^<]+).*?"
        r'<span class="count high">(\d+)</span>.*?<span class="count medium">(\d+)</span></td>\s*<td>(\d+/\d+)</td>',
        response.content.decode(),
        re.S,
    )
    assert rows == [("One", "1", "1", "3/4"), ("Two", "3", "0", "4/4"), ("Now", "2", "1", "4/4")]


@pytest.mark.parametrize("name", ["Baseline", "  Baseline "])
def test_it_refuses_a_duplicate_name_and_creates_nothing(answered, client_for, alice, name):
    first = milestone_create(review=answered, name="Baseline", user=alice)
    _save(answered, "p2_q2", ["p2_q2_a1"])

    response = client_for(alice).post(_list_url(answered), {"name": name})

    assertContains(response, "This review already has a milestone named “Baseline”.", status_code=400)
    assert list(Milestone.objects.values_list("pk", flat=True)) == [first.pk]
    assert MilestoneAnswer.objects.count() == 4
    assert MilestoneAnswer.objects.get(milestone=first, question__key="p2_q2").risk == AnswerRisk.UNANSWERED


def test_it_refuses_a_duplicate_name_without_a_request(answered, alice):
    milestone_create(review=answered, name="Baseline", user=alice)

    with pytest.raises(MilestoneError, match="already has a milestone named “Baseline”"):
        milestone_create(review=answered, name="Baseline", user=alice)

    assert Milestone.objects.count() == 1
    assert MilestoneAnswer.objects.count() == 4


def test_it_lets_another_review_reuse_a_name(answered, alice):
    other = make_workload(alice, name="Other", lens=make_lens(slug="other")).reviews.get()
    milestone_create(review=answered, name="Baseline", user=alice)

    milestone = milestone_create(review=other, name="Baseline", user=alice)

    assert milestone.answers.count() == 4
    assert Milestone.objects.filter(name="Baseline").count() == 2


@pytest.mark.parametrize(("name", "message"), [("", "This field is required."), ("x" * 101, "at most 100")])
def test_it_refuses_an_empty_or_long_name(answered, client_for, alice, name, message):
    response = client_for(alice).post(_list_url(answered), {"name": name})

    assertContains(response, message, status_code=400)
    assert not Milestone.objects.exists()


def test_it_forbids_a_viewer_to_take_a_milestone(answered, client_for, vera):
    response = client_for(vera).post(_list_url(answered), {"name": "Sneaky"})

    assert response.status_code == 403
    assert not Milestone.objects.exists()
    assert not MilestoneAnswer.objects.exists()


def test_it_hides_the_milestone_form_from_a_viewer(answered, client_for, vera, bob):
    assertNotContains(client_for(vera).get(_list_url(answered)), "Save a milestone")
    assertContains(client_for(bob).get(_list_url(answered)), "Save a milestone")


# --- Bounds: how many milestones, how many on a page ---------------------------------------------


def test_it_refuses_a_milestone_over_the_limit_on_the_page(answered, client_for, alice, settings):
    settings.MILESTONES_PER_REVIEW = 2
    for name in ("One", "Two"):
        milestone_create(review=answered, name=name, user=alice)

    response = client_for(alice).post(_list_url(answered), {"name": "Three"})

    assertContains(response, "This review already has 2 milestones, the most it can keep.", status_code=400)
    assert list(Milestone.objects.order_by("pk").values_list("name", flat=True)) == ["One", "Two"]
    assert MilestoneAnswer.objects.count() == 8


def test_it_refuses_a_milestone_over_the_limit_without_a_request(answered, alice, settings):
    settings.MILESTONES_PER_REVIEW = 1
    milestone_create(review=answered, name="One", user=alice)

    with pytest.raises(MilestoneError) as refused:
        milestone_create(review=answered, name="Two", user=alice)

    assert (refused.value.code, Milestone.objects.count()) == ("too_many", 1)


def test_it_keeps_100_milestones_per_review_by_default(settings):
    assert settings.MILESTONES_PER_REVIEW == 100


def _table_names(response) -> list[str]:
    table = response.content.decode().split('<table class="list">')[1].split("</table>")[0]
    return re.findall(r'<td><a href="/reviews/\d+/milestones/\d+/">([^<]+)</a></td>', table)


def _chart_labels(response) -> list[str]:
    svg = response.content.decode().split('<svg class="chart trend"')[1].split("</svg>")[0]
    return re.findall(r'<text x="[\d.]+" y="\d+" text-anchor="(?:start|middle|end)" font-size[^>]*>([^<]+)</text>', svg)


@pytest.fixture
def many(answered, alice):
    """45 milestones M01 to M45 of the answered review, oldest first."""
    for n in range(1, 46):
        milestone_create(review=answered, name=f"M{n:02}", user=alice)
    return answered


def test_it_shows_the_newest_page_of_milestones_first(many, client_for, alice):
    response = client_for(alice).get(_list_url(many))

    assert _table_names(response) == [f"M{n}" for n in range(41, 46)]
    assertContains(response, "Page 3 of 3")
    assertContains(response, '<a href="?page=2" rel="prev">')
    assertNotContains(response, 'rel="next"')


def test_it_pages_through_the_milestones_oldest_first(many, client_for, alice):
    client = client_for(alice)

    first, second = client.get(_list_url(many) + "?page=1"), client.get(_list_url(many) + "?page=2")

    assert _table_names(first) == [f"M{n:02}" for n in range(1, 21)]
    assert _table_names(second) == [f"M{n}" for n in range(21, 41)]
    assertContains(second, '<a href="?page=1" rel="prev">')
    assertContains(second, '<a href="?page=3" rel="next">')


@pytest.mark.parametrize("page", ["0", "99", "x"])
def test_it_shows_a_page_that_exists_for_a_page_number_that_does_not(many, client_for, alice, page):
    response = client_for(alice).get(_list_url(many) + f"?page={page}")

    assert response.status_code == 200
    assert len(_table_names(response)) in (5, 20)


def test_it_draws_the_trend_of_the_20_most_recent_milestones_and_now(many, client_for, alice):
    response = client_for(alice).get(_list_url(many) + "?page=1")

    assert _chart_labels(response) == [f"M{n}" for n in range(26, 46)] + ["Now"]
    assertContains(response, "The chart shows the 20 most recent milestones.")


# --- A milestone never changes --------------------------------------------------------------------


def test_it_never_changes_a_milestone_after_later_answer_and_item_changes(answered, client_for, alice, bob):
    milestone = milestone_create(review=answered, name="Baseline", user=alice)
    client = client_for(alice)
    frozen = _frozen(milestone)
    page = _main(client.get(_detail_url(milestone)))

    _save(answered, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"], notes="All done", user=bob)
    _save(answered, "p1_q2", [], na=True, reason="OUT_OF_SCOPE", user=bob)
    _save(answered, "p2_q1", ["p2_q1_no"], user=bob)
    _save(answered, "p2_q2", ["p2_q2_a1"], notes="New notes", user=bob)
    client_for(bob).post(
        reverse("reviewapp:answer_save", args=[answered.pk]), {"question": "p1_q1", "choices": ["p1_q1_a2"]}
    )
    improvement_update(
        review=answered,
        choice=load_bank(answered.lens).by_key["p2_q1"].choices[0],
        user=bob,
        status=ImprovementItem.Status.IN_PROGRESS,
        owner=bob,
        due_date=datetime.date(2030, 1, 1),
        note="Later",
    )
    client.post(_list_url(answered), {"name": "After"})

    assert _frozen(milestone) == frozen
    assert _main(client.get(_detail_url(milestone))) == page


def test_it_shows_the_frozen_answers_on_the_detail_page(answered, client_for, alice, vera):
    milestone = milestone_create(review=answered, name="Baseline", user=alice)
    _save(answered, "p1_q1", ["p1_q1_no"], notes="Changed later")

    response = client_for(vera).get(_detail_url(milestone))

    assertContains(response, "Milestone “Baseline”")
    assertContains(response, "mini lens 1")
    assertContains(response, "This is a frozen copy of the review; it cannot be changed.")
    assertContains(response, "<strong>Alarms</strong> on the API")
    assertNotContains(response, "Changed later")
    assertContains(response, "Does not apply: Architecture constraints")
    assertContains(response, '<span class="count high">High <b>1</b></span>')
    assertContains(response, '<span class="count medium">Medium <b>1</b></span>')
    assertContains(response, '<span class="count na">Does not apply <b>1</b></span>')
    assertContains(response, '<span class="count unanswered">Unanswered <b>1</b></span>')
    assertContains(response, "3 of 4 answered")
    assertNotContains(response, '<form method="post"')


def test_it_never_lists_none_of_these_among_the_practices_followed(answered, client_for, alice):
    _save(answered, "p1_q1", ["p1_q1_no"])
    milestone = milestone_create(review=answered, name="Nothing yet", user=alice)

    html = client_for(alice).get(_detail_url(milestone)).content.decode()

    question = html[html.index("Question 1.1?") : html.index("Question 1.2?")]
    followed = question[question.index("Practices followed") : question.index("Practices missing")]
    assert "<li>None of these</li>" not in followed
    assert '<p class="muted">None of these</p>' in followed
    assert "<li>None of these</li>" not in question


def test_it_answers_404_for_a_milestone_of_another_review(answered, client_for, alice):
    other = make_workload(alice, name="Other", lens=make_lens(slug="other")).reviews.get()
    foreign = milestone_create(review=other, name="Theirs", user=alice)

    response = client_for(alice).get(reverse("reviewapp:milestone_detail", args=[answered.pk, foreign.pk]))

    assert response.status_code == 404


def test_it_lists_milestones_in_a_fixed_number_of_queries(answered, client_for, alice):
    client = client_for(alice)
    client.get("/")  # the first page of a session counts the unread notifications (then cached)
    client.get(_list_url(answered))  # and the first review page reads its workload and lens (then kept)
    milestone_create(review=answered, name="One", user=alice)
    with CaptureQueriesContext(connection) as one:
        client.get(_list_url(answered))

    for name in ("Two", "Three", "Four"):
        _save(answered, "p2_q2", [f"p2_q2_a{len(name) % 3 + 1}"])
        milestone_create(review=answered, name=name, user=alice)
    with CaptureQueriesContext(connection) as four:
        response = client.get(_list_url(answered))

    assertContains(response, "Four")
    assert len(four) == len(one)


# --- Comparing ---------------------------------------------------------------------------------


@pytest.fixture
def changing(alice, bob, vera):
    """A review of a 2 × 3 lens with milestone "M1"; then each question changes in its own way (see KINDS)."""
    workload = make_workload(alice, name="Changing", lens=make_lens(slug="six", questions_per_pillar=3))
    add_member(workload, bob, Role.CONTRIBUTOR)
    add_member(workload, vera, Role.VIEWER)
    review = workload.reviews.get()
    _save(review, "p1_q1", ["p1_q1_no"])  # high
    _save(review, "p1_q2", ["p1_q2_a1"])  # medium
    _save(review, "p1_q3", ["p1_q3_a1", "p1_q3_a2", "p1_q3_a3"])  # no risk
    _save(review, "p2_q1", ["p2_q1_a3"])  # high
    _save(review, "p2_q2", ["p2_q2_a1", "p2_q2_a2", "p2_q2_a3"], notes="old notes")  # no risk
    m1 = milestone_create(review=review, name="M1", user=alice)
    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"])  # high -> no risk
    _save(review, "p1_q2", ["p1_q2_a2"])  # medium -> high
    _save(review, "p1_q3", ["p1_q3_a1"])  # no risk -> medium
    _save(review, "p2_q1", ["p2_q1_a1"])  # high -> medium
    _save(review, "p2_q2", ["p2_q2_a1", "p2_q2_a2", "p2_q2_a3"], notes="new notes")  # notes only
    return review, m1


KINDS = {
    "p1_q1": "resolved",
    "p1_q2": "worse",
    "p1_q3": "new",
    "p2_q1": "better",
    "p2_q2": "changed",
    "p2_q3": "same",
}


def test_it_compares_a_milestone_with_now(changing):
    review, m1 = changing

    pillars = compare(_milestone_state(m1), review_state(review))

    assert _kinds(pillars) == KINDS
    counts = {p.key: (p.resolved, p.new, p.changed) for p in pillars}
    assert counts == {"p1": (1, 1, 3), "p2": (0, 0, 2)}
    p2_q2 = next(c for p in pillars for c in p.changes if c.key == "p2_q2")
    assert (p2_q2.before.state.notes, p2_q2.after.state.notes, p2_q2.before.risk, p2_q2.after.risk) == (
        "old notes",
        "new notes",
        AnswerRisk.NONE,
        AnswerRisk.NONE,
    )
    p1_q1 = next(c for p in pillars for c in p.changes if c.key == "p1_q1")
    assert (p1_q1.before_titles, p1_q1.after_titles) == (["None of these"], ["Practice 1", "Practice 2", "Practice 3"])


def test_it_compares_two_milestones_whatever_happens_after_them(changing, alice):
    review, m1 = changing
    m2 = milestone_create(review=review, name="M2", user=alice)
    _save(review, "p2_q3", ["p2_q3_no"])  # after M2: a new risk that M1 → M2 must not see

    forward = compare(_milestone_state(m1), _milestone_state(m2))
    backward = compare(_milestone_state(m2), _milestone_state(m1))
    since_m2 = compare(_milestone_state(m2), review_state(review))

    assert _kinds(forward) == KINDS
    assert _kinds(backward) == {
        "p1_q1": "new",
        "p1_q2": "better",
        "p1_q3": "resolved",
        "p2_q1": "worse",
        "p2_q2": "changed",
        "p2_q3": "same",
    }
    assert _kinds(since_m2) == {**dict.fromkeys(KINDS, "same"), "p2_q3": "new"}
    assert [(p.resolved, p.new, p.changed) for p in since_m2] == [(0, 0, 0), (0, 1, 1)]


def test_it_finds_nothing_changed_between_a_state_and_itself(changing):
    review, m1 = changing

    assert set(_kinds(compare(review_state(review), review_state(review))).values()) == {"same"}
    assert set(_kinds(compare(_milestone_state(m1), _milestone_state(m1))).values()) == {"same"}


def _rows(response) -> dict[str, tuple[str, str, str]]:
    """``{question label: (kind, before risk badge, after risk badge)}`` of the compare page."""
    rows = re.findall(
        r'<tr class="change-(\w+)">\s*<td><span class="label">([^<]+)</span>.*?'
        r'<span class="badge \w+">([^<]+)</span>.*?<span class="badge \w+">([^<]+)</span>',
        response.content.decode(),
        re.S,
    )
    return {label: (kind, before, after) for kind, label, before, after in rows}


def test_it_shows_the_comparison_with_now_on_the_compare_page(changing, client_for, vera):
    review, m1 = changing

    response = client_for(vera).get(_compare_url(review, m1, "current"))

    assert _rows(response) == {
        "P1 1": ("resolved", "High risk", "No risk"),
        "P1 2": ("worse", "Medium risk", "High risk"),
        "P1 3": ("new", "No risk", "Medium risk"),
        "P2 1": ("better", "High risk", "Medium risk"),
        "P2 2": ("changed", "No risk", "No risk"),
        "P2 3": ("same", "Unanswered", "Unanswered"),
    }
    for label in ("Risk resolved", "Risk raised", "New risk", "Risk lowered", "Answer changed"):
        assertContains(response, f"{label}</span>", count=1)
    assertContains(response, "1 resolved · 1 new risks · 3 changed")
    assertContains(response, "0 resolved · 0 new risks · 2 changed")
    assertContains(response, "<th>Question</th><th>M1</th><th>Now</th>", html=False)
    assertContains(response, "<p>old notes</p>")
    assertContains(response, "<p>new notes</p>")


def test_it_shows_the_comparison_of_two_milestones_on_the_compare_page(changing, client_for, alice):
    review, m1 = changing
    m2 = milestone_create(review=review, name="M2", user=alice)
    _save(review, "p2_q3", ["p2_q3_no"])

    response = client_for(alice).get(_compare_url(review, m1, m2))

    assert {label: kind for label, (kind, _b, _a) in _rows(response).items()} == {
        "P1 1": "resolved",
        "P1 2": "worse",
        "P1 3": "new",
        "P2 1": "better",
        "P2 2": "changed",
        "P2 3": "same",
    }
    assertContains(response, "<th>Question</th><th>M1</th><th>M2</th>")


def test_it_compares_the_last_milestone_with_now_by_default(changing, client_for, alice):
    review, m1 = changing
    m2 = milestone_create(review=review, name="M2", user=alice)
    _save(review, "p2_q3", ["p2_q3_no"])

    response = client_for(alice).get(_compare_url(review))

    assertContains(response, "<th>Question</th><th>M2</th><th>Now</th>")
    assert {label: kind for label, (kind, _b, _a) in _rows(response).items() if kind != "same"} == {"P2 3": "new"}
    assertContains(response, f'<option value="{m2.pk}" selected>M2</option>', count=1)


def test_it_compares_now_with_now_when_there_is_no_milestone(review, client_for, alice):
    _save(review, "p1_q1", ["p1_q1_no"])

    response = client_for(alice).get(_compare_url(review))

    assertContains(response, "<th>Question</th><th>Now</th><th>Now</th>")
    assert {kind for kind, _b, _a in _rows(response).values()} == {"same"}


@pytest.mark.parametrize("before", ["999999", "nope", ""])
def test_it_refuses_a_state_that_is_not_one_of_the_review(changing, client_for, alice, before):
    review, _m1 = changing

    response = client_for(alice).get(_compare_url(review, before, "current"))

    assert response.status_code == 400
    assert _rows(response) == {}
    assert re.search(r'<span class="error">[^<]+</span>', response.content.decode())


def test_it_refuses_a_milestone_of_another_review_in_the_comparison(changing, client_for, alice):
    review, _m1 = changing
    other = make_workload(alice, name="Other", lens=make_lens(slug="other")).reviews.get()
    foreign = milestone_create(review=other, name="Theirs", user=alice)

    response = client_for(alice).get(_compare_url(review, foreign, "current"))

    assert response.status_code == 400
    assertNotContains(response, "Theirs", status_code=400)
