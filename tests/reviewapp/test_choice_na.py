"""A best practice that does not apply (AWS ChoiceUpdates NOT_APPLICABLE), through every path:
the check, risk, saving, merging, history and restore, the improvement plan, the question page,
milestones and compare, the CSV/JSON exports, the PDF, the API, the AWS answers file and archives."""

import csv
import io
import json
from itertools import product

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from questions.rules import first_matching_risk
from reviewapp import reports
from reviewapp.answer_state import EMPTY, AnswerState, ChoiceNA, answer_problems
from reviewapp.answers import AnswerConflict, answer_save
from reviewapp.archives.export import workload_archive
from reviewapp.archives.importing import workload_from_archive
from reviewapp.aws_answers import AnswerImportError, answers_from_aws, answers_to_aws
from reviewapp.bank import load_bank
from reviewapp.improvements import improvement_plan
from reviewapp.merging import MergeConflict, merge
from reviewapp.milestones import milestone_create
from reviewapp.models import Answer, AnswerChange, AnswerRisk, ImprovementItem, Review
from reviewapp.progress import review_state
from reviewapp.reports import ReportRequest
from reviewapp.risk import question_risk
from reviewapp.sessions.minutes import session_minutes
from reviewapp.sessions.running import session_end, session_start
from reviewapp.upgrades import review_upgrade

from ..factories import answer_snapshot, make_workload
from .test_reports import pdf_text, squeeze
from .test_sessions import plan
from .test_upgrades import root, v2  # noqa: F401 (fixtures)

HTMX = {"HTTP_HX_REQUEST": "true"}
A1, A2, A3, NO = "p1_q1_a1", "p1_q1_a2", "p1_q1_a3", "p1_q1_no"
SEVERITY = {AnswerRisk.NONE: 0, AnswerRisk.MEDIUM: 1, AnswerRisk.HIGH: 2}


def _item(review, key="p1_q1"):
    return load_bank(review.lens).by_key[key]


def _save(review, user, *, choices=(), na=(), key="p1_q1", **fields) -> Answer:
    state = AnswerState(choices=frozenset(choices), choice_na=list(na), **fields)
    return answer_save(review=review, item=_item(review, key), user=user, state=state)


def _answer(review, key="p1_q1") -> Answer:
    return Answer.objects.get(review=review, question__key=key)


def _items(review) -> dict[str, str]:
    return dict(ImprovementItem.objects.filter(review=review).values_list("choice__key", "status"))


# --- The check and the risk ---------------------------------------------------------------------


def test_it_counts_a_practice_that_does_not_apply_as_satisfied_in_the_rules(review):
    rules = _item(review).rules

    assert question_risk(rules=rules, selected={A1, A2}) == AnswerRisk.MEDIUM
    assert question_risk(rules=rules, selected={A1, A2}, not_applicable={A3}) == AnswerRisk.NONE
    # Marking a practice as not applying answers the question: the rules decide, it is not "unanswered".
    assert question_risk(rules=rules, selected=set(), not_applicable={A1}) == AnswerRisk.MEDIUM
    assert question_risk(rules=rules, selected={A1}, not_applicable={A2}, is_applicable=False) == (
        AnswerRisk.NOT_APPLICABLE
    )


def test_it_never_raises_a_questions_risk_by_marking_a_practice_as_not_applying(review):
    rules = _item(review).rules
    practices = [A1, A2, A3]
    for marks in product(("followed", "na", "neither"), repeat=3):
        selected = {p for p, m in zip(practices, marks, strict=True) if m == "followed"}
        na = {p for p, m in zip(practices, marks, strict=True) if m == "na"}
        if not selected:
            continue
        with_na = question_risk(rules=rules, selected=selected, not_applicable=na)
        without = question_risk(rules=rules, selected=selected)
        assert SEVERITY[with_na] <= SEVERITY[without], (marks, with_na, without)
        assert with_na == first_matching_risk(rules, selected | na)


def _problems(review, state) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in answer_problems(item=_item(review), state=state):
        for field, errors in problem.error_dict.items():
            found.setdefault(field, []).extend(e.code for e in errors)
    return found


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (AnswerState(choice_na=[ChoiceNA("p2_q1_a1")]), "invalid_choice"),
        (AnswerState(choice_na=[ChoiceNA(NO)]), "none_na"),
        (AnswerState(choices=frozenset({A1}), choice_na=[ChoiceNA(A1)]), "followed_and_na"),
        (AnswerState(choice_na=[ChoiceNA(A2, reason="BECAUSE")]), "invalid_reason"),
        (AnswerState(choice_na=[ChoiceNA(A2, notes="x" * 251)]), "na_notes_too_long"),
        (AnswerState(choice_na=[ChoiceNA(A2, notes="a\x00b")]), "null_characters_not_allowed"),
    ],
)
def test_it_refuses_a_practice_that_cannot_be_marked_as_not_applying(review, state, code):
    assert _problems(review, state) == {"choice_na": [code]}


