"""Several people saving one answer at once: nothing is lost (reviewapp/answers.py, views/answers.py).

The thread tests run against PostgreSQL with real transactions: each thread has its own
connection, reads the version its page started from, waits for the others, then saves.
"""

import html
import json
import re
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from questions.models import Choice
from reviewapp.answer_state import AnswerState
from reviewapp.answers import AnswerConflict, answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Answer, AnswerChange, AnswerRisk, ImprovementItem, Review

from ..factories import answer_data_in, answer_snapshot, make_lens

THREADS = 8
KEY = "p1_q1"
HTMX = {"HTTP_HX_REQUEST": "true"}
threaded = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lens(db):
    """The mini lens with 8 questions; p1_q1 also has the practices x1..x8, one for each thread."""
    lens = make_lens(questions_per_pillar=4)
    question = lens.pillars.get(key="p1").questions.get(key=KEY)
    for n in range(1, THREADS + 1):
        Choice.objects.create(
            question=question, key=f"{KEY}_x{n}", order=10 + n, title_en=f"Extra {n}", title_ko=f"추가 {n}"
        )
    return lens


def _answer(review, key=KEY) -> Answer:
    return Answer.objects.get(review=review, question__key=key)


def _keys(answer) -> set[str]:
    return set(answer.selected_choices.values_list("key", flat=True))


def _run(count: int, work: Callable[[int, threading.Barrier], object]) -> list:
    """Run ``work(index, barrier)`` in ``count`` threads; each result, or the exception it raised."""
    barrier = threading.Barrier(count, timeout=60)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            results[index] = work(index, barrier)
        except BaseException as exc:  # noqa: BLE001 - handed to the test as a result
            barrier.abort()
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is still running"
    return results


def _save(review, item, user, *, base_version, choices=frozenset(), notes="", **extra) -> Answer:
    return answer_save(
        review=review,
        item=item,
        user=user,
        state=AnswerState(choices=frozenset(choices), applicable=True, reason="", notes=notes),
        base_version=base_version,
        **extra,
    )


# --- Threads against PostgreSQL -----------------------------------------------------------------


@threaded
def test_it_keeps_every_tick_of_people_saving_the_same_answer_at_once(review, alice, bob):
    item = load_bank(review.lens).by_key[KEY]
    revision_before = Review.objects.get(pk=review.pk).revision
    people = [alice, bob]

    def tick(index: int, barrier: threading.Barrier) -> int:
        version = _answer(review).version  # what the page showed
        barrier.wait()
        saved = _save(review, item, people[index % 2], base_version=version, choices={f"{KEY}_x{index + 1}"})
        return saved.version

    results = _run(THREADS, tick)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == list(range(1, THREADS + 1))
    answer = _answer(review)
    assert _keys(answer) == {f"{KEY}_x{n}" for n in range(1, THREADS + 1)}  # the union: no tick lost
    assert answer.version == THREADS
    changes = list(AnswerChange.objects.filter(answer=answer).order_by("version"))
    assert [c.version for c in changes] == list(range(1, THREADS + 1))  # no gap, no duplicate
    assert [len(c.after["choices"]) for c in changes] == list(range(1, THREADS + 1))  # each adds its own tick
    assert all(set(c.before["choices"]) < set(c.after["choices"]) for c in changes)
    assert {c.changed_by.username for c in changes} == {"alice", "bob"}
    review.refresh_from_db()
    assert review.revision == revision_before + THREADS
    assert answer.review_revision == review.revision


@threaded
def test_it_lets_exactly_one_of_several_notes_on_the_same_version_win(review, alice, bob):
    item = load_bank(review.lens).by_key[KEY]
    rounds = 3
    people = [alice, bob]

    def write(index: int, barrier: threading.Barrier) -> list:
        outcomes = []
        for number in range(rounds):
            version = _answer(review).version
            barrier.wait()  # everyone has read the same version
            # A text with no character in common with any other: every pair of edits overlaps
            # (edits in different places of the notes would merge, see test_merging).
            note = chr(ord("a") + number * THREADS + index) * 12
            try:
                saved = _save(review, item, people[index % 2], base_version=version, notes=note)
            except AnswerConflict as conflict:
                outcomes.append(
                    ("conflict", version, conflict.current_version, conflict.fields, conflict.current.notes)
                )
            else:
                outcomes.append(("saved", version, saved.version, [], note))
            barrier.wait()  # everyone is done before the next round reads
        return outcomes

    results = _run(THREADS, write)

    assert not [r for r in results if isinstance(r, BaseException)], results
    winners = []
    for number in range(rounds):
        outcomes = [thread[number] for thread in results]
        saved = [o for o in outcomes if o[0] == "saved"]
        conflicts = [o for o in outcomes if o[0] == "conflict"]
        assert len(saved) == 1, outcomes  # exactly one wins
        assert len(conflicts) == THREADS - 1  # every other thread is told, none silently lost
        _kind, read, version, _fields, note = saved[0]
        assert (read, version) == (number, number + 1)
        assert {(c[1], c[2], tuple(c[3]), c[4]) for c in conflicts} == {(number, number + 1, ("notes",), note)}
        winners.append(note)
    answer = _answer(review)
    assert (answer.version, answer.notes) == (rounds, winners[-1])
    changes = AnswerChange.objects.filter(answer=answer).order_by("version")
    assert [(c.version, c.after["notes"]) for c in changes] == list(enumerate(winners, start=1))


