"""A review's answers out in the AWS tool's ListAnswers shape (aws_answers.answers_to_aws), and back in."""

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.aws_answers import answers_from_aws, answers_to_aws
from reviewapp.bank import load_bank
from reviewapp.milestones import milestone_create
from reviewapp.models import Role

from ..factories import add_member, answer_snapshot, make_workload

LIST_ANSWERS = Path(__file__).resolve().parent.parent / "data" / "aws" / "serverless_list_answers.json"


@pytest.fixture
def review(serverless_lens, alice):
    return make_workload(alice, name="Booking", lens=serverless_lens).reviews.get()


def _fill(review, user):
    bank = load_bank(review.lens)
    ops1, sec1, rel1 = bank.by_key["ops_q1"], bank.by_key["sec_q1"], bank.by_key["rel_q1"]
    answer_save(
        review=review,
        item=ops1,
        user=user,
        state=AnswerState(
            choices=frozenset({ops1.choices[0].key, ops1.choices[1].key}), notes="알람 **있음**\n두 번째 줄"
        ),
    )
    answer_save(review=review, item=sec1, user=user, state=AnswerState(choices=frozenset({sec1.none_choice.key})))
    answer_save(
        review=review, item=rel1, user=user, state=AnswerState(applicable=False, reason="OUT_OF_SCOPE", notes="later")
    )


def test_it_lists_every_question_with_per_choice_status_risk_and_notes(review, alice):
    _fill(review, alice)

    data = answers_to_aws(review=review)

    assert data["LensAlias"] == "serverless"
    by_id = {entry["QuestionId"]: entry for entry in data["AnswerSummaries"]}
    assert len(by_id) == len(load_bank(review.lens).by_key)  # unanswered ones too, as AWS lists them
    ops = by_id["ops_q1"]
    assert ops["SelectedChoices"] == ["ops_ops_q1_a1", "ops_ops_q1_a2"]
    assert [c["Status"] for c in ops["ChoiceAnswerSummaries"]][:3] == ["SELECTED", "SELECTED", "UNSELECTED"]
    assert ops["PillarId"] == "operationalExcellence" and ops["Notes"] == "알람 **있음**\n두 번째 줄"
    assert ops["QuestionTitle"] == "How do you understand the health of your Serverless application?"
    assert by_id["sec_q1"]["Risk"] == "HIGH"
    assert (by_id["rel_q1"]["IsApplicable"], by_id["rel_q1"]["Reason"], by_id["rel_q1"]["Risk"]) == (
        False,
        "OUT_OF_SCOPE",
        "NOT_APPLICABLE",
    )
    assert by_id["perf_q1"]["Risk"] == "UNANSWERED" and by_id["perf_q1"]["SelectedChoices"] == []


def test_its_own_export_reads_back_unchanged_and_into_another_review_the_same(review, alice, serverless_lens):
    _fill(review, alice)
    exported = answers_to_aws(review=review)
    before = answer_snapshot(review)

    again = answers_from_aws(review=review, data=json.loads(json.dumps(exported)), user=alice)

    assert again.updated == [] and answer_snapshot(review) == before
    other = make_workload(alice, name="Copy", lens=serverless_lens).reviews.get()
    answers_from_aws(review=other, data=exported, user=alice)
    copied = answers_to_aws(review=other)
    assert copied == exported


def test_an_aws_file_imported_then_exported_keeps_its_answers(review, alice):
    original = json.loads(LIST_ANSWERS.read_text(encoding="utf-8"))
    answers_from_aws(review=review, data=original, user=alice)

    exported = {e["QuestionId"]: e for e in answers_to_aws(review=review)["AnswerSummaries"]}

    for entry in original["AnswerSummaries"]:
        mine = exported[entry["QuestionId"]]
        assert set(mine["SelectedChoices"]) == set(entry["SelectedChoices"]), entry["QuestionId"]
        assert mine["IsApplicable"] == entry.get("IsApplicable", True)


def test_a_milestone_exports_its_frozen_answers(review, alice):
    _fill(review, alice)
    milestone = milestone_create(review=review, name="Before", user=alice)
    item = load_bank(review.lens).by_key["sec_q1"]
    answer_save(review=review, item=item, user=alice, state=AnswerState(choices=frozenset({item.choices[0].key})))

    frozen = {e["QuestionId"]: e for e in answers_to_aws(review=review, milestone=milestone)["AnswerSummaries"]}

    assert frozen["sec_q1"]["Risk"] == "HIGH"


def test_viewers_download_it_and_strangers_get_404(review, alice, vera, charlie):
    add_member(review.workload, vera, Role.VIEWER)
    _fill(review, alice)
    page = reverse("reviewapp:aws_answers_export", args=[review.pk])
    api = reverse("api:answers-aws-export", args=[review.pk])
    viewer, stranger = Client(), Client()
    viewer.force_login(vera)
    stranger.force_login(charlie)

    download = viewer.get(page)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="booking-answers-aws-')
    assert json.loads(download.content) == answers_to_aws(review=review)
    assert viewer.get(api).json() == json.loads(download.content)
    assert stranger.get(page).status_code == 404 and stranger.get(api).status_code == 404