def test_it_accepts_every_aws_reason_and_a_note_of_250_characters(review):
    reasons = ["OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER", "NONE"]
    for reason in reasons:
        assert _problems(review, AnswerState(choice_na=[ChoiceNA(A2, reason=reason, notes="x" * 250)])) == {}


# --- Saving, history, restore -------------------------------------------------------------------


def test_it_saves_a_practice_that_does_not_apply_with_its_risk_and_history(review, bob):
    answer = _save(review, bob, choices={A1, A2}, na=[ChoiceNA(A3, "OUT_OF_SCOPE", "Lambda only")])

    answer.refresh_from_db()
    assert answer.choice_na == {A3: {"reason": "OUT_OF_SCOPE", "notes": "Lambda only"}}
    assert answer.risk == AnswerRisk.NONE  # a1 && a2 && a3, a3 counted as satisfied
    assert set(answer.selected_choices.values_list("key", flat=True)) == {A1, A2}
    change = AnswerChange.objects.get(answer=answer, version=1)
    assert "choice_na" not in change.before  # history before this feature reads the same
    assert change.after["choice_na"] == {A3: {"reason": "OUT_OF_SCOPE", "notes": "Lambda only"}}
    assert change.after["risk"] == AnswerRisk.NONE


def test_it_saves_a_change_of_a_practices_reason_alone_as_a_new_version(review, bob):
    _save(review, bob, choices={A1}, na=[ChoiceNA(A3, "OUT_OF_SCOPE")])
    answer = _save(review, bob, choices={A1}, na=[ChoiceNA(A3, "OTHER", "changed")])

    assert answer.version == 2
    assert _answer(review).choice_na == {A3: {"reason": "OTHER", "notes": "changed"}}


def test_it_restores_a_version_with_its_practices_that_do_not_apply(review, client_for, bob):
    _save(review, bob, choices={A1, A2}, na=[ChoiceNA(A3, "BUSINESS_PRIORITIES", "later")])
    _save(review, bob, choices={A1, A2})
    assert _answer(review).risk == AnswerRisk.MEDIUM

    url = reverse("reviewapp:answer_restore", args=[review.pk, "p1_q1", 1])
    client_for(bob).post(url)

    answer = _answer(review)
    assert (answer.version, answer.risk) == (3, AnswerRisk.NONE)
    assert answer.choice_na == {A3: {"reason": "BUSINESS_PRIORITIES", "notes": "later"}}
    assert answer.changes.get(version=3).restored_from == 1


def test_it_shows_the_practices_that_do_not_apply_in_the_history(review, client_for, bob):
    _save(review, bob, choices={A1}, na=[ChoiceNA(A3, "OUT_OF_SCOPE", "no queues")])

    response = client_for(bob).get(reverse("reviewapp:answer_history", args=[review.pk, "p1_q1"]), **HTMX)

    assertContains(response, "Practices that do not apply")
    assertContains(response, 'Practice 3 <span class="na-reason">(Out of scope: no queues)</span>', html=False)


# --- Merging ------------------------------------------------------------------------------------


def test_it_merges_practices_that_do_not_apply_practice_by_practice():
    base = AnswerState(choices=frozenset({A1}))
    mine = AnswerState(choices=frozenset({A1}), choice_na=[ChoiceNA(A2, "OTHER", "mine")])
    theirs = AnswerState(choices=frozenset({A1}), choice_na=[ChoiceNA(A3, "OUT_OF_SCOPE")])

    merged = merge(base=base, mine=mine, theirs=theirs, none_key=NO)

    assert merged.choice_na == (ChoiceNA(A2, "OTHER", "mine"), ChoiceNA(A3, "OUT_OF_SCOPE"))


def test_it_keeps_their_removal_of_a_practice_i_did_not_touch():
    base = AnswerState(choice_na=[ChoiceNA(A2), ChoiceNA(A3)])
    mine = AnswerState(choice_na=[ChoiceNA(A2), ChoiceNA(A3)], notes="typed")
    theirs = AnswerState(choice_na=[ChoiceNA(A2)])

    assert merge(base=base, mine=mine, theirs=theirs, none_key=NO) == AnswerState(
        choice_na=[ChoiceNA(A2)], notes="typed"
    )


