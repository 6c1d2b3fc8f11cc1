"""Answers from the AWS Well-Architected Tool into a review (reviewapp/aws_answers.py and import_answers)."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.aws_answers import AnswerImportError, answers_from_aws
from reviewapp.bank import load_bank
from reviewapp.models import Answer, AnswerRisk, ImprovementItem

from ..factories import answer_snapshot, make_user, make_workload

DATA = Path(__file__).resolve().parent.parent / "data" / "aws"
LIST_ANSWERS = DATA / "serverless_list_answers.json"
GET_ANSWER = DATA / "serverless_get_answer.json"
PLAIN_LIST = DATA / "serverless_answers_list.json"
# The AWS tool's question risks in our vocabulary.
AWS_RISKS = {
    "HIGH": AnswerRisk.HIGH,
    "MEDIUM": AnswerRisk.MEDIUM,
    "NONE": AnswerRisk.NONE,
    "NOT_APPLICABLE": AnswerRisk.NOT_APPLICABLE,
    "UNANSWERED": AnswerRisk.UNANSWERED,
}


@pytest.fixture
def review(serverless_lens, alice):
    """A review of the Serverless Lens, owned by alice (replaces conftest's review of the mini lens)."""
    return make_workload(alice, name="Booking", lens=serverless_lens).reviews.get()


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _answer(review, key: str) -> Answer:
    return Answer.objects.get(review=review, question__key=key)


def _keys(answer: Answer) -> set[str]:
    return set(answer.selected_choices.values_list("key", flat=True))


def _everything(review) -> dict:
    """The review's answers, revision and improvement items: all an import may change."""
    items = sorted(ImprovementItem.objects.filter(review=review).values_list("choice__key", "status"))
    return {**answer_snapshot(review), "items": items, "answer_rows": Answer.objects.count()}


def _assert_matches_file(review, entry: dict) -> None:
    answer = _answer(review, entry["QuestionId"])
    assert _keys(answer) == set(entry["SelectedChoices"]), entry["QuestionId"]
    assert answer.is_applicable is entry["IsApplicable"]
    expected_reason = "" if entry["IsApplicable"] or entry.get("Reason", "NONE") == "NONE" else entry["Reason"]
    assert answer.reason == expected_reason
    if "Notes" in entry:
        assert answer.notes == entry["Notes"]


# --- Importing ---------------------------------------------------------------------------------


def test_it_imports_a_list_answers_export(review, alice):
    data = _load(LIST_ANSWERS)

    summary = answers_from_aws(review=review, data=data, user=alice)

    for entry in data["AnswerSummaries"]:
        _assert_matches_file(review, entry)
        assert _answer(review, entry["QuestionId"]).risk == AWS_RISKS[entry["Risk"]], entry["QuestionId"]
    assert summary.updated == ["ops_q1", "ops_q2", "sec_q1", "sec_q2", "perf_q1", "cost_q1"]
    assert summary.unchanged == ["rel_q1"]  # unanswered in the file and in the review
    assert summary.risks == {
        AnswerRisk.HIGH: 1,
        AnswerRisk.MEDIUM: 3,
        AnswerRisk.NONE: 1,
        AnswerRisk.NOT_APPLICABLE: 1,
        AnswerRisk.UNANSWERED: 1,
    }
    assert summary.warnings == []
    ops = _answer(review, "ops_q1")
    assert (ops.version, ops.updated_by) == (1, alice)
    review.refresh_from_db()
    assert review.revision == 6


def test_it_imports_a_get_answer_with_its_notes(review, alice):
    data = _load(GET_ANSWER)

    summary = answers_from_aws(review=review, data=data, user=alice)

    _assert_matches_file(review, data["Answer"])
    answer = _answer(review, "sec_q3")
    assert answer.notes.startswith("Secrets live in AWS Secrets Manager")
    assert answer.risk == AnswerRisk.MEDIUM
    assert summary.updated == ["sec_q3"]
    # The improvement plan follows: the practices still missing of a medium-risk question are items.
    open_items = ImprovementItem.objects.filter(review=review, status=ImprovementItem.Status.OPEN)
    assert set(open_items.values_list("choice__key", flat=True)) == {"sec_sec_q3_a2", "sec_sec_q3_a3"}


def test_it_imports_a_plain_list_of_answers(review, alice):
    data = _load(PLAIN_LIST)

    summary = answers_from_aws(review=review, data=json.dumps(data), user=alice)

    for entry in data:
        _assert_matches_file(review, entry)
    cost = _answer(review, "cost_q1")
    assert (cost.is_applicable, cost.reason, cost.risk) == (False, "OUT_OF_SCOPE", AnswerRisk.NOT_APPLICABLE)
    assert summary.updated == ["rel_q2", "cost_q1"]


def test_it_takes_selected_choice_answers_as_selected(review, alice):
    entry = {
        "QuestionId": "rel_q1",
        "ChoiceAnswerSummaries": [
            {"ChoiceId": "rel_rel_q1_a1", "Status": "SELECTED"},
            {"ChoiceId": "rel_rel_q1_a2", "Status": "NOT_APPLICABLE", "Reason": "OUT_OF_SCOPE"},
            {"ChoiceId": "rel_rel_q1_a3", "Status": "UNSELECTED"},
        ],
    }

    answers_from_aws(review=review, data=[entry], user=alice)

    answer = _answer(review, "rel_q1")
    assert _keys(answer) == {"rel_rel_q1_a1"}
    assert answer.risk == AnswerRisk.MEDIUM


def test_it_keeps_what_the_file_does_not_say(review, alice):
    bank = load_bank(review.lens)
    answer_save(
        review=review,
        item=bank.by_key["ops_q1"],
        user=alice,
        state=AnswerState(
            choices=frozenset({"ops_ops_q1_a1"}), applicable=True, reason="", notes="Dashboards per service."
        ),
    )

    answers_from_aws(review=review, data=_load(LIST_ANSWERS), user=alice)  # ListAnswers has no notes
    answers_from_aws(review=review, data=[{"QuestionId": "sec_q1", "Notes": "Authorizer planned."}], user=alice)

    assert _answer(review, "ops_q1").notes == "Dashboards per service."
    sec = _answer(review, "sec_q1")
    assert (_keys(sec), sec.notes) == ({"sec_sec_q1_no"}, "Authorizer planned.")


def test_it_leaves_equal_answers_alone(review, alice):
    answers_from_aws(review=review, data=_load(LIST_ANSWERS), user=alice)
    before = _everything(review)

    summary = answers_from_aws(review=review, data=_load(LIST_ANSWERS), user=make_user("bob"))

    assert summary.updated == []
    assert len(summary.unchanged) == 7
    assert summary.risks[AnswerRisk.MEDIUM] == 3
    assert _everything(review) == before


def test_it_warns_about_a_page_of_a_longer_list(review, alice):
    data = _load(LIST_ANSWERS)
    data["NextToken"] = "eyJwYWdlIjogMn0="

    summary = answers_from_aws(review=review, data=data, user=alice)

    assert summary.warnings == ["the file has a NextToken: it is one page of ListAnswers, later pages were not in it"]


# --- Bad files ---------------------------------------------------------------------------------


def _list_with(mutate):
    def build():
        data = _load(LIST_ANSWERS)
        mutate(data["AnswerSummaries"])
        return data

    return build


def _extra(entry: dict):
    return lambda answers: answers.insert(3, entry)


BAD_FILES = {
    "unknown question": (
        _list_with(_extra({"QuestionId": "sec_q9", "SelectedChoices": []})),
        ['AnswerSummaries[3]: question "sec_q9" is not in lens serverless'],
    ),
    "choice of another question": (
        _list_with(lambda a: a[1]["SelectedChoices"].append("sec_sec_q1_a1")),
        ['AnswerSummaries[1].SelectedChoices[3]: choice "sec_sec_q1_a1" is not a choice of question "ops_q2"'],
    ),
    "unknown choice in a choice answer": (
        _list_with(lambda a: a[0]["ChoiceAnswerSummaries"].append({"ChoiceId": "ops_x", "Status": "SELECTED"})),
        ['AnswerSummaries[0].ChoiceAnswerSummaries[4].ChoiceId: choice "ops_x" is not a choice of question "ops_q1"'],
    ),
    "None of these with others": (
        _list_with(lambda a: a[2]["SelectedChoices"].append("sec_sec_q1_a3")),
        ['AnswerSummaries[2]: "None of these" (sec_sec_q1_no) cannot be combined with other choices'],
    ),
    "unknown reason": (
        _list_with(lambda a: a[6].update(Reason="TOO_EXPENSIVE")),
        ['AnswerSummaries[6].Reason: unknown reason "TOO_EXPENSIVE"'],
    ),
    "unknown choice status": (
        _list_with(lambda a: a[0]["ChoiceAnswerSummaries"][0].update(Status="MAYBE")),
        ['AnswerSummaries[0].ChoiceAnswerSummaries[0].Status: unknown status "MAYBE"'],
    ),
    "notes too long": (
        lambda: {"Answer": {**_load(GET_ANSWER)["Answer"], "Notes": "n" * 2085}},
        ["Answer.Notes: longer than 2084 characters (2085)"],
    ),
    "question twice": (
        _list_with(lambda a: a.append(copy.deepcopy(a[0]))),
        ['AnswerSummaries[7]: question "ops_q1" is answered twice (also at AnswerSummaries[0])'],
    ),
    "not JSON": (lambda: '{"AnswerSummaries": [', ["not JSON: Expecting value at line 1 column 22"]),
    "neither shape": (
        lambda: {"Answers": []},
        ['the file is not a ListAnswers ("AnswerSummaries") or GetAnswer ("Answer") response, nor a list of answers'],
    ),
    "wrong types": (
        lambda: [{"QuestionId": "ops_q1", "SelectedChoices": "ops_ops_q1_a1", "IsApplicable": "yes"}, 7],
        [
            "[0].SelectedChoices: must be an array",
            "[0].IsApplicable: must be true or false",
            "[1]: must be an answer object",
        ],
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_it_refuses_a_bad_file_and_changes_nothing(review, alice, case):
    build, expected = BAD_FILES[case]
    answers_from_aws(review=review, data=_load(PLAIN_LIST), user=alice)
    before = _everything(review)

    with pytest.raises(AnswerImportError) as refused:
        answers_from_aws(review=review, data=build(), user=alice)

    for message in expected:
        assert any(problem.startswith(message) for problem in refused.value.messages), refused.value.messages
    assert _everything(review) == before


def test_it_lists_every_problem_with_its_place(review, alice):
    data = _load(LIST_ANSWERS)
    answers = data["AnswerSummaries"]
    answers[0]["QuestionId"] = "ops_q9"
    answers[2]["SelectedChoices"].append("sec_sec_q1_a1")
    answers[6]["Reason"] = "LATER"

    with pytest.raises(AnswerImportError) as refused:
        answers_from_aws(review=review, data=data, user=alice)

    assert refused.value.messages == [
        'AnswerSummaries[0]: question "ops_q9" is not in lens serverless',
        'AnswerSummaries[2]: "None of these" (sec_sec_q1_no) cannot be combined with other choices',
        'AnswerSummaries[6].Reason: unknown reason "LATER" '
        "(expected one of OUT_OF_SCOPE, BUSINESS_PRIORITIES, ARCHITECTURE_CONSTRAINTS, OTHER, NONE)",
    ]
    assert not Answer.objects.filter(review=review).exclude(risk=AnswerRisk.UNANSWERED).exists()


# --- Bounds: a file cannot make the import do or say unbounded work -------------------------------


def test_it_refuses_a_file_with_more_answers_than_the_lens_has_questions(review, alice):
    before = _everything(review)

    with pytest.raises(AnswerImportError) as refused:
        answers_from_aws(review=review, data="[" + ",".join(["0"] * 200_000) + "]", user=alice)

    assert refused.value.messages == ["the file has 200000 answers, more than the 9 questions of lens serverless"]
    assert _everything(review) == before


def test_it_lists_50_problems_and_counts_the_others(review, alice):
    entry = {"QuestionId": "ops_q1", "SelectedChoices": [f"c{i}" for i in range(500)]}

    with pytest.raises(AnswerImportError) as refused:
        answers_from_aws(review=review, data=[entry], user=alice)

    messages = refused.value.messages
    assert (len(messages), refused.value.total) == (51, 500)
    assert messages[0] == '[0].SelectedChoices[0]: choice "c0" is not a choice of question "ops_q1"'
    assert messages[-1] == "… and 450 more problems"


def test_it_cuts_the_values_it_quotes_to_80_characters(review, alice):
    data = [{"QuestionId": "q" * 5000}, {"QuestionId": "ops_q1", "Reason": {"a": ["b"] * 1000}}]

    with pytest.raises(AnswerImportError) as refused:
        answers_from_aws(review=review, data=data, user=alice)

    assert refused.value.messages[0] == f'[0]: question "{"q" * 79}…" is not in lens serverless'
    assert refused.value.messages[1].startswith('[1].Reason: unknown reason "<dict>"')


@pytest.mark.parametrize("notes", ["a\x00", "\x00"])
def test_it_refuses_notes_with_a_nul_character(review, alice, notes):
    before = _everything(review)

    with pytest.raises(AnswerImportError) as refused:
        answers_from_aws(review=review, data=[{"QuestionId": "ops_q1", "Notes": notes}], user=alice)

    assert refused.value.messages == ["[0].Notes: must not contain NUL characters (\\u0000)"]
    assert _everything(review) == before


def test_it_shows_a_nul_in_a_question_id_it_quotes(review, alice):
    with pytest.raises(AnswerImportError) as refused:
        answers_from_aws(review=review, data='[{"QuestionId": "ops\\u0000q1"}]', user=alice)

    assert refused.value.messages == ['[0]: question "ops\\u0000q1" is not in lens serverless']


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"LensAlias": "wellarchitected"}, ['LensAlias: the file holds answers of lens "wellarchitected"']),
        (
            {"LensAlias": "serverless", "LensArn": "arn:aws:wellarchitected::aws:lens/softwareasaservice"},
            ['LensArn: the file holds answers of lens "softwareasaservice"'],
        ),
    ],
)
def test_it_refuses_answers_of_another_lens_naming_both(review, alice, names, expected):
    data = {**_load(LIST_ANSWERS), **names}
    before = _everything(review)

    with pytest.raises(AnswerImportError) as refused:
        answers_from_aws(review=review, data=data, user=alice)

    assert [m.split(", this")[0] for m in refused.value.messages] == expected
    assert refused.value.messages[0].endswith(', this review\'s lens is "serverless"')
    assert _everything(review) == before


