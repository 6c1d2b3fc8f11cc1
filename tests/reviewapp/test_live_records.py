"""The answers each process keeps per review and brings up to date with what was saved since
(``live_records`` in reviewapp/progress.py): always what a whole read gives, in fewer queries.

These run outside a test transaction (``transaction=True``), as requests do: inside one nothing
is kept, since what it wrote may yet be rolled back.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reviewapp import progress
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Answer, Review

pytestmark = pytest.mark.django_db(transaction=True)


def _whole(review) -> dict:
    """The answers as a whole read gives them, nothing kept."""
    return progress._records_read(review.pk, {}, -1)[0]


def _save(review, user, key: str, *, choices=(), notes: str = "") -> None:
    item = load_bank(review.lens).by_key[key]
    state = AnswerState(choices=frozenset(choices), applicable=True, reason="", notes=notes)
    answer_save(review=Review.objects.get(pk=review.pk), item=item, user=user, state=state)


def _notes(records: dict) -> list[str]:
    return sorted(r.state.notes for r in records.values() if r.state.notes)


def _read(review) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        records = progress.live_records(review)
    return records, len(queries)


def test_it_reads_only_what_was_saved_since_and_gives_what_a_whole_read_gives(review, alice, bob, monkeypatch):
    _save(review, alice, "p1_q1", choices=["p1_q1_a1"], notes="first")
    first, _ = _read(review)
    assert first == _whole(review)

    unchanged, queries = _read(review)
    assert (unchanged, queries) == (first, 1)  # one query finds nothing newer

    # Saves made by another process: this one learns of them from the database.
    with monkeypatch.context() as elsewhere:
        elsewhere.setattr("reviewapp.answers.live_records_saved", lambda *args: None)
        _save(review, bob, "p1_q2", notes="Bob's")
        _save(review, alice, "p1_q1", choices=["p1_q1_a2"], notes="second")
    records, queries = _read(review)
    assert queries == 2  # what changed, with its ticked practices
    assert records == _whole(review)
    q1 = load_bank(review.lens).by_key["p1_q1"].question.pk
    assert (records[q1].version, records[q1].state.choices, records[q1].state.notes) == (2, {"p1_q1_a2"}, "second")
    assert (first[q1].version, first[q1].state.notes) == (1, "first")  # what an earlier caller was given stays


def test_a_save_of_this_process_is_taken_without_a_read_and_equals_what_a_read_gives(review, alice, bob):
    _save(review, alice, "p1_q1", choices=["p1_q1_a1"], notes="first")
    _read(review)

    _save(review, bob, "p1_q1", choices=["p1_q1_a1", "p1_q1_a2"], notes="second **bold**")
    records, queries = _read(review)

    assert queries == 1  # nothing newer than the save this process made and noted
    assert records == _whole(review)
    q1 = load_bank(review.lens).by_key["p1_q1"].question.pk
    assert (records[q1].version, records[q1].updated_by, records[q1].review_revision) == (2, "bob", 2)


def test_a_rolled_back_save_is_never_kept(review, alice):
    _save(review, alice, "p1_q1", notes="kept")
    _read(review)
    try:
        with transaction.atomic():
            _save(review, alice, "p1_q1", notes="rolled back")
            inside, _ = _read(review)  # read inside the transaction: sees its own write, keeps nothing
            assert _notes(inside) == ["rolled back"]
            raise RuntimeError
    except RuntimeError:
        pass
    _save(review, alice, "p1_q2", notes="after")

    records, _ = _read(review)

    assert records == _whole(review)
    assert _notes(records) == ["after", "kept"]


def test_a_review_on_another_lens_version_or_an_old_entry_is_read_whole(review, alice, monkeypatch):
    _save(review, alice, "p1_q1", notes="one")
    _read(review)
    Answer.objects.filter(review=review).update(notes="changed without a new revision")

    monkeypatch.setattr(progress, "RECORDS_FRESH_SECONDS", 0.0)
    records, queries = _read(review)

    assert queries == 2
    assert set(_notes(records)) == {"changed without a new revision"}