@threaded
def test_it_saves_every_note_when_the_losers_keep_theirs_on_the_new_version(review, alice):
    item = load_bank(review.lens).by_key[KEY]

    def write(index: int, barrier: threading.Barrier) -> int:
        note = f"note of thread {index}"
        version = _answer(review).version
        barrier.wait()
        for _attempt in range(THREADS * 2):
            try:
                return _save(review, item, alice, base_version=version, notes=note).version
            except AnswerConflict as conflict:
                assert conflict.fields == ["notes"]
                version = conflict.current_version  # "Keep mine": post again on the version shown
        raise AssertionError("never saved")

    results = _run(THREADS, write)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(results) == list(range(1, THREADS + 1))
    changes = list(AnswerChange.objects.filter(answer=_answer(review)).order_by("version"))
    assert sorted(c.after["notes"] for c in changes) == sorted(f"note of thread {n}" for n in range(THREADS))
    assert all(c.before["notes"] == previous.after["notes"] for previous, c in zip(changes, changes[1:], strict=False))


@threaded
def test_it_lets_one_save_through_when_all_expect_the_same_version(review, bob):
    item = load_bank(review.lens).by_key[KEY]

    def write(index: int, barrier: threading.Barrier) -> str:
        barrier.wait()
        try:
            answer_save(
                review=review,
                item=item,
                user=bob,
                state=AnswerState(choices=frozenset({f"{KEY}_x{index + 1}"}), applicable=True, reason="", notes=""),
                expected_version=0,
            )
        except AnswerConflict as conflict:
            assert (conflict.current_version, conflict.fields) == (1, [])
            return "conflict"
        return "saved"

    results = _run(THREADS, write)

    assert sorted(results) == ["conflict"] * (THREADS - 1) + ["saved"]
    answer = _answer(review)
    assert answer.version == 1 and len(_keys(answer)) == 1
    assert AnswerChange.objects.filter(answer=answer).count() == 1


@threaded
def test_it_gives_saves_of_different_questions_at_once_distinct_revisions(review, bob):
    bank = load_bank(review.lens)
    items = bank.questions
    assert len(items) == THREADS
    start = Review.objects.get(pk=review.pk).revision

    def write(index: int, barrier: threading.Barrier) -> int:
        item = items[index]
        barrier.wait()
        return _save(review, item, bob, base_version=0, choices={f"{item.key}_a1"}).review_revision

    results = _run(THREADS, write)

    assert sorted(results) == list(range(start + 1, start + THREADS + 1))
    assert Review.objects.get(pk=review.pk).revision == start + THREADS
    assert set(Answer.objects.filter(review=review).values_list("risk", flat=True)) == {AnswerRisk.MEDIUM}


# --- The review page, saving from a stale version --------------------------------------------


def shows(response, text: str) -> None:
    """The 409 conflict fragment contains the text."""
    assertContains(response, text, status_code=409)


def _post(client, review, *, version, key=KEY, htmx=True, **data):
    url = reverse("reviewapp:answer_save", args=[review.pk])
    return client.post(url, {"question": key, "version": version, **data}, **(HTMX if htmx else {}))


@pytest.fixture
def as_alice(client_for, alice):
    return client_for(alice)


@pytest.fixture
def as_bob(client_for, bob):
    return client_for(bob)


