"""Two people on one review in two browsers: live changes, conflicts, facilitator mode."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reviewapp.models import Answer, Role

from ..factories import add_member, make_user, make_workload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIRST_PRACTICE = "Understand, analyze, and alert on metrics provided out of the box"


@pytest.fixture
def room(transactional_db, live_server, browser):
    """alice (owner) and bob (contributor) signed in, each in a browser of their own."""
    from questions.models import Lens

    call_command("loaddata", "serverless_lens", verbosity=0)
    alice, bob = make_user("alice", password="alice-pass-1"), make_user("bob", password="bob-pass-12")
    workload = make_workload(alice, name="Live shop", lens=Lens.objects.get(slug="serverless"))
    add_member(workload, bob, Role.CONTRIBUTOR)
    review = workload.reviews.get()
    pages = {}
    for user, password in ((alice, "alice-pass-1"), (bob, "bob-pass-12")):
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Workloads")).to_be_visible()
        pages[user.username] = page
    yield review, pages["alice"], pages["bob"], live_server.url
    for page in pages.values():
        page.context.close()


def question_url(base, review, key):
    return f"{base}/reviews/{review.pk}/questions/{key}/"


def test_it_shows_a_change_made_in_one_browser_in_the_other(room, screenshot):
    review, alice, bob, base = room
    alice.goto(question_url(base, review, "ops_q1"))
    bob.goto(question_url(base, review, "ops_q1"))
    alice.evaluate("window.__sameDocument = true")

    bob.get_by_label(FIRST_PRACTICE).check()
    expect(bob.locator("#status-ops_q1 .badge")).to_have_text("Medium risk")

    expect(alice.locator("#status-ops_q1 .badge")).to_have_text("Medium risk", timeout=5_000)
    expect(alice.get_by_label(FIRST_PRACTICE)).to_be_checked()
    expect(alice.locator("#review-counts .count.medium b")).to_have_text("1")
    expect(alice.locator("#nav-ops_q1 .avatar", has_text="BO")).to_be_visible()  # bob is here too
    assert alice.evaluate("window.__sameDocument") is True
    screenshot(alice, "live-alice-sees-bob")


def test_it_merges_changes_to_different_choices(room):
    review, alice, bob, base = room
    alice.goto(question_url(base, review, "ops_q2"))
    bob.goto(question_url(base, review, "ops_q2"))
    alice.route("**/live/**", lambda route: route.abort())  # alice hears nothing of bob's save

    bob.get_by_label("Use infrastructure as code and stages isolated in separate environments").check()
    expect(bob.locator("#status-ops_q2 .meta")).to_contain_text("version 1")
    alice.get_by_label("Use a rollout deployment mechanism").check()

    expect(
        alice.get_by_label("Use infrastructure as code and stages isolated in separate environments")
    ).to_be_checked()
    answer = Answer.objects.get(review=review, question__key="ops_q2")
    assert sorted(c.key for c in answer.selected_choices.all()) == ["ops_ops_q2_a1", "ops_ops_q2_a3"]


def test_it_moves_followers_to_the_question_the_facilitator_opens(room):
    review, alice, bob, base = room
    alice.goto(question_url(base, review, "ops_q1"))
    alice.get_by_role("button", name="Lead the workshop").click()
    expect(alice.get_by_text("Led by alice")).to_be_visible()

    bob.goto(question_url(base, review, "ops_q1"))
    bob.get_by_label("Follow", exact=True).check()
    alice.goto(question_url(base, review, "sec_q2"))

    bob.wait_for_url("**/questions/sec_q2/", timeout=6_000)
    bob.get_by_label("Follow", exact=True).uncheck()
    bob.goto(question_url(base, review, "ops_q1"))
    alice.goto(question_url(base, review, "rel_q1"))
    bob.wait_for_timeout(3_000)
    assert bob.url.endswith("/questions/ops_q1/")