@pytest.mark.parametrize(
    ("mine", "theirs", "field"),
    [
        (
            AnswerState(choice_na=[ChoiceNA(A2, "OTHER")]),
            AnswerState(choice_na=[ChoiceNA(A2, "OUT_OF_SCOPE")]),
            "choice_na",
        ),
        (
            AnswerState(choice_na=[ChoiceNA(A2, notes="a")]),
            AnswerState(choice_na=[ChoiceNA(A2, notes="b")]),
            "choice_na",
        ),
        (AnswerState(choices=frozenset({A2})), AnswerState(choice_na=[ChoiceNA(A2)]), "choices"),
    ],
)
def test_it_calls_two_different_changes_of_one_practice_a_conflict(mine, theirs, field):
    with pytest.raises(MergeConflict) as caught:
        merge(base=EMPTY, mine=mine, theirs=theirs, none_key=NO)

    assert caught.value.fields == [field]


def test_it_merges_a_practice_marked_on_a_stale_page_with_notes_saved_meanwhile(review, bob, alice):
    _save(review, bob, choices={A1}, notes="start")
    _save(review, alice, choices={A1}, notes="start, and more")  # version 2, while bob's page shows 1

    answer = answer_save(
        review=review,
        item=_item(review),
        user=bob,
        state=AnswerState(choices=frozenset({A1}), notes="start", choice_na=[ChoiceNA(A3, "OTHER", "bob")]),
        base_version=1,
    )

    answer.refresh_from_db()
    assert (answer.version, answer.notes) == (3, "start, and more")
    assert answer.choice_na == {A3: {"reason": "OTHER", "notes": "bob"}}


def test_it_refuses_and_keeps_the_answer_when_both_change_one_practice(review, bob, alice):
    _save(review, bob, choices={A1})
    _save(review, alice, choices={A1}, na=[ChoiceNA(A3, "OUT_OF_SCOPE", "alice")])
    before = answer_snapshot(review)

    with pytest.raises(AnswerConflict) as caught:
        answer_save(
            review=review,
            item=_item(review),
            user=bob,
            state=AnswerState(choices=frozenset({A1}), choice_na=[ChoiceNA(A3, "OTHER", "bob")]),
            base_version=1,
        )

    assert caught.value.fields == ["choice_na"]
    assert answer_snapshot(review) == before
    assert _answer(review).choice_na == {A3: {"reason": "OUT_OF_SCOPE", "notes": "alice"}}


# --- The improvement plan -----------------------------------------------------------------------


def test_it_opens_no_item_for_a_practice_that_does_not_apply(review, bob):
    _save(review, bob, choices={A1}, na=[ChoiceNA(A2, "OUT_OF_SCOPE")])  # MEDIUM: a3 is missing

    assert _items(review) == {A3: ImprovementItem.Status.OPEN}
    plan = improvement_plan(review_state(review))
    assert [[p.choice.key for p in q.practices] for q in plan] == [[A3]]


def test_it_closes_the_open_item_of_a_practice_marked_as_not_applying_as_for_a_followed_one(review, bob):
    _save(review, bob, choices={A1})
    assert _items(review) == {A2: "open", A3: "open"}

    _save(review, bob, choices={A1, A2}, na=[ChoiceNA(A3, "ARCHITECTURE_CONSTRAINTS")])

    assert _items(review) == {A2: "done", A3: "done"}
    assert improvement_plan(review_state(review)) == []  # no risk left

    _save(review, bob, choices={A1, A2})  # applies again: its item opens again
    assert _items(review) == {A2: "done", A3: "open"}


# --- The question page --------------------------------------------------------------------------


def _post(client, review, data, **extra):
    return client.post(reverse("reviewapp:answer_save", args=[review.pk]), {"question": "p1_q1", **data}, **extra)


def test_it_saves_a_practice_marked_on_the_page_with_its_reason_and_note(review, client_for, bob):
    response = _post(
        client_for(bob),
        review,
        {
            "choices": [A1, A2],
            "choice_na": [A3],
            "na_reason-p1_q1_a3": "ARCHITECTURE_CONSTRAINTS",
            "na_notes-p1_q1_a3": "No VPC\r\nhere",
            "na_reason-p1_q1_a2": "OTHER",  # a practice not marked: its hidden fields are ignored
            "na_notes-p1_q1_a2": "ignored",
        },
        **HTMX,
    )

    assert response.status_code == 200
    answer = _answer(review)
    assert answer.choice_na == {A3: {"reason": "ARCHITECTURE_CONSTRAINTS", "notes": "No VPC\nhere"}}
    assert answer.risk == AnswerRisk.NONE


