"""Nothing a participant types is ever lost in the page: several browsers on one review, through
the next live refreshes, reloads, closed tabs, a lost connection and failing saves.

Each test ends by checking the database and what stays on each person's screen.
"""

import re
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reviewapp.models import Answer, AnswerChange, Membership, Role

from ..factories import add_member, make_user, make_workload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KEY = "sec_q1"
FIRST = "Use authentication and authorization mechanisms"  # sec_q1's first practice (prefix)


@pytest.fixture
def room(transactional_db, live_server, browser):
    """alice (owner), bob and carol (contributors) on one Serverless review; ``open(name)`` signs one in."""
    from questions.models import Lens

    call_command("loaddata", "serverless_lens", verbosity=0)
    alice = make_user("alice", password="alice-pass-1")
    workload = make_workload(alice, name="Live shop", lens=Lens.objects.get(slug="serverless"))
    for name in ("bob", "carol"):
        add_member(workload, make_user(name, password=f"{name}-pass-12"), Role.CONTRIBUTOR)
    review = workload.reviews.get()
    contexts = []

    def open_as(name: str, *, context=None, save_timeout: int | None = None):
        if context is None:
            context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            contexts.append(context)
            if save_timeout:
                context.add_init_script(f"window.WA_SAVE_TIMEOUT = {save_timeout};")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" is answered yes
        if not context.cookies():
            page.goto(live_server.url + "/accounts/login/")
            page.get_by_label("Username").fill(name)
            page.get_by_label("Password").fill("alice-pass-1" if name == "alice" else f"{name}-pass-12")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", name="Workloads")).to_be_visible()
        return page

    room = type("Room", (), {})()
    room.review, room.base, room.open = review, live_server.url, open_as
    room.url = lambda key=KEY: f"{live_server.url}/reviews/{review.pk}/questions/{key}/"
    yield room
    for context in contexts:
        context.close()


def answer(review, key=KEY) -> Answer:
    return Answer.objects.get(review=review, question__key=key)


def history_notes(review, key=KEY) -> list[str]:
    return list(
        AnswerChange.objects.filter(answer__review=review, answer__question__key=key)
        .order_by("version")
        .values_list("after__notes", flat=True)
    )


def saved(page, key=KEY, timeout=10_000):
    expect(page.locator(f"#save-state-{key}")).to_have_class(re.compile(r"\bsaved\b"), timeout=timeout)


def block_saves(page):
    page.route("**/answers/", lambda route: route.abort())


def test_it_keeps_the_conflict_panel_and_my_text_through_live_refreshes_and_a_third_save(room, screenshot):
    """Finding 1: a live refresh removed the panel and replaced the second person's notes."""
    alice, bob, carol = room.open("alice"), room.open("bob"), room.open("carol")
    for page in (alice, bob, carol):
        page.goto(room.url())
    block_saves(bob)  # bob types while alice's save lands: his starts from the same empty notes
    bob.locator(f"#notes-{KEY}").fill("Bob: we alarm on errors only.")
    alice.locator(f"#notes-{KEY}").fill("Alice: dashboards exist.")
    saved(alice)
    bob.unroute("**/answers/")

    panel = bob.locator(f"#conflict-{KEY} section.conflict")
    expect(panel).to_be_visible(timeout=15_000)
    expect(panel).to_contain_text("Alice: dashboards exist.")
    expect(bob.locator(f"#save-state-{KEY}")).to_have_class(re.compile("conflict"))
    bob.wait_for_timeout(3_500)  # two or three live refreshes
    expect(panel).to_be_visible()
    expect(bob.locator(f"#notes-{KEY}")).to_have_value("Bob: we alarm on errors only.")
    expect(bob.locator(f"#preview-{KEY}")).not_to_contain_text("Alice")  # the preview is never theirs

    carol.locator(f"#notes-{KEY}").fill("Carol: and latency alarms.")  # a third person saves meanwhile
    saved(carol)
    expect(bob.locator(f"#conflict-{KEY} section.conflict")).to_contain_text(
        "Carol: and latency alarms.", timeout=8_000
    )
    expect(bob.locator(f"#conflict-{KEY}")).to_contain_text("version 2")
    expect(bob.locator(f"#notes-{KEY}")).to_have_value("Bob: we alarm on errors only.")
    screenshot(bob, "no-loss-conflict-after-refreshes")
    assert answer(room.review).notes == "Carol: and latency alarms."

    bob.locator(f"#conflict-{KEY}").get_by_role("button", name="Keep mine").click()
    saved(bob)
    expect(bob.locator(f"#conflict-{KEY} section")).to_have_count(0)
    assert answer(room.review).notes == "Bob: we alarm on errors only."
    assert history_notes(room.review) == [
        "Alice: dashboards exist.",
        "Carol: and latency alarms.",
        "Bob: we alarm on errors only.",
    ]
    expect(alice.locator(f"#notes-{KEY}")).to_have_value("Bob: we alarm on errors only.", timeout=5_000)


