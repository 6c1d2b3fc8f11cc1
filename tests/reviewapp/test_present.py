"""The presentation view (reviewapp/views/present.py): one question in large type, kept fresh by the live poll."""

import re

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Review


def _url(review, question=None) -> str:
    url = reverse("reviewapp:review_present", args=[review.pk])
    return f"{url}?question={question}" if question else url


def _poller_page(response) -> str:
    return re.search(r'"page": "([^"]+)"', response.content.decode()).group(1)


def test_it_shows_the_chosen_question_and_polls_for_it(review, client_for, vera):
    response = client_for(vera).get(_url(review, "p2_q1"))

    assertContains(response, '<main class="present">')
    assertContains(response, '<h1><span class="label">')
    assertContains(response, "Question 2.1?")
    assertNotContains(response, "Question 1.1?</h1>")
    assert _poller_page(response) == "question:p2_q1"
    assertContains(response, 'rel="prev"')
    assertContains(response, 'rel="next"')


def test_it_starts_at_the_first_question_and_ignores_an_unknown_one(review, client_for, alice):
    for url in (_url(review), _url(review, "nope")):
        response = client_for(alice).get(url)

        assert _poller_page(response) == "question:p1_q1"
        assertContains(response, "Question 1.1?")


def test_it_follows_the_facilitators_question(review, client_for, alice, bob):
    Review.objects.filter(pk=review.pk).update(facilitator=alice, facilitator_question="p2_q2")

    response = client_for(bob).get(_url(review, "p1_q1"))

    assert _poller_page(response) == "question:p2_q2"
    assertContains(response, "Question 2.2?")
    assertContains(response, "Following alice, who leads the workshop")
    assertNotContains(response, 'rel="next"')


def test_it_shows_the_answer_without_letting_anyone_change_it_there(review, client_for, alice):
    item = load_bank(review.lens).by_key["p1_q1"]
    answer_save(
        review=review,
        item=item,
        user=alice,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes="We **alarm** on errors."),
    )

    response = client_for(alice).get(_url(review, "p1_q1"))

    assertContains(response, '<form class="answer-form present-answer" data-question="p1_q1" inert>')
    assertContains(response, '<fieldset class="choices" disabled>')
    assertContains(response, 'value="p1_q1_a1" checked')
    assertContains(response, "<strong>alarm</strong>")
    assertContains(response, '<span class="badge medium">Medium risk</span>')
    assertNotContains(response, "data-autosave")  # nothing here saves
    assertNotContains(response, f'action="/reviews/{review.pk}/answers/"')


def test_it_is_offered_on_the_review_and_question_pages(review, client_for, vera):
    detail = client_for(vera).get(reverse("reviewapp:review_detail", args=[review.pk]))
    question = client_for(vera).get(reverse("reviewapp:review_question", args=[review.pk, "p1_q2"]))

    assertContains(detail, f'href="{_url(review)}">Presentation view</a>')
    assertContains(question, f'href="{_url(review, "p1_q2")}">Presentation view</a>')


def test_it_answers_an_outsider_404(review, client_for, charlie):
    assert client_for(charlie).get(_url(review)).status_code == 404