def test_it_takes_a_practice_marked_without_a_reason_as_none_given(review, client_for, bob):
    _post(client_for(bob), review, {"choice_na": [A2]}, **HTMX)

    assert _answer(review).choice_na == {A2: {"reason": "NONE", "notes": ""}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"choices": [A1], "choice_na": [A1]},
            "“모범 사례 1”을(를) 따르는 것과 적용 제외를 동시에 표시할 수 없습니다.",
        ),
        ({"choice_na": [NO]}, "적용 제외로 표시할 수 없습니다"),
        ({"choice_na": [A2], "na_reason-p1_q1_a2": "LAZY"}, "LAZY"),
        ({"choice_na": [A2], "na_notes-p1_q1_a2": "x" * 251}, "250"),
    ],
)
def test_it_refuses_a_bad_practice_mark_from_the_page_and_saves_nothing(review, client_for, bob, data, message):
    _save(review, bob, choices={A1}, notes="kept")
    before = answer_snapshot(review)

    response = _post(client_for(bob, language="ko"), review, {**data, "version": 1}, **HTMX)

    assert response.status_code == 400
    assertContains(response, message, status_code=400)
    assert answer_snapshot(review) == before
    assert _answer(review).choice_na == {}


def test_it_shows_each_practices_control_in_korean_with_what_is_saved(review, client_for, bob):
    _save(review, bob, choices={A1}, na=[ChoiceNA(A3, "BUSINESS_PRIORITIES", "다음 분기")])

    response = client_for(bob, language="ko").get(reverse("reviewapp:review_question", args=[review.pk, "p1_q1"]))

    html = response.content.decode()
    assert html.count("data-choice-na") == 3  # every practice, never "None of these"
    assertContains(response, f'name="choice_na" value="{A3}" data-choice-na checked')
    assertContains(response, f'name="choice_na" value="{A2}" data-choice-na aria')
    assertContains(response, '<option value="BUSINESS_PRIORITIES" selected>비즈니스 우선순위</option>', html=True)
    assertContains(response, 'name="na_notes-p1_q1_a3" value="다음 분기"')
    assertContains(response, "적용 제외")
    data = json.loads(response.context["current"].client_json)
    assert data["choice_na"] == {A3: {"reason": "BUSINESS_PRIORITIES", "notes": "다음 분기"}}


def test_it_lets_no_viewer_mark_a_practice(review, client_for, vera):
    response = _post(client_for(vera), review, {"choice_na": [A2]}, **HTMX)

    assert response.status_code == 403
    assert _answer(review).choice_na == {}


# --- Milestones and compare ---------------------------------------------------------------------


def test_it_keeps_practices_that_do_not_apply_in_a_milestone_and_compares_them(review, client_for, alice, bob):
    _save(review, bob, choices={A1, A2}, na=[ChoiceNA(A3, "OUT_OF_SCOPE", "batch only")])
    milestone = milestone_create(review=review, name="M1", user=alice)
    _save(review, bob, choices={A1, A2})

    row = milestone.answers.get(question__key="p1_q1")
    assert (row.risk, row.choice_na) == (AnswerRisk.NONE, {A3: {"reason": "OUT_OF_SCOPE", "notes": "batch only"}})
    client = client_for(alice)
    detail = client.get(reverse("reviewapp:milestone_detail", args=[review.pk, milestone.pk]))
    assertContains(detail, 'Practice 3 <span class="na-reason">(Out of scope: batch only)</span>', html=False)
    compared = client.get(
        reverse("reviewapp:milestone_compare", args=[review.pk]) + f"?before={milestone.pk}&after=current"
    )
    assertContains(compared, "New risk")
    assertContains(compared, "(Out of scope: batch only)")


# --- Exports, the PDF ---------------------------------------------------------------------------


