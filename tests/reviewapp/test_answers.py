"""Saving an answer (reviewapp/answers.py through POST reviewapp:answer_save), with and without htmx."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Answer, AnswerRisk, Review

from ..factories import answer_snapshot, make_workload

HTMX = {"HTTP_HX_REQUEST": "true"}
XSS_NOTES = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n**bold** and <b onclick=alert(3)>b</b>"


def _url(review):
    return reverse("reviewapp:answer_save", args=[review.pk])


def _answer(review, key="p1_q1") -> Answer:
    return Answer.objects.get(review=review, question__key=key)


def _keys(answer) -> set[str]:
    return set(answer.selected_choices.values_list("key", flat=True))


@pytest.fixture
def as_bob(client_for, bob):
    return client_for(bob)


# --- Saving ------------------------------------------------------------------------------------


def test_it_stores_choices_risk_notes_and_who_saved(review, as_bob, bob):
    started = timezone.now()

    response = as_bob.post(_url(review), {"question": "p1_q1", "choices": ["p1_q1_a1", "p1_q1_a2"], "notes": "Hi"})

    assertRedirects(
        response, reverse("reviewapp:review_question", args=[review.pk, "p1_q1"]), fetch_redirect_response=False
    )
    answer = _answer(review)
    assert _keys(answer) == {"p1_q1_a1", "p1_q1_a2"}
    assert (answer.risk, answer.notes, answer.updated_by, answer.version) == (AnswerRisk.MEDIUM, "Hi", bob, 1)
    assert answer.is_applicable and answer.reason == ""
    assert started <= answer.updated_at <= timezone.now()
    review.refresh_from_db()
    assert review.revision == 1
    assert set(review.answers.exclude(pk=answer.pk).values_list("risk", "version")) == {(AnswerRisk.UNANSWERED, 0)}


def test_it_bumps_the_version_and_the_revision_on_every_save(review, as_bob, client_for, alice):
    saves = [
        (as_bob, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"], AnswerRisk.NONE),
        (client_for(alice), "p1_q1", ["p1_q1_a2"], AnswerRisk.HIGH),
        (as_bob, "p1_q1", ["p1_q1_no"], AnswerRisk.HIGH),
        (as_bob, "p2_q1", ["p2_q1_a1"], AnswerRisk.MEDIUM),
        (as_bob, "p1_q1", [], AnswerRisk.UNANSWERED),
    ]
    versions = []
    for number, (client, key, choices, risk) in enumerate(saves, start=1):
        client.post(_url(review), {"question": key, "choices": choices})
        answer = _answer(review, key)
        versions.append(answer.version)
        assert (answer.risk, _keys(answer)) == (risk, set(choices))
        review.refresh_from_db()
        assert review.revision == number

    assert versions == [1, 2, 3, 1, 4]
    assert _answer(review).updated_by.username == "bob"


def test_it_answers_htmx_with_a_fragment_of_the_new_risk_and_counts(review, as_bob):
    data = {"question": "p1_q1", "choices": ["p1_q1_a1"], "shown_on": "question"}
    response = as_bob.post(_url(review), data, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assertContains(response, '<div id="status-p1_q1" class="status" data-version="1">')
    assertContains(response, '<span class="badge medium">Medium risk</span>')
    assertContains(response, "Saved by bob")
    assertContains(response, "(version 1)")
    assertContains(response, '<div id="review-counts" class="summary" hx-swap-oob="true">')
    assertContains(response, "1 of 4 answered")
    assertContains(response, "Medium <b>1</b>")
    assertContains(response, "Unanswered <b>3</b>")
    assertContains(response, '<nav id="pillar-tabs"')
    assertContains(response, '<li id="nav-p1_q1" hx-swap-oob="true"')
    # The answer as data for the page's script, never its form controls (they may hold unsent typing).
    assertContains(response, '<div id="answer-data-p1_q1" class="answer-data" hidden data-version="1"')
    assert "<textarea" not in html and 'name="choices"' not in html
    assert html.count('hx-swap-oob="true"') == 4  # answer data, nav item, counts, pillar tabs
    assert _answer(review).risk == AnswerRisk.MEDIUM


def test_it_sends_no_question_list_item_to_a_pillar_page(review, as_bob):
    """The whole-pillar page has no question list: nothing out-of-band may aim at one."""
    data = {"question": "p1_q1", "choices": ["p1_q1_a1"], "shown_on": "pillar"}
    response = as_bob.post(_url(review), data, **HTMX)

    assert response.status_code == 200
    assertNotContains(response, 'id="nav-p1_q1"')
    assertContains(response, 'id="answer-data-p1_q1"')


def test_it_shows_the_bank_in_the_language_of_the_request(review, client_for, bob):
    english = client_for(bob, language="en").post(
        _url(review), {"question": "p1_q1", "choices": ["p1_q1_no"], "shown_on": "question"}, **HTMX
    )
    korean = client_for(bob, language="ko").get(reverse("reviewapp:review_question", args=[review.pk, "p1_q1"]))

    assertContains(english, ">High risk</span>")
    assertContains(english, "Question 1.1?")  # the nav item
    assertContains(korean, "질문 1.1?")
    assertContains(korean, "따르는 모범 사례 없음")
    assertNotContains(korean, "Question 1.1?")


def test_it_speaks_korean_by_default_and_english_when_the_browser_asks(review, bob):
    client = Client()
    client.force_login(bob)
    url = reverse("reviewapp:review_question", args=[review.pk, "p1_q1"])

    korean = client.get(url)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assertContains(korean, '<html lang="ko">')
    assertContains(korean, "질문 1.1?")
    assertContains(english, '<html lang="en">')
    assertContains(english, "Question 1.1?")
    assertNotContains(english, "질문 1.1?")


def test_it_stores_not_applicable_with_its_reason_and_clears_it_when_unticked(review, as_bob):
    as_bob.post(
        _url(review),
        {"question": "p1_q1", "choices": ["p1_q1_a1"], "not_applicable": "on", "reason": "OUT_OF_SCOPE"},
    )
    answer = _answer(review)
    assert (answer.risk, answer.is_applicable, answer.reason) == (AnswerRisk.NOT_APPLICABLE, False, "OUT_OF_SCOPE")
    assert _keys(answer) == {"p1_q1_a1"}

    as_bob.post(_url(review), {"question": "p1_q1", "choices": ["p1_q1_a1"]})

    answer = _answer(review)
    assert (answer.risk, answer.is_applicable, answer.reason, answer.version) == (AnswerRisk.MEDIUM, True, "", 2)


def test_it_stores_not_applicable_without_choices_or_reason(review, as_bob):
    response = as_bob.post(_url(review), {"question": "p2_q2", "not_applicable": "on"}, **HTMX)

    assertContains(response, ">Does not apply</span>")
    answer = _answer(review, "p2_q2")
    assert (answer.risk, answer.is_applicable, answer.reason) == (AnswerRisk.NOT_APPLICABLE, False, "")


def test_it_saves_the_serverless_lens_by_its_rules(serverless_lens, client_for, alice):
    workload = make_workload(alice, name="Bookings", lens=serverless_lens)
    review = workload.reviews.get()
    client = client_for(alice)

    client.post(_url(review), {"question": "sec_q2", "choices": ["sec_sec_q2_a1", "sec_sec_q2_a4"]})
    client.post(_url(review), {"question": "sec_q1", "choices": ["sec_sec_q1_a1", "sec_sec_q1_a2"]})
    client.post(_url(review), {"question": "cost_q1", "choices": [f"cost_cost_q1_a{n}" for n in range(1, 5)]})

    assert dict(review.answers.values_list("question__key", "risk")) == {
        "ops_q1": "UNANSWERED",
        "ops_q2": "UNANSWERED",
        "sec_q1": "HIGH_RISK",
        "sec_q2": "MEDIUM_RISK",
        "sec_q3": "UNANSWERED",
        "rel_q1": "UNANSWERED",
        "rel_q2": "UNANSWERED",
        "perf_q1": "UNANSWERED",
        "cost_q1": "NO_RISK",
    }


def test_it_saves_through_the_service_without_a_request(review, bob):
    item = load_bank(review.lens).by_key["p2_q1"]

    answer = answer_save(
        review=review,
        item=item,
        user=bob,
        state=AnswerState(choices=frozenset({"p2_q1_a1"}), applicable=False, reason="OTHER", notes="n"),
    )

    answer.refresh_from_db()
    assert (answer.risk, answer.reason, answer.version, answer.notes) == (AnswerRisk.NOT_APPLICABLE, "OTHER", 1, "n")
    assert Review.objects.get(pk=review.pk).revision == 1


# --- Tampered requests -------------------------------------------------------------------------

TAMPERED = [
    pytest.param(
        {"question": "p1_q1", "choices": ["p1_q1_a1", "p1_q2_a1"]},
        "“p1_q2_a1” is not a choice of this question.",
        id="choice-of-another-question",
    ),
    pytest.param(
        {"question": "p1_q1", "choices": ["nope"]},
        "“nope” is not a choice of this question.",
        id="unknown-choice",
    ),
    pytest.param(
        {"question": "p9_q9", "choices": ["p1_q1_a1"]},
        "This lens has no question “p9_q9”.",
        id="unknown-question",
    ),
    pytest.param({"choices": ["p1_q1_a1"]}, "This field is required.", id="no-question"),
    pytest.param(
        {"question": "p1_q1", "choices": ["p1_q1_no", "p1_q1_a1"]},
        "“None of these” cannot be combined with other choices.",
        id="none-with-another-choice",
    ),
    pytest.param(
        {"question": "p1_q1", "choices": ["p1_q1_a1"], "reason": "OUT_OF_SCOPE"},
        "A reason can only be given when the question does not apply.",
        id="reason-without-not-applicable",
    ),
    pytest.param(
        {"question": "p1_q1", "not_applicable": "on", "reason": "BECAUSE"},
        "Select a valid choice. BECAUSE is not one of the available choices.",
        id="unknown-reason",
    ),
    pytest.param(
        {"question": "p1_q1", "choices": ["p1_q1_a1"], "notes": "x" * 2085},
        "Ensure this value has at most 2084 characters (it has 2085).",
        id="notes-too-long",
    ),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(("data", "message"), TAMPERED)
def test_it_refuses_a_tampered_answer_and_changes_nothing(review, as_bob, data, message, htmx):
    as_bob.post(_url(review), {"question": "p1_q1", "choices": ["p1_q1_a2"], "notes": "kept"})
    before = answer_snapshot(review)
    assert before["answers"]["p1_q1"][1] == 1  # version

    response = as_bob.post(_url(review), data, **(HTMX if htmx else {}))

    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assert ("<html" in response.content.decode()) is not htmx
    assert answer_snapshot(review) == before


def test_it_shows_a_refusal_about_an_unknown_question_in_the_message_area(review, as_bob):
    response = as_bob.post(_url(review), {"question": "p9_q9"}, **HTMX)

    assert response.status_code == 400
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#flash", "innerHTML")
    assertContains(response, '<p class="message error" role="alert">', status_code=400)


def test_it_shows_a_refusal_in_the_question_status_box(review, as_bob):
    response = as_bob.post(_url(review), {"question": "p1_q2", "choices": ["p1_q2_no", "p1_q2_a3"]}, **HTMX)

    assertContains(response, '<div id="status-p1_q2" class="status" data-version="0">', status_code=400)
    assertContains(response, '<p class="error" role="alert">', status_code=400)
    assert not response.has_header("HX-Retarget")


def test_it_accepts_notes_of_exactly_the_maximum_length(review, as_bob):
    notes = "한" * 2084

    as_bob.post(_url(review), {"question": "p1_q1", "notes": notes})

    assert _answer(review).notes == notes


# --- Notes are Markdown, sanitized --------------------------------------------------------------


def _assert_clean(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img" not in html
    assert "onclick" not in html.replace("&lt;b onclick", "")  # escaped in the textarea is fine
    assert "<strong>bold</strong>" in html


def test_it_renders_notes_as_sanitized_markdown_in_the_fragment(review, as_bob):
    response = as_bob.post(_url(review), {"question": "p1_q1", "choices": ["p1_q1_a1"], "notes": XSS_NOTES}, **HTMX)

    assert response.status_code == 200
    _assert_clean(response.content.decode())
    assert _answer(review).notes == XSS_NOTES  # stored as typed, cleaned when shown


@pytest.mark.parametrize("page", ["review_question", "review_pillar"])
def test_it_renders_notes_as_sanitized_markdown_on_the_pages(review, as_bob, page):
    as_bob.post(_url(review), {"question": "p1_q1", "choices": ["p1_q1_a1"], "notes": XSS_NOTES})
    key = "p1_q1" if page == "review_question" else "p1"

    response = as_bob.get(reverse(f"reviewapp:{page}", args=[review.pk, key]))

    assert response.status_code == 200
    _assert_clean(response.content.decode())
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")  # the textarea keeps the text, escaped


def test_it_changes_the_ticked_choices_by_difference(review, bob):
    item = load_bank(review.lens).by_key["p1_q1"]
    ticks = [
        {"p1_q1_a1"},
        {"p1_q1_a1", "p1_q1_a2"},
        {"p1_q1_a2", "p1_q1_a3"},
        {"p1_q1_no"},
        set(),
        {"p1_q1_a1", "p1_q1_a2", "p1_q1_a3"},
    ]
    for choices in ticks:
        answer_save(review=review, item=item, user=bob, state=AnswerState(choices=frozenset(choices)))

        answer = _answer(review)
        assert _keys(answer) == choices
        assert answer.changes.get(version=answer.version).after["choices"] == sorted(choices)
    assert Answer.selected_choices.through.objects.filter(answer=answer).count() == 3
