"""The one answer type (reviewapp/answer_state.py): its check, its reading of a stored answer, and where it is used."""

import ast
from pathlib import Path

import pytest

import reviewapp
from reviewapp import merging
from reviewapp.answer_state import EMPTY, AnswerState, answer_problems, answer_state
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.forms import AnswerForm
from reviewapp.milestones import milestone_create
from reviewapp.models import NOTES_MAX_LENGTH, Answer
from reviewapp.progress import AnswerRecord, live_records, review_state, state_of

API_DIR = Path(reviewapp.__file__).parent / "api"


def _problems(item, **fields) -> list[tuple[str, str]]:
    state = AnswerState(**{"choices": frozenset(), **fields})
    return [
        (field, error.code)
        for problem in answer_problems(item=item, state=state)
        for field, errors in problem.error_dict.items()
        for error in errors
    ]


@pytest.fixture
def item(lens):
    return load_bank(lens).by_key["p1_q1"]


def test_it_finds_nothing_wrong_with_a_valid_answer(item):
    assert _problems(item, choices=frozenset({"p1_q1_a1", "p1_q1_a2"}), notes="ok") == []
    assert _problems(item, applicable=False, reason="OUT_OF_SCOPE") == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"choices": frozenset({"p2_q1_a1"})}, [("choices", "invalid_choice")], id="other-question"),
        pytest.param({"choices": frozenset({"p1_q1_no", "p1_q1_a1"})}, [("choices", "none_exclusive")], id="none"),
        pytest.param({"reason": "OTHER"}, [("reason", "reason_without_na")], id="reason-while-applicable"),
        pytest.param({"applicable": False, "reason": "BORED"}, [("reason", "invalid_choice")], id="unknown-reason"),
        pytest.param({"notes": "a\x00"}, [("notes", "null_characters_not_allowed")], id="nul"),
        pytest.param({"notes": "x" * (NOTES_MAX_LENGTH + 1)}, [("notes", "max_length")], id="too-long"),
    ],
)
def test_it_says_what_is_wrong_under_the_answers_own_field_names(item, fields, expected):
    assert _problems(item, **fields) == expected


def test_it_gives_the_form_the_same_errors_as_the_check(lens):
    form = AnswerForm(
        {"question": "p1_q1", "choices": ["p1_q1_no", "p1_q1_a1", "p2_q1_a1"], "reason": "OTHER"}, bank=load_bank(lens)
    )

    assert not form.is_valid()
    assert form.errors.as_data()["choices"][0].code == "invalid_choice"
    assert [e.code for e in form.errors.as_data()["choices"]] == ["invalid_choice", "none_exclusive"]
    assert [e.code for e in form.errors.as_data()["reason"]] == ["reason_without_na"]


def test_it_hands_the_form_data_over_as_an_answer_state(lens):
    form = AnswerForm(
        {"question": "p1_q1", "choices": ["p1_q1_a1"], "not_applicable": "on", "reason": "OTHER", "notes": "a\r\nb"},
        bank=load_bank(lens),
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["state"] == AnswerState(
        choices=frozenset({"p1_q1_a1"}), applicable=False, reason="OTHER", notes="a\nb"
    )


def test_it_saves_the_state_given_and_reads_it_back_the_same(review, bob):
    item = load_bank(review.lens).by_key["p1_q1"]
    given = AnswerState(choices=frozenset({"p1_q1_a1", "p1_q1_a3"}), applicable=False, reason="OTHER", notes="n")

    answer = answer_save(review=review, item=item, user=bob, state=given)

    stored = Answer.objects.get(pk=answer.pk)
    assert answer_state(stored) == given
    assert (stored.is_applicable, stored.reason, stored.notes, stored.version) == (False, "OTHER", "n", 1)
    assert answer.changes.get().after == {**given.as_json(), "risk": stored.risk}


def test_it_drops_the_reason_of_a_question_that_applies(review, bob):
    item = load_bank(review.lens).by_key["p1_q1"]

    answer = answer_save(review=review, item=item, user=bob, state=AnswerState(frozenset({"p1_q1_a1"}), reason="OTHER"))

    assert answer_state(Answer.objects.get(pk=answer.pk)).reason == ""


def test_it_reads_no_answer_as_empty():
    assert answer_state(None) == EMPTY == AnswerState(choices=frozenset())


def test_it_is_the_one_answer_type_of_merging_progress_and_history(review, bob):
    item = load_bank(review.lens).by_key["p1_q1"]
    given = AnswerState(choices=frozenset({"p1_q1_a2"}), notes="same")
    answer = answer_save(review=review, item=item, user=bob, state=given)

    record = live_records(review)[item.question.pk]

    assert merging.AnswerState is AnswerState
    assert isinstance(record, AnswerRecord)
    assert (record.state, record.version, record.updated_by) == (given, 1, "bob")
    assert review_state(review).question("p1_q1").state == given
    assert AnswerState.from_json(answer.changes.get().after) == given


def test_it_builds_a_review_or_a_milestone_state_in_one_place(review, bob, alice):
    item = load_bank(review.lens).by_key["p1_q1"]
    answer_save(review=review, item=item, user=bob, state=AnswerState(choices=frozenset({"p1_q1_a1"})))
    milestone = milestone_create(review=review, name="M1", user=alice)
    answer_save(review=review, item=item, user=bob, state=AnswerState(choices=frozenset({"p1_q1_a2"})))

    now, then = state_of(review), state_of(review, milestone)

    assert now.question("p1_q1").state.choices == {"p1_q1_a2"}
    assert then.question("p1_q1").state.choices == {"p1_q1_a1"}
    assert then.bank.lens == milestone.lens


def _html_view_imports(source: str) -> list[str]:
    """Imports of reviewapp.views (``from ...views import x`` inside reviewapp/api/views/, or absolute)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            absolute = node.level == 0 and node.module.startswith("reviewapp.views")
            if absolute or (node.level >= 3 and node.module.split(".")[0] == "views"):
                found.append(node.module)
    return found


def test_it_never_calls_an_html_view_from_the_api():
    offenders = {path.name: _html_view_imports(path.read_text(encoding="utf-8")) for path in API_DIR.rglob("*.py")}

    assert {name: found for name, found in offenders.items() if found} == {}
    assert _html_view_imports("from ...views import exports\nfrom .common import writing\n") == ["views"]