def test_it_merges_a_save_from_a_stale_version_that_changed_something_else(review, as_alice, as_bob):
    _post(as_alice, review, version=0, notes="Alice wrote this")  # bob's page still shows version 0

    response = _post(as_bob, review, version=0, choices=[f"{KEY}_a1"], notes="")

    assert response.status_code == 200
    answer = _answer(review)
    assert (_keys(answer), answer.notes, answer.version) == ({f"{KEY}_a1"}, "Alice wrote this", 2)
    assert answer.risk == AnswerRisk.MEDIUM
    assert AnswerChange.objects.get(answer=answer, version=2).after["notes"] == "Alice wrote this"
    # The page gets the merged answer as data; its script lays it over the fields.
    assert answer_data_in(response, KEY) == {
        "version": 2,
        "choices": [f"{KEY}_a1"],
        "applicable": True,
        "reason": "",
        "notes": "Alice wrote this",
        "by": "bob",
    }
    assertNotContains(response, f'id="notes-{KEY}"')
    assertContains(response, "Someone else changed this answer meanwhile; both changes are kept.")
    assert "<html" not in response.content.decode()


def test_it_leaves_the_fields_alone_after_a_save_on_the_current_version(review, as_alice):
    _post(as_alice, review, version=0, notes="one")

    response = _post(as_alice, review, version=1, choices=[f"{KEY}_a1"], notes="one")

    assert response.status_code == 200
    assertNotContains(response, f'id="answer-{KEY}"')
    assertNotContains(response, f'id="notes-{KEY}"')
    assertNotContains(response, "both changes are kept")
    assert answer_data_in(response, KEY)["version"] == 2


def test_it_shows_both_versions_with_409_when_the_notes_collide(review, as_alice, as_bob):
    _post(as_alice, review, version=0, choices=[f"{KEY}_a2"], notes="Alice: dashboards exist")
    before = answer_snapshot(review)

    response = _post(as_bob, review, version=0, choices=[f"{KEY}_a1"], notes="Bob: alarms on errors")

    assert response.status_code == 409
    assert answer_snapshot(review) == before  # nothing of bob's was saved
    # The panel goes in a place of its own, which no live refresh ever replaces.
    assert response["HX-Retarget"] == f"#conflict-{KEY}"
    assert response["HX-Reswap"] == "innerHTML"
    html = response.content.decode()
    assert "<html" not in html
    shows(response, f'<section class="conflict" role="alert" data-conflict="{KEY}" data-theirs-version="1">')
    assert answer_data_in(response, KEY)["notes"] == "Alice: dashboards exist"  # the newest theirs, as data
    shows(response, "Theirs (alice, version 1)")
    shows(response, "<p>Alice: dashboards exist</p>")  # their notes
    shows(response, '<input type="hidden" name="notes" value="Bob: alarms on errors">')  # mine, to keep
    shows(response, "<p>Bob: alarms on errors</p>")
    shows(response, "<li>Practice 2</li>")  # their choice
    shows(response, "<li>Practice 1</li>")  # mine
    shows(response, '<input type="hidden" name="version" value="1">')  # "Keep mine" posts on theirs
    shows(response, f'<input type="hidden" name="choices" value="{KEY}_a1">')
    shows(response, "Keep mine")
    shows(response, "Keep both")
    shows(
        response, "<p>— alice:</p>\n<p>Alice: dashboards exist</p>\n<p>— bob:</p>\n<p>Bob: alarms on errors</p>"
    )  # both, previewed
    shows(response, '<input type="hidden" name="keep" value="both">')
    shows(response, 'data-resolve="theirs"')  # "Keep theirs"


def test_it_saves_mine_when_i_post_again_on_the_version_shown_in_the_conflict(review, as_alice, as_bob, bob):
    _post(as_alice, review, version=0, notes="Alice: dashboards exist")
    assert _post(as_bob, review, version=0, notes="Bob: alarms on errors").status_code == 409

    response = _post(as_bob, review, version=1, notes="Bob: alarms on errors")  # "Keep mine"

    assert response.status_code == 200
    answer = _answer(review)
    assert (answer.notes, answer.version, answer.updated_by) == ("Bob: alarms on errors", 2, bob)
    change = AnswerChange.objects.get(answer=answer, version=2)
    assert (change.before["notes"], change.after["notes"]) == ("Alice: dashboards exist", "Bob: alarms on errors")
    assertContains(response, "(version 2)")


def test_it_gives_their_version_back_for_keep_theirs(review, as_alice, as_bob):
    _post(as_alice, review, version=0, choices=[f"{KEY}_a2"], notes="Alice: dashboards exist")
    before = answer_snapshot(review)

    response = as_bob.get(reverse("reviewapp:answer_fields", args=[review.pk, KEY]), **HTMX)

    assert response.status_code == 200
    assert answer_snapshot(review) == before
    data = answer_data_in(response, KEY)
    assert (data["version"], data["choices"], data["notes"]) == (1, [f"{KEY}_a2"], "Alice: dashboards exist")