def test_it_saves_notes_typed_after_a_live_refresh_without_leaving_the_box(room):
    """Finding 2: the autosave listener stayed on a notes box the refresh had replaced."""
    alice, bob = room.open("alice"), room.open("bob")
    alice.goto(room.url())
    bob.goto(room.url())
    alice.get_by_label(FIRST).check()
    saved(alice)
    bob.wait_for_timeout(2_000)  # a live refresh brings alice's tick to bob
    expect(bob.get_by_label(FIRST)).to_be_checked()

    bob.locator(f"#notes-{KEY}").press_sequentially("Typed after the refresh, never leaving the box.", delay=10)
    saved(bob)
    expect(bob.locator(f"#preview-{KEY}")).to_contain_text("Typed after the refresh, never leaving the box.")
    expect(bob.locator(f"#notes-{KEY}")).to_be_focused()
    bob.close(run_before_unload=True)  # closing the tab now loses nothing

    stored = answer(room.review)
    assert stored.notes == "Typed after the refresh, never leaving the box."
    assert [c.key for c in stored.selected_choices.all()] == ["sec_sec_q1_a1"]


def test_it_keeps_both_texts_when_the_same_sentence_was_changed_by_two(room, screenshot):
    """Finding 3: there was no way to keep both texts."""
    alice, bob = room.open("alice"), room.open("bob")
    alice.goto(room.url())
    alice.locator(f"#notes-{KEY}").fill("We rotate keys yearly.")
    saved(alice)
    bob.goto(room.url())
    block_saves(bob)
    bob.locator(f"#notes-{KEY}").fill("We rotate keys monthly.")
    alice.locator(f"#notes-{KEY}").fill("We rotate keys weekly.")
    saved(alice)
    bob.unroute("**/answers/")

    panel = bob.locator(f"#conflict-{KEY} section.conflict")
    expect(panel).to_be_visible(timeout=15_000)
    for choice in ("Keep theirs", "Keep mine", "Keep both"):
        expect(panel.get_by_role("button", name=choice).or_(panel.get_by_role("link", name=choice))).to_be_visible()
    expect(panel.locator(".side.both")).to_contain_text("— alice:")  # the preview of the text being chosen
    screenshot(bob, "no-loss-keep-both")
    panel.get_by_role("button", name="Keep both").click()
    saved(bob)

    both = "— alice:\n\nWe rotate keys weekly.\n\n— bob:\n\nWe rotate keys monthly."
    assert answer(room.review).notes == both
    expect(bob.locator(f"#notes-{KEY}")).to_have_value(both)
    expect(alice.locator(f"#notes-{KEY}")).to_have_value(both, timeout=5_000)