def test_it_exports_practices_that_do_not_apply_in_csv_and_json(review, client_for, bob):
    _save(review, bob, choices={A1}, na=[ChoiceNA(A2, "OTHER", "n/a here"), ChoiceNA(A3)])
    client = client_for(bob)

    response = client.get(reverse("reviewapp:answers_export", args=[review.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    payload = json.loads(client.get(reverse("reviewapp:answers_export", args=[review.pk, "json"])).content)

    for row in (rows[0], payload["answers"][0]):
        assert row["not_applicable_choice_ids"] == f"{A2};{A3}"
        assert row["not_applicable_choices"] == "Practice 2 (Other: n/a here); Practice 3 (No reason given)"
        assert row["risk"] == AnswerRisk.NONE


def test_it_prints_practices_that_do_not_apply_in_the_report(review, bob, tmp_path):
    _save(review, bob, choices={A1}, na=[ChoiceNA(A2, "OUT_OF_SCOPE", "batch only")])
    request = ReportRequest(review=review, milestone=None, language="ko", page_size="a4")

    html = reports.render_report_html(request)
    path = tmp_path / "report.pdf"
    path.write_bytes(reports.render_report_pdf(request))

    assert "적용 제외 모범 사례" in html
    flat = squeeze(pdf_text(path))
    assert squeeze("적용 제외 모범 사례") in flat
    assert squeeze("모범 사례 2 (범위 밖: batch only)") in flat


# --- The AWS answers file -----------------------------------------------------------------------


@pytest.fixture
def aws_file():
    return {
        "LensAlias": "mini",
        "AnswerSummaries": [
            {
                "QuestionId": "p1_q1",
                "SelectedChoices": [A1, A2],
                "ChoiceAnswerSummaries": [
                    {"ChoiceId": A1, "Status": "SELECTED", "Reason": "NONE"},
                    {"ChoiceId": A2, "Status": "SELECTED", "Reason": "NONE"},
                    {"ChoiceId": A3, "Status": "NOT_APPLICABLE", "Reason": "ARCHITECTURE_CONSTRAINTS", "Notes": "S3"},
                    {"ChoiceId": NO, "Status": "UNSELECTED", "Reason": "NONE"},
                ],
                "IsApplicable": True,
                "Risk": "HIGH",
            },
            {
                "QuestionId": "p1_q2",
                "ChoiceAnswers": [{"ChoiceId": "p1_q2_a1", "Status": "NOT_APPLICABLE"}],
            },
        ],
    }


def test_it_imports_not_applicable_choices_from_an_aws_answers_file(review, alice, aws_file):
    summary = answers_from_aws(review=review, data=json.dumps(aws_file), user=alice)

    assert summary.updated == ["p1_q1", "p1_q2"]
    first, second = _answer(review, "p1_q1"), _answer(review, "p1_q2")
    assert (first.risk, first.choice_na) == (
        AnswerRisk.NONE,
        {A3: {"reason": "ARCHITECTURE_CONSTRAINTS", "notes": "S3"}},
    )
    assert (second.risk, second.choice_na) == (AnswerRisk.MEDIUM, {"p1_q2_a1": {"reason": "NONE", "notes": ""}})
    assert _items(review) == {"p1_q2_a2": "open", "p1_q2_a3": "open"}


def test_it_reads_its_own_aws_export_with_not_applicable_choices_back_unchanged(review, lens, alice, bob, aws_file):
    answers_from_aws(review=review, data=aws_file, user=alice)
    _save(review, bob, key="p2_q1", choices={"p2_q1_a1"}, notes="note", na=[ChoiceNA("p2_q1_a3", "OTHER", "다음")])
    exported = answers_to_aws(review=review)

    entry = next(a for a in exported["AnswerSummaries"] if a["QuestionId"] == "p1_q1")
    assert entry["ChoiceAnswerSummaries"][2] == {
        "ChoiceId": A3,
        "Status": "NOT_APPLICABLE",
        "Reason": "ARCHITECTURE_CONSTRAINTS",
        "Notes": "S3",
    }
    # Into the same review: nothing changes. Into another: the same answers, and the same file out.
    text = json.dumps(exported, ensure_ascii=False)
    assert answers_from_aws(review=review, data=text, user=alice).updated == []
    other = make_workload(alice, name="Copy", lens=lens).reviews.get()
    answers_from_aws(review=other, data=text, user=alice)
    assert answers_to_aws(review=other) == exported
    assert {a.question.key: (a.risk, a.choice_na) for a in other.answers.all()} == {
        a.question.key: (a.risk, a.choice_na) for a in review.answers.all()
    }


def test_it_refuses_an_aws_choice_both_selected_and_not_applicable_and_imports_nothing(review, alice, aws_file):
    aws_file["AnswerSummaries"][0]["ChoiceAnswerSummaries"][0]["Status"] = "NOT_APPLICABLE"
    aws_file["AnswerSummaries"][1]["ChoiceAnswers"][0]["Notes"] = "x" * 251
    before = answer_snapshot(review)

    with pytest.raises(AnswerImportError) as caught:
        answers_from_aws(review=review, data=aws_file, user=alice)

    assert caught.value.messages == [
        'AnswerSummaries[0].ChoiceAnswerSummaries[0].ChoiceId: choice "p1_q1_a1" is both SELECTED and NOT_APPLICABLE',
        "AnswerSummaries[1].ChoiceAnswers[0].Notes: longer than 250 characters (251)",
    ]
    assert answer_snapshot(review) == before


# --- Archives -----------------------------------------------------------------------------------


def test_it_carries_practices_that_do_not_apply_through_a_workload_archive(review, workload, alice, bob):
    _save(review, bob, choices={A1}, na=[ChoiceNA(A3, "OUT_OF_SCOPE", "x")])
    milestone_create(review=review, name="M1", user=alice)

    copy = workload_from_archive(data=json.dumps(workload_archive(workload)), user=alice).workload

    copied = copy.reviews.get()
    assert _answer(copied).choice_na == {A3: {"reason": "OUT_OF_SCOPE", "notes": "x"}}
    assert copied.milestones.get().answers.get(question__key="p1_q1").choice_na == {
        A3: {"reason": "OUT_OF_SCOPE", "notes": "x"}
    }


# --- Session minutes ----------------------------------------------------------------------------


def test_it_writes_a_practice_marked_or_applying_again_into_the_session_minutes(review, client_for, alice, bob):
    session = session_start(session=plan(review, alice, bob), user=alice)
    _save(review, bob, choices={A1}, na=[ChoiceNA(A3, "OUT_OF_SCOPE")])
    _save(review, bob, choices={A1}, na=[ChoiceNA(A2, "OTHER")])
    session_end(session=session, user=alice)

    minutes = session_minutes(Review.objects.get(pk=review.pk).sessions.get())

    assert [(c.na_marked, c.na_cleared) for c in minutes.changes] == [
        (["Practice 3"], []),
        (["Practice 2"], ["Practice 3"]),
    ]
    page = client_for(alice).get(reverse("reviewapp:session_minutes", args=[review.pk, session.pk]))
    assertContains(page, "Does not apply: Practice 2")
    assertContains(page, "Applies again: Practice 3")


# --- Lens upgrades ------------------------------------------------------------------------------


@pytest.fixture
def marked(review, bob):
    _save(review, bob, choices={A1}, na=[ChoiceNA(A2, "OTHER", "kept"), ChoiceNA(A3, "OUT_OF_SCOPE")])
    return review


def test_it_carries_practices_that_do_not_apply_into_a_new_lens_version(marked, v2, bob):  # noqa: F811
    """v2 (test_upgrades) drops p1_q1_a3 and gives {a1 && a2} no risk, {a2} medium."""
    review = marked
    review_upgrade(review=review, target=v2, user=bob)

    answer = _answer(Review.objects.get(pk=review.pk))
    assert answer.choice_na == {A2: {"reason": "OTHER", "notes": "kept"}}  # a3 is gone from v2
    assert answer.risk == AnswerRisk.NONE  # a1 && a2, a2 counted as satisfied
    assert answer.changes.get(version=answer.version).after["choice_na"] == {A2: {"reason": "OTHER", "notes": "kept"}}


def test_it_shows_both_sides_practices_in_a_conflict_and_keeps_mine_in_the_resolve_form(review, client_for, alice, bob):
    _save(review, bob, choices={A1})
    _save(review, alice, choices={A1}, na=[ChoiceNA(A3, "OUT_OF_SCOPE", "alice")])
    before = answer_snapshot(review)

    response = _post(
        client_for(bob),
        review,
        {"version": 1, "choices": [A1], "choice_na": [A3], "na_reason-p1_q1_a3": "OTHER", "na_notes-p1_q1_a3": "bob"},
        **HTMX,
    )

    assert response.status_code == 409
    assert answer_snapshot(review) == before
    assertContains(response, "(Out of scope: alice)", status_code=409)
    assertContains(response, "(Other: bob)", status_code=409)
    assertContains(response, f'<input type="hidden" name="choice_na" value="{A3}">', status_code=409)
    assertContains(response, '<input type="hidden" name="na_notes-p1_q1_a3" value="bob">', status_code=409)