def test_it_refuses_a_merge_that_puts_none_of_these_beside_their_choice(review, as_alice, as_bob):
    _post(as_alice, review, version=0, choices=[f"{KEY}_a1"])
    before = answer_snapshot(review)

    response = _post(as_bob, review, version=0, choices=[f"{KEY}_no"])

    assert response.status_code == 409
    assert answer_snapshot(review) == before
    shows(response, "<li>None of these</li>")


def test_it_refuses_two_different_reasons_for_not_applying(review, as_alice, as_bob):
    _post(as_alice, review, version=0, not_applicable="on", reason="OUT_OF_SCOPE")
    before = answer_snapshot(review)

    response = _post(as_bob, review, version=0, not_applicable="on", reason="OTHER")

    assert response.status_code == 409
    assert answer_snapshot(review) == before


def test_it_refuses_a_version_it_has_no_history_of(review, as_alice):
    _post(as_alice, review, version=0, notes="first")
    before = answer_snapshot(review)

    response = _post(as_alice, review, version=7, notes="from the future")

    assert response.status_code == 409
    assert answer_snapshot(review) == before


def test_it_shows_a_conflict_page_without_htmx(review, as_alice, as_bob):
    _post(as_alice, review, version=0, notes="Alice")

    response = _post(as_bob, review, version=0, notes="Bob", htmx=False)

    assert response.status_code == 409
    shows(response, "<html")
    shows(response, "Keep mine")
    shows(response, reverse("reviewapp:review_question", args=[review.pk, KEY]))
    assert _answer(review).notes == "Alice"


def test_it_refreshes_the_fields_when_the_merge_took_their_reason(review, as_alice, as_bob):
    _post(as_alice, review, version=0, not_applicable="on", reason="OUT_OF_SCOPE")
    _post(as_alice, review, version=1, not_applicable="on", reason="OTHER")  # bob's page still shows v1

    response = _post(as_bob, review, version=1, not_applicable="on", reason="OUT_OF_SCOPE", notes="why")

    answer = _answer(review)
    assert (answer.reason, answer.notes, answer.version) == ("OTHER", "why", 3)  # merged: their reason, my notes
    assert answer_data_in(response, KEY)["reason"] == "OTHER"  # the page is told
    assertContains(response, "both changes are kept")


def test_it_keeps_their_reason_when_a_stale_page_saves_only_notes(review, as_alice, as_bob):
    """The merge itself is right (the bug above is in telling the page)."""
    _post(as_alice, review, version=0, not_applicable="on", reason="OUT_OF_SCOPE")
    _post(as_alice, review, version=1, not_applicable="on", reason="OTHER")

    _post(as_bob, review, version=1, not_applicable="on", reason="OUT_OF_SCOPE", notes="why")

    answer = _answer(review)
    assert (answer.is_applicable, answer.reason, answer.notes) == (False, "OTHER", "why")


def test_it_brings_improvement_items_along_with_a_merged_save(review, as_alice, as_bob):
    _post(as_alice, review, version=0, choices=[f"{KEY}_a1"])  # medium risk: items for a2, a3, x1..x8

    _post(as_bob, review, version=0, choices=[f"{KEY}_a2"])

    items = dict(
        ImprovementItem.objects.filter(review=review, choice__question__key=KEY).values_list("choice__key", "status")
    )
    assert items[f"{KEY}_a2"] == ImprovementItem.Status.DONE
    assert items[f"{KEY}_a3"] == ImprovementItem.Status.OPEN
    assert f"{KEY}_a1" not in items


# --- Retries, "Keep both" and merged notes through the page's save ---------------------------------


def test_it_applies_a_retried_save_once(review, as_alice, alice):
    first = _post(as_alice, review, version=0, notes="typed once", idem="key-0001-abcdef")

    retry = _post(as_alice, review, version=0, notes="typed once", idem="key-0001-abcdef")  # the answer was lost

    assert (first.status_code, retry.status_code) == (200, 200)
    answer = _answer(review)
    assert (answer.version, answer.notes) == (1, "typed once")
    assert list(AnswerChange.objects.filter(answer=answer).values_list("version", "idempotency_key")) == [
        (1, "key-0001-abcdef")
    ]
    assert answer_data_in(retry, KEY)["version"] == 1  # the retry is told where the answer stands