def test_it_merges_notes_edited_in_different_paragraphs_at_once(room):
    alice, bob = room.open("alice"), room.open("bob")
    alice.goto(room.url())
    alice.locator(f"#notes-{KEY}").fill("Keys: yearly.\n\nAccess: SSO.")
    saved(alice)
    bob.goto(room.url())
    block_saves(bob)
    bob.locator(f"#notes-{KEY}").fill("Keys: yearly.\n\nAccess: SSO with MFA.")
    alice.locator(f"#notes-{KEY}").fill("Keys: rotated monthly.\n\nAccess: SSO.")
    saved(alice)
    bob.unroute("**/answers/")

    merged = "Keys: rotated monthly.\n\nAccess: SSO with MFA."
    expect(bob.locator(f"#notes-{KEY}")).to_have_value(merged, timeout=15_000)
    saved(bob)
    expect(bob.locator(f"#conflict-{KEY} section")).to_have_count(0)
    assert answer(room.review).notes == merged
    expect(alice.locator(f"#notes-{KEY}")).to_have_value(merged, timeout=5_000)


def test_it_saves_every_keystroke_typed_through_ten_live_refreshes_and_keeps_the_caret(room):
    alice, bob = room.open("alice"), room.open("bob")
    alice.goto(room.url())
    bob.goto(room.url())
    box = alice.locator(f"#notes-{KEY}")
    box.click()
    choices = bob.locator(f"#question-{KEY} input[name=choices]")
    typed = ""
    for round_ in range(10):  # each round: bob changes a tick (a live refresh with a change), alice types on
        choices.nth(round_ % 3).click()
        words = f"word{round_} "
        box.press_sequentially(words, delay=40)
        typed += words
        alice.wait_for_timeout(1_600)
        assert box.evaluate("b => [b.selectionStart, b.selectionEnd]") == [len(typed), len(typed)]
    saved(alice)
    saved(bob)

    assert box.input_value() == typed
    assert answer(room.review).notes == typed
    bob_ticks = sorted(choices.evaluate_all("boxes => boxes.filter(b => b.checked).map(b => b.value)"))
    assert sorted(c.key for c in answer(room.review).selected_choices.all()) == bob_ticks
    box.evaluate("b => b.setSelectionRange(2, 7)")  # a selection is kept through a change too
    choices.nth(0).click()
    alice.wait_for_timeout(2_000)
    assert box.evaluate("b => [b.selectionStart, b.selectionEnd]") == [2, 7]


def test_it_offers_an_unsent_draft_back_after_a_reload(room):
    alice = room.open("alice")
    alice.goto(room.url())
    block_saves(alice)
    alice.locator(f"#notes-{KEY}").fill("Typed while the server could not be reached.")
    expect(alice.locator(f"#save-state-{KEY}")).to_have_class(re.compile("retrying"), timeout=5_000)
    dialogs = []
    alice.on("dialog", lambda dialog: dialogs.append(dialog.type))
    alice.unroute("**/answers/")
    alice.route("**/answers/", lambda route: route.abort())
    alice.reload()
    alice.unroute("**/answers/")

    assert dialogs == ["beforeunload"]  # leaving the page asked first
    offer = alice.locator(f"#draft-{KEY}")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("never saved")
    offer.get_by_role("button", name="Restore and send them").click()
    saved(alice)
    assert answer(room.review).notes == "Typed while the server could not be reached."
    alice.reload()
    expect(alice.locator(f"#draft-{KEY}")).to_be_hidden()


def test_it_offers_a_draft_back_after_the_tab_was_closed(room):
    alice = room.open("alice")
    alice.goto(room.url())
    context = alice.context
    # The server takes none of alice's saves for a while, not even the one her closing page sends
    # on its way (Chromium delivers it once the browser next goes to the network). That save is
    # why a closed tab usually loses nothing even before this draft is offered.
    Membership.objects.filter(workload=room.review.workload, user__username="alice").update(role=Role.VIEWER)
    alice.locator(f"#notes-{KEY}").fill("Written, then the tab was closed.")
    alice.close(run_before_unload=True)

    again = room.open("alice", context=context)
    again.goto(f"{room.base}/reviews/{room.review.pk}/")
    drafts = again.locator("#drafts")
    expect(drafts).to_be_visible()
    again.wait_for_timeout(1_500)
    assert answer(room.review).notes == ""
    Membership.objects.filter(workload=room.review.workload, user__username="alice").update(role=Role.OWNER)
    drafts.get_by_role("link", name="SEC 1").click()
    offer = again.locator(f"#draft-{KEY}")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Restore and send them").click()
    saved(again)
    assert answer(room.review).notes == "Written, then the tab was closed."