def test_it_takes_a_custom_lens_arn_it_cannot_check(review, alice):
    arn = "arn:aws:wellarchitected:ap-northeast-2:123456789012:lens/0123456789abcdef0123456789abcdef"
    data = {**_load(LIST_ANSWERS), "LensAlias": arn, "LensArn": arn}

    summary = answers_from_aws(review=review, data=data, user=alice)

    assert len(summary.updated) + len(summary.unchanged) == len(data["AnswerSummaries"])


# --- The command -------------------------------------------------------------------------------


def test_it_imports_through_the_command(review, alice):
    out = io.StringIO()

    call_command("import_answers", str(review.pk), str(LIST_ANSWERS), "--user", "alice", stdout=out)

    assert "6 answers updated, 1 unchanged" in out.getvalue()
    assert "HIGH_RISK 1, MEDIUM_RISK 3, NO_RISK 1, NOT_APPLICABLE 1, UNANSWERED 1" in out.getvalue()
    assert _answer(review, "sec_q1").updated_by == alice
    assert _keys(_answer(review, "sec_q1")) == {"sec_sec_q1_no"}


def test_it_refuses_a_bad_file_through_the_command_with_status_2(review, alice, tmp_path):
    data = _load(LIST_ANSWERS)
    data["AnswerSummaries"][3]["QuestionId"] = "sec_q9"
    data["AnswerSummaries"][4]["Notes"] = "n" * 3000
    bad = tmp_path / "answers.json"
    bad.write_text(json.dumps(data))
    before, err = _everything(review), io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_answers", str(review.pk), str(bad), stderr=err)

    assert refused.value.returncode == 2
    assert err.getvalue().splitlines() == [
        'AnswerSummaries[3]: question "sec_q9" is not in lens serverless',
        "AnswerSummaries[4].Notes: longer than 2084 characters (3000)",
    ]
    assert _everything(review) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", str(LIST_ANSWERS)], "No review 999999"),
        (["{review}", str(LIST_ANSWERS), "--user", "nobody"], "No user 'nobody'"),
        (["{review}", str(DATA / "missing.json")], "Cannot read"),
    ],
)
def test_it_says_what_is_missing(review, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_answers", *[arg.format(review=review.pk) for arg in args])
