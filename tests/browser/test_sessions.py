"""A workshop in three browsers: the facilitator runs the session, two participants follow the agenda."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from reviewapp.models import ReviewSession, Role
from reviewapp.sessions.planning import AgendaEntry, session_plan

from ..factories import add_member, make_user, make_workload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIRST_PRACTICE = "Understand, analyze, and alert on metrics provided out of the box"
PEOPLE = (("alice", "alice-pass-1"), ("bob", "bob-pass-12"), ("carol", "carol-pass-1"))


@pytest.fixture
def workshop(transactional_db, live_server, browser):
    """alice (owner) facilitates a planned session; bob and carol contribute; each in a browser of their own."""
    from questions.models import Lens

    call_command("loaddata", "serverless_lens", verbosity=0)
    users = {name: make_user(name, password=password) for name, password in PEOPLE}
    workload = make_workload(users["alice"], name="Workshop shop", lens=Lens.objects.get(slug="serverless"))
    add_member(workload, users["bob"], Role.CONTRIBUTOR)
    add_member(workload, users["carol"], Role.CONTRIBUTOR)
    review = workload.reviews.get()
    session = session_plan(
        review=review,
        user=users["alice"],
        title="Operations workshop",
        planned_start=timezone.now(),
        facilitator=users["alice"],
        agenda=[AgendaEntry("question:ops_q1", 10), AgendaEntry("question:ops_q2", 5)],
        expected=list(users.values()),
    )
    pages = {}
    for name, password in PEOPLE:
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill(name)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Workloads")).to_be_visible()
        pages[name] = page
    yield review, session, pages, live_server.url
    for page in pages.values():
        page.context.close()


def seconds(text: str) -> int:
    minutes, secs = re.fullmatch(r"(\d+):(\d\d)", text.strip()).groups()
    return int(minutes) * 60 + int(secs)


def test_it_runs_a_workshop_that_everyone_follows_and_writes_its_minutes(workshop, screenshot):
    review, session, pages, base = workshop
    alice, bob, carol = pages["alice"], pages["bob"], pages["carol"]
    question = f"{base}/reviews/{review.pk}/questions/"

    alice.goto(f"{base}/reviews/{review.pk}/sessions/{session.pk}/")
    alice.get_by_role("button", name="Start session").click()
    expect(alice.locator("#session-bar")).to_contain_text("Item 1 of 2:")
    for page in (bob, carol):
        page.goto(question + "ops_q1/")
        page.get_by_label("Follow", exact=True).check()
        expect(page.locator("#session-bar [data-session-item]")).to_contain_text("OPS 1")

    # Every screen shows the same time left, counted from the server's deadline.
    timers = [seconds(page.locator("#session-bar [data-timer]").inner_text()) for page in (bob, carol, alice)]
    assert max(timers) - min(timers) <= 1, timers
    assert 540 <= timers[0] <= 600

    # bob answers, defers the question and parks something for later.
    bob.get_by_label(FIRST_PRACTICE).check()
    expect(bob.locator("#status-ops_q1 .badge")).to_have_text("Medium risk")
    bob.get_by_label("Discussion").select_option("deferred")
    bob.get_by_role("button", name="Set", exact=True).click()
    bob.get_by_placeholder("Park for later").fill("Check the on-call runbook")
    bob.get_by_role("button", name="Park", exact=True).click()
    expect(bob.locator("#session-question")).to_contain_text("Check the on-call runbook")
    # carol comments and mentions bob; bob's page shows it live, his own unsent text untouched.
    bob.get_by_label("Comment", exact=True).fill("Half-typed thought")
    carol.get_by_label("Comment", exact=True).fill("@bob please check the **dashboards**")
    carol.get_by_role("button", name="Add comment").click()
    expect(carol.locator("#comments-ops_q1")).to_contain_text("Mentions: @bob")
    expect(bob.locator("#comments-ops_q1 strong")).to_have_text("dashboards", timeout=5_000)
    expect(bob.get_by_label("Comment", exact=True)).to_have_value("Half-typed thought")

    # The facilitator moves on: followers move with the agenda, and the bar says so everywhere.
    alice.goto(question + "ops_q1/")
    alice.locator("#session-bar").get_by_role("button", name="Next item").click()
    carol.wait_for_url("**/questions/ops_q2/", timeout=8_000)
    # bob is still writing a comment: his page waits (and says so) rather than take his text away.
    expect(bob.locator("#follow-wait")).to_be_visible(timeout=5_000)
    assert bob.url.endswith("/questions/ops_q1/")
    bob.get_by_label("Comment", exact=True).fill("")
    for page in (bob, carol):
        page.wait_for_url("**/questions/ops_q2/", timeout=8_000)
        expect(page.locator("#session-bar")).to_contain_text("Item 2 of 2:")
        expect(page.locator("#session-bar [data-session-item]")).to_contain_text("OPS 2")
    timers = [seconds(page.locator("#session-bar [data-timer]").inner_text()) for page in (bob, carol)]
    assert max(timers) - min(timers) <= 1 and 280 <= timers[0] <= 300, timers

    alice.locator("#session-bar").get_by_role("button", name="End session").click()
    alice.wait_for_url("**/minutes/")
    minutes = alice.locator("main")
    expect(minutes.locator(".minutes-changes")).to_contain_text("OPS 1")
    expect(minutes.locator(".minutes-changes")).to_contain_text("bob")
    expect(minutes.locator(".minutes-changes")).to_contain_text(FIRST_PRACTICE)
    expect(minutes.locator(".minutes-discussion")).to_contain_text("OPS 1")
    expect(minutes.locator(".minutes-parking")).to_contain_text("Check the on-call runbook")
    expect(minutes.locator(".minutes-attendance")).to_contain_text("carol")
    expect(minutes.locator(".minutes-comments")).to_contain_text("please check the dashboards")
    expect(minutes.locator(".minutes-comments")).to_contain_text("carol")
    carol_row = minutes.locator(".minutes-attendance tr", has_text="carol").locator("td").last
    assert seconds(carol_row.inner_text()) >= 3  # polled from the start to the end, not just once
    assert ReviewSession.objects.get().status == "ended"
    expect(bob.locator("#session-bar")).to_be_hidden(timeout=5_000)  # the bar leaves every page
    screenshot(alice, "session-minutes")