def test_it_loses_and_doubles_nothing_while_offline_for_ten_seconds(room):
    alice = room.open("alice")
    alice.goto(room.url())
    box = alice.locator(f"#notes-{KEY}")
    box.fill("Before. ")
    saved(alice)
    alice.context.set_offline(True)
    box.press_sequentially("Typed offline.", delay=20)
    expect(alice.locator("#connection")).to_contain_text("Connection lost", timeout=8_000)
    expect(alice.locator(f"#save-state-{KEY}")).to_contain_text("retrying")
    alice.wait_for_timeout(10_000)
    alice.context.set_offline(False)

    expect(alice.locator("#connection")).to_contain_text("Connection is back", timeout=15_000)
    saved(alice, timeout=15_000)
    assert answer(room.review).notes == "Before. Typed offline."
    assert history_notes(room.review) == ["Before. ", "Before. Typed offline."]


def test_it_says_the_server_is_reconnecting_and_sends_the_edit_once_after_a_database_restart(room):
    """PostgreSQL really restarts (tests/postgres_server.py): the save in the gap answers 503
    "reconnecting"; the page says so, keeps the edit and sends it again with the same key."""
    from django.db import connection

    from ..postgres_server import PostgresCluster

    cluster = PostgresCluster()
    alice = room.open("alice")
    alice.goto(room.url())
    box = alice.locator(f"#notes-{KEY}")
    box.fill("Before. ")
    saved(alice)
    cluster.stop()
    try:
        box.press_sequentially("Typed while the database restarts.", delay=20)
        expect(alice.locator("#connection")).to_contain_text("reconnecting to its database", timeout=10_000)
        expect(alice.locator(f"#save-state-{KEY}")).to_contain_text("retrying")
        alice.wait_for_timeout(2_000)
    finally:
        cluster.start()
    connection.close()  # this thread's connection died with the server

    expect(alice.locator("#connection")).to_contain_text("Connection is back", timeout=20_000)
    saved(alice, timeout=20_000)
    assert answer(room.review).notes == "Before. Typed while the database restarts."
    assert history_notes(room.review) == ["Before. ", "Before. Typed while the database restarts."]


def test_it_applies_a_save_once_through_a_server_error_and_a_lost_answer(room):
    alice = room.open("alice", save_timeout=1_500)
    alice.goto(room.url())
    calls = []

    def flaky(route):
        calls.append(route.request.post_data)
        if len(calls) == 1:
            route.fulfill(status=500, body="boom")  # the first attempt fails at the server
        elif len(calls) == 2:
            response = route.fetch()  # the second lands, but its answer comes after the page gave up
            time.sleep(2.5)
            try:
                route.fulfill(response=response)
            except Exception:  # noqa: BLE001 - the page had already aborted it
                pass
        else:
            route.continue_()

    alice.route("**/answers/", flaky)
    alice.locator(f"#notes-{KEY}").fill("Sent three times, saved once.")
    saved(alice, timeout=20_000)

    assert len(calls) >= 3
    keys = {re.search(r"idem=([^&]+)", body).group(1) for body in calls}
    assert len(keys) == 1  # every attempt carried the same idempotency key
    assert history_notes(room.review) == ["Sent three times, saved once."]


