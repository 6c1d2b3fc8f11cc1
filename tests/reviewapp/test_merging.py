"""Merging two people's changes to one answer (reviewapp/merging.py), without a database."""

import pytest

from reviewapp.merging import EMPTY, AnswerState, MergeConflict, merge, merge_text, notes_both

NONE = "q_no"


def state(*choices: str, applicable: bool = True, reason: str = "", notes: str = "") -> AnswerState:
    return AnswerState(choices=frozenset(choices), applicable=applicable, reason=reason, notes=notes)


def conflict_fields(**sides) -> list[str]:
    with pytest.raises(MergeConflict) as caught:
        merge(none_key=NONE, **sides)
    return caught.value.fields


# --- What merges --------------------------------------------------------------------------------


def test_it_merges_choices_ticked_on_both_sides():
    merged = merge(base=state("a1"), mine=state("a1", "a2"), theirs=state("a1", "a3"), none_key=NONE)

    assert merged == state("a1", "a2", "a3")


def test_it_merges_a_tick_on_one_side_with_an_untick_on_the_other():
    merged = merge(base=state("a1", "a2"), mine=state("a2", "a3"), theirs=state("a1", "a2", "a4"), none_key=NONE)

    assert merged.choices == {"a2", "a3", "a4"}


def test_it_keeps_a_choice_unticked_by_both_sides_unticked():
    merged = merge(base=state("a1", "a2"), mine=state("a2"), theirs=state("a2"), none_key=NONE)

    assert merged.choices == {"a2"}


def test_it_merges_my_notes_with_their_choices():
    merged = merge(base=state("a1"), mine=state("a1", notes="mine"), theirs=state("a1", "a2"), none_key=NONE)

    assert merged == state("a1", "a2", notes="mine")


def test_it_merges_my_choices_with_their_notes():
    merged = merge(base=state(), mine=state("a3"), theirs=state(notes="theirs"), none_key=NONE)

    assert merged == state("a3", notes="theirs")


def test_it_keeps_their_does_not_apply_when_i_changed_only_the_notes():
    theirs = state(applicable=False, reason="OUT_OF_SCOPE")

    merged = merge(base=state(), mine=state(notes="why"), theirs=theirs, none_key=NONE)

    assert (merged.applicable, merged.reason, merged.notes) == (False, "OUT_OF_SCOPE", "why")


def test_it_keeps_my_does_not_apply_when_they_changed_only_the_choices():
    merged = merge(base=state(), mine=state(applicable=False, reason="OTHER"), theirs=state("a1"), none_key=NONE)

    assert merged == state("a1", applicable=False, reason="OTHER")


@pytest.mark.parametrize(
    "mine, theirs",
    [
        (state("a1", notes="same"), state("a1", notes="same")),
        (state("a1", "a2"), state("a1", "a2")),
        (state(applicable=False, reason="OTHER"), state(applicable=False, reason="OTHER")),
        (state(NONE), state(NONE)),
    ],
    ids=["notes", "choices", "does-not-apply", "none-of-these"],
)
def test_it_accepts_the_same_change_made_on_both_sides(mine, theirs):
    assert merge(base=state("a1"), mine=mine, theirs=theirs, none_key=NONE) == mine


def test_it_returns_theirs_when_i_changed_nothing():
    theirs = state("a2", applicable=False, reason="OTHER", notes="t")

    assert merge(base=state("a1", notes="b"), mine=state("a1", notes="b"), theirs=theirs, none_key=NONE) == theirs


def test_it_starts_from_the_empty_answer():
    assert EMPTY == state()
    assert merge(base=EMPTY, mine=state("a1"), theirs=state("a2"), none_key=NONE) == state("a1", "a2")


# --- What collides ------------------------------------------------------------------------------


def test_it_reports_notes_changed_differently_on_both_sides():
    fields = conflict_fields(base=state(notes="old"), mine=state(notes="mine"), theirs=state(notes="theirs"))

    assert fields == ["notes"]


def test_it_reports_notes_cleared_on_one_side_and_changed_on_the_other():
    assert conflict_fields(base=state(notes="old"), mine=state(notes=""), theirs=state(notes="new")) == ["notes"]


@pytest.mark.parametrize(
    "base, mine, theirs",
    [
        (state(), state(applicable=False, reason="OUT_OF_SCOPE"), state(applicable=False, reason="OTHER")),
        (
            state(applicable=False, reason="OTHER"),
            state(),
            state(applicable=False, reason="BUSINESS_PRIORITIES"),
        ),
    ],
    ids=["two-reasons", "unticked-vs-new-reason"],
)
def test_it_reports_does_not_apply_changed_differently_on_both_sides(base, mine, theirs):
    assert conflict_fields(base=base, mine=mine, theirs=theirs) == ["applicable"]