def test_it_applies_a_retry_once_even_after_someone_else_saved(review, as_alice, as_bob):
    _post(as_alice, review, version=0, notes="Alice", idem="alice-key-0001")
    _post(as_bob, review, version=1, choices=[f"{KEY}_a1"], notes="Alice", idem="bob-key-000001")

    retry = _post(as_alice, review, version=0, notes="Alice", idem="alice-key-0001")

    assert retry.status_code == 200
    answer = _answer(review)
    assert (answer.version, answer.notes, _keys(answer)) == (2, "Alice", {f"{KEY}_a1"})
    assert AnswerChange.objects.filter(answer=answer).count() == 2
    # The page is told the answer its save produced (version 1, without Bob's practice), so what
    # Alice typed since is rebased onto that and her next save starts from version 1, not from 0
    # (which would bring "Alice" in a second time), then on to the answer as it is now.
    status = re.search(r'id="status-p1_q1"[^>]*data-saved-answer="([^"]*)"', retry.content.decode())
    assert json.loads(html.unescape(status.group(1))) == {
        "version": 1,
        "choices": [],
        "applicable": True,
        "reason": "",
        "notes": "Alice",
        "by": "alice",
    }
    assert answer_data_in(retry, KEY)["version"] == 2


def test_a_save_that_stays_the_newest_carries_no_second_answer(review, as_alice):
    response = _post(as_alice, review, version=0, notes="Alice", idem="alice-key-0002")

    assert answer_data_in(response, KEY)["version"] == 1
    assertNotContains(response, "data-saved-answer")


def test_it_refuses_an_idempotency_key_of_the_wrong_shape(review, as_alice):
    response = _post(as_alice, review, version=0, notes="x", idem="<script>")

    assert response.status_code == 400
    assert (_answer(review).version, _answer(review).notes) == (0, "")


def test_it_merges_notes_edited_in_different_places_by_two_people(review, as_alice, as_bob):
    base = "Alarms on errors.\n\nRunbooks in the wiki."
    _post(as_alice, review, version=0, notes=base)
    _post(as_alice, review, version=1, notes=base.replace("errors.", "errors and latency."))

    response = _post(as_bob, review, version=1, notes=base.replace("wiki.", "repository."))

    assert response.status_code == 200
    assert _answer(review).notes == "Alarms on errors and latency.\n\nRunbooks in the repository."
    assert answer_data_in(response, KEY)["notes"] == _answer(review).notes
    assertContains(response, "both changes are kept")


def test_it_keeps_both_texts_under_their_authors(review, as_alice, as_bob, bob):
    _post(as_alice, review, version=0, notes="Alice: dashboards exist")
    assert _post(as_bob, review, version=0, notes="Bob: alarms on errors").status_code == 409

    response = _post(as_bob, review, version=1, notes="Bob: alarms on errors", keep="both")

    assert response.status_code == 200
    answer = _answer(review)
    assert answer.notes == "— alice:\n\nAlice: dashboards exist\n\n— bob:\n\nBob: alarms on errors"
    assert (answer.version, answer.updated_by) == (2, bob)
    assert AnswerChange.objects.get(answer=answer, version=2).before["notes"] == "Alice: dashboards exist"


def test_it_asks_again_when_theirs_changed_before_keep_both(review, as_alice, as_bob):
    _post(as_alice, review, version=0, notes="Alice v1")
    _post(as_alice, review, version=1, notes="Alice v2")  # after bob's panel showed version 1

    response = _post(as_bob, review, version=1, notes="Bob", keep="both")

    assert response.status_code == 409
    shows(response, "Theirs (alice, version 2)")
    assert _answer(review).notes == "Alice v2"


def test_it_refuses_keep_both_when_the_texts_together_are_too_long(review, as_alice, as_bob):
    _post(as_alice, review, version=0, notes="a" * 1500)

    response = _post(as_bob, review, version=1, notes="b" * 1500, keep="both")

    assert response.status_code == 400
    assertContains(response, "Both texts together are longer than 2084 characters", status_code=400)
    assert _answer(review).notes == "a" * 1500


def test_it_records_no_version_for_a_save_that_changes_nothing(review, as_alice, as_bob):
    _post(as_alice, review, version=0, notes="same")
    _post(as_bob, review, version=1, choices=[f"{KEY}_a1"], notes="same")

    response = _post(as_alice, review, version=1, notes="same")  # alice's page had nothing new to send

    assert response.status_code == 200
    assert _answer(review).version == 2
    assert AnswerChange.objects.filter(answer__review=review).count() == 2


def test_it_stores_notes_with_the_line_breaks_the_page_has(review, as_alice):
    _post(as_alice, review, version=0, notes="one\r\ntwo\rthree")

    assert _answer(review).notes == "one\ntwo\nthree"
