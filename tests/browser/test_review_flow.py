"""A person signs in, creates a workload, answers a question and sees the risk change in place."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reviewapp.models import Answer, AnswerRisk, Workload

from ..factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(transactional_db):
    call_command("loaddata", "serverless_lens", verbosity=0)


def test_it_answers_a_question_and_updates_the_risk_without_reloading(live_server, page, screenshot, bank):
    make_user("dana", password="s3cret-pass")

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill("s3cret-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workloads")).to_be_visible()

    page.get_by_role("link", name="New workload").click()
    page.get_by_label("Name").fill("Booking API")
    page.get_by_label("Description").fill("Serverless booking")
    page.get_by_label("Review owner").fill("Dana")
    page.get_by_role("button", name="Create workload").click()
    expect(page.get_by_role("heading", name="Booking API")).to_be_visible()

    page.get_by_role("link", name="Serverless Applications Lens 2019-12").click()
    page.get_by_role("link", name="Answer question by question").click()
    status = page.locator("#status-ops_q1")
    expect(status.locator(".badge")).to_have_text("Unanswered")
    page.evaluate("window.__sameDocument = true")

    page.get_by_label("Understand, analyze, and alert on metrics provided out of the box").check()
    expect(status.locator(".badge")).to_have_text("Medium risk")
    expect(page.locator("#review-counts .count.medium b")).to_have_text("1")
    expect(page.locator("#nav-ops_q1 .badge")).to_have_text("Medium risk")

    page.get_by_label("None of these").check()
    expect(status.locator(".badge")).to_have_text("High risk")
    expect(page.get_by_label("Understand, analyze, and alert on metrics provided out of the box")).not_to_be_checked()
    page.locator("#notes-ops_q1").fill("We only have **default** metrics.")
    expect(page.locator("#preview-ops_q1 strong")).to_have_text("default")
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    screenshot(page, "review-question")

    answer = Answer.objects.get(review__workload=Workload.objects.get(name="Booking API"), question__key="ops_q1")
    assert answer.risk == AnswerRisk.HIGH
    assert [c.key for c in answer.selected_choices.all()] == ["ops_ops_q1_no"]
    assert answer.notes == "We only have **default** metrics."

    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#question-ops_q2")).to_be_visible()
