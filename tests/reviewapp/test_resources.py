"""The lens's links kept as data, shown where their texts are: templates/reviewapp/_resources.html.

A question's helpful resource and a choice's additional resources (AWS ``helpfulResource`` /
``additionalResources``) used to be folded into Markdown at import; now they are data, and the
improvement plan page and the PDF report show them under the text they belong to.
"""

import html

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from questions.models import Choice, Question
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.reports import ReportRequest, render_report_html

LINKS = [
    {
        "type": "IMPROVEMENT_PLAN",
        "content": [
            {"displayText": "Runbook [v2]", "url": "https://acme.example/run"},
            {"displayText": "Ask the platform team"},
        ],
    },
    {"type": "HELPFUL_RESOURCE", "content": [{"displayText": "Background", "url": "https://acme.example/why"}]},
]


@pytest.fixture
def linked(review):
    Choice.objects.filter(question__pillar__lens=review.lens, key="p1_q1_a2").update(
        additional_resources_en=LINKS, helpful_resource_en="Why it matters."
    )
    item = load_bank(review.lens).by_key["p1_q1"]
    answer_save(
        review=review,
        item=item,
        user=None,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes=""),
    )
    return review


def _text(content) -> str:
    return html.unescape(content if isinstance(content, str) else content.decode())


def test_it_lists_a_choices_links_on_the_improvement_plan_page(linked, client_for, alice):
    page = _text(client_for(alice).get(reverse("reviewapp:plan", args=[linked.pk])).content)

    assert (
        '<ul class="resource-links"><li><a href="https://acme.example/run" rel="noopener noreferrer nofollow">' in page
    )
    assert "Runbook [v2]</a></li><li>Ask the platform team</li></ul>" in page
    assert '<a href="https://acme.example/why" rel="noopener noreferrer nofollow">Background</a>' in page


def test_it_lists_a_choices_improvement_links_in_the_report(linked):
    report = _text(render_report_html(ReportRequest(review=linked, milestone=None, language="en", page_size="a4")))

    assert '<a href="https://acme.example/run" rel="noopener noreferrer nofollow">Runbook [v2]</a>' in report
    assert "<li>Ask the platform team</li>" in report


def test_it_renders_a_questions_helpful_resource_as_a_link_or_a_text(lens):
    question = Question.objects.filter(pillar__lens=lens).first()
    question.helpful_resource_en, question.helpful_resource_url = "Deploying <safely>", "https://acme.example/d"

    linked = render_to_string("reviewapp/_resources.html#question-resource", {"question": question})
    question.helpful_resource_url = "javascript:alert(1)"
    unsafe = render_to_string("reviewapp/_resources.html#question-resource", {"question": question})
    question.helpful_resource_en = question.helpful_resource_url = ""
    empty = render_to_string("reviewapp/_resources.html#question-resource", {"question": question})

    assert linked == (
        '<p class="question-resource"><a href="https://acme.example/d" rel="noopener noreferrer nofollow">'
        "Deploying &lt;safely&gt;</a></p>"
    )
    assert unsafe == '<p class="question-resource">Deploying &lt;safely&gt;</p>'
    assert empty == ""


def test_it_shows_every_link_of_a_practice_and_of_the_question_on_the_question_page(linked, client_for, alice):
    Choice.objects.filter(question__pillar__lens=linked.lens, key="p1_q1_a2").update(
        helpful_resource_url="https://docs.example/helpful", improvement_plan_url="https://docs.example/plan"
    )
    Question.objects.filter(pillar__lens=linked.lens, key="p1_q1").update(
        helpful_resource_en="The question's guide", helpful_resource_url="https://docs.example/question"
    )

    page = _text(client_for(alice).get(reverse("reviewapp:review_question", args=[linked.pk, "p1_q1"])).content)

    for url in (
        "https://docs.example/helpful",
        "https://docs.example/plan",
        "https://acme.example/run",
        "https://acme.example/why",
        "https://docs.example/question",
    ):
        assert f'<a href="{url}" rel="noopener noreferrer nofollow"' in page, url
    assert "Runbook [v2]</a></li><li>Ask the platform team</li></ul>" in page