def test_it_marks_does_not_apply_and_keeps_the_ticks_for_when_it_applies_again(room):
    alice = room.open("alice")
    alice.goto(room.url())
    practice = alice.get_by_label(FIRST)
    practice.check()
    saved(alice)
    alice.get_by_label("This question does not apply to this workload").check()
    expect(practice).to_be_disabled()
    expect(practice).to_be_checked()
    saved(alice)
    assert answer(room.review).risk == "NOT_APPLICABLE"

    alice.get_by_label("This question does not apply to this workload").uncheck()
    expect(practice).to_be_enabled()
    expect(practice).to_be_checked()
    saved(alice)
    assert answer(room.review).is_applicable and answer(room.review).selected_choices.count() == 1


def test_it_keeps_a_follower_with_unsent_edits_until_they_are_saved(room):
    alice, bob = room.open("alice"), room.open("bob")
    alice.goto(room.url("ops_q1"))
    alice.get_by_role("button", name="Lead the workshop").click()
    bob.goto(room.url(KEY))
    bob.get_by_label("Follow", exact=True).check()
    block_saves(bob)
    bob.locator(f"#notes-{KEY}").fill("Not saved yet when the facilitator moves.")
    alice.goto(room.url("rel_q1"))

    expect(bob.locator("#follow-wait")).to_be_visible(timeout=6_000)
    assert bob.url.endswith(f"/questions/{KEY}/")
    bob.unroute("**/answers/")
    bob.wait_for_url("**/questions/rel_q1/", timeout=20_000)
    assert answer(room.review).notes == "Not saved yet when the facilitator moves."


def test_it_autosaves_on_the_whole_pillar_page_after_live_refreshes(room):
    alice, bob = room.open("alice"), room.open("bob")
    pillar = f"{room.base}/reviews/{room.review.pk}/pillars/security/"
    alice.goto(pillar)
    bob.goto(pillar)
    errors = []
    bob.on("console", lambda message: errors.append(message.text) if "oobErrorNoTarget" in message.text else None)
    alice.locator("#notes-sec_q2").fill("Alice on SEC 2.")
    saved(alice, "sec_q2")
    bob.wait_for_timeout(2_000)
    expect(bob.locator("#notes-sec_q2")).to_have_value("Alice on SEC 2.")

    bob.locator("#notes-sec_q2").press_sequentially(" Bob adds.", delay=10)
    bob.locator(f"#notes-{KEY}").press_sequentially("Bob on SEC 1.", delay=10)
    saved(bob, "sec_q2")
    saved(bob, KEY)
    assert answer(room.review, "sec_q2").notes == "Alice on SEC 2. Bob adds."
    assert answer(room.review, KEY).notes == "Bob on SEC 1."
    assert errors == []


def test_it_keeps_what_is_typed_in_a_plan_item_while_its_save_is_on_its_way(room):
    alice = room.open("alice")
    alice.goto(room.url())
    alice.get_by_label(FIRST).check()  # medium risk: the other practices are on the plan
    saved(alice)
    alice.goto(f"{room.base}/reviews/{room.review.pk}/plan/")
    item = alice.locator("#item-sec_sec_q1_a2")
    slow = []

    def held(route):
        slow.append(1)
        time.sleep(1.0)  # the answer comes back while the person goes on typing
        route.continue_()

    alice.route("**/plan/sec_sec_q1_a2/", held)
    item.get_by_label("Status").select_option("in_progress")
    note = item.locator("textarea")
    note.press_sequentially("Owner to book a security review. Then rotate keys.", delay=30)
    from reviewapp.models import ImprovementItem

    typed = "Owner to book a security review. Then rotate keys."
    for _ in range(40):  # every save answered (each held a second)
        alice.wait_for_timeout(250)
        stored = ImprovementItem.objects.get(review=room.review, choice__key="sec_sec_q1_a2")
        if stored.note == typed:
            break
    assert (stored.status, stored.note) == ("in_progress", typed)
    expect(item.locator(".item-state")).to_contain_text("Saved")
    assert note.input_value() == typed
    expect(alice.locator("#plan-status .status-count.in_progress b")).to_have_text("1")
    assert len(slow) >= 2