def test_it_reports_a_merge_that_puts_none_of_these_beside_other_choices():
    assert conflict_fields(base=state(), mine=state(NONE), theirs=state("a1")) == ["choices"]


def test_it_reports_other_choices_ticked_beside_their_none_of_these():
    assert conflict_fields(base=state(), mine=state("a2"), theirs=state(NONE)) == ["choices"]


def test_it_allows_none_of_these_that_replaces_the_other_choices():
    merged = merge(base=state("a1"), mine=state(NONE), theirs=state("a1"), none_key=NONE)

    assert merged.choices == {NONE}


def test_it_reports_every_field_that_collided_at_once():
    fields = conflict_fields(
        base=state(),
        mine=state(NONE, applicable=False, reason="OTHER", notes="mine"),
        theirs=state("a1", applicable=False, reason="OUT_OF_SCOPE", notes="theirs"),
    )

    assert sorted(fields) == ["applicable", "choices", "notes"]


def test_it_does_not_judge_none_of_these_for_a_question_without_one():
    merged = merge(base=state(), mine=state(NONE), theirs=state("a1"), none_key=None)

    assert merged.choices == {NONE, "a1"}


# --- The stored form --------------------------------------------------------------------------


def test_it_round_trips_through_json():
    answer = state("b", "a", applicable=False, reason="OTHER", notes="n")

    assert answer.as_json() == {"choices": ["a", "b"], "applicable": False, "reason": "OTHER", "notes": "n"}
    assert AnswerState.from_json(answer.as_json()) == answer


@pytest.mark.parametrize("data", [None, {}], ids=["none", "empty"])
def test_it_reads_a_missing_state_as_the_empty_answer(data):
    assert AnswerState.from_json(data) == EMPTY


# --- Notes merge three ways, text by text --------------------------------------------------------

PARAGRAPHS = "Alarms on errors.\n\nDashboards per service.\n\nRunbooks in the wiki."


def test_it_merges_notes_edited_in_different_paragraphs():
    mine = PARAGRAPHS.replace("Alarms on errors.", "Alarms on errors and latency.")
    theirs = PARAGRAPHS.replace("Runbooks in the wiki.", "Runbooks in the repository.")

    merged = merge_text(base=PARAGRAPHS, mine=mine, theirs=theirs)

    assert merged == "Alarms on errors and latency.\n\nDashboards per service.\n\nRunbooks in the repository."


def test_it_merges_text_added_at_the_end_by_one_and_at_the_start_by_the_other():
    merged = merge_text(base="middle", mine="first, middle", theirs="middle, last")

    assert merged == "first, middle, last"


def test_it_takes_the_same_edit_made_on_both_sides_once():
    base = "We deploy by hand."

    assert merge_text(base=base, mine="We deploy by pipeline.", theirs="We deploy by pipeline.") == (
        "We deploy by pipeline."
    )


@pytest.mark.parametrize(
    ("base", "mine", "theirs"),
    [
        ("We alarm on errors.", "We alarm on all errors.", "We alarm on most errors."),  # the same words
        ("", "Alice's text", "Bob's text"),  # both wrote into an empty box
        ("old", "", "new"),  # cleared on one side, changed on the other
        ("one two three", "one 2 three", "one two! three"),  # edits that touch
        (" [typist07.1] ", " [typist07.5] ", " [typist10.1] "),  # one word, a character apart
    ],
    ids=["same-sentence", "both-from-empty", "cleared-and-changed", "touching", "same-word"],
)
def test_it_reports_overlapping_edits_of_the_notes_as_a_conflict(base, mine, theirs):
    with pytest.raises(MergeConflict) as caught:
        merge_text(base=base, mine=mine, theirs=theirs)

    assert caught.value.fields == ["notes"]


def test_it_merges_notes_and_choices_in_one_answer():
    base = state("a1", notes=PARAGRAPHS)
    mine = state("a1", "a2", notes=PARAGRAPHS + "\n\nMine.")
    theirs = state("a1", notes="Intro.\n\n" + PARAGRAPHS)

    merged = merge(base=base, mine=mine, theirs=theirs, none_key=NONE)

    assert merged == state("a1", "a2", notes="Intro.\n\n" + PARAGRAPHS + "\n\nMine.")


def test_it_writes_both_texts_each_under_its_author():
    both = notes_both(theirs="Their text.", theirs_author="bob", mine="My text.", my_author="alice")

    assert both == "— bob:\n\nTheir text.\n\n— alice:\n\nMy text."
