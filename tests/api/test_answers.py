"""Answers through the API: reading, filtering, and saving with a version (optimistic locking)."""

import json

import pytest
from django.utils import timezone

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Answer, AnswerRisk, ImprovementItem

from ..factories import answer_snapshot


def _url(review, key: str = "") -> str:
    return f"/api/v1/reviews/{review.pk}/answers/{key + '/' if key else ''}"


def _answer(review, key: str = "p1_q1") -> Answer:
    return Answer.objects.get(review=review, question__key=key)


def _keys(answer: Answer) -> set[str]:
    return set(answer.selected_choices.values_list("key", flat=True))


def _save(review, user, key: str, choices: set[str], **fields) -> Answer:
    item = load_bank(review.lens).by_key[key]
    return answer_save(review=review, item=item, user=user, state=AnswerState(choices=frozenset(choices), **fields))


def _send(client, method: str, url: str, body: dict, **headers):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", headers=headers)


def _error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def as_bob(api_for, bob):
    return api_for(bob)


@pytest.fixture
def answered(review, alice):
    """p1_q1 medium (a1), p2_q1 no risk (a1-a3), p2_q2 not applicable; p1_q2 unanswered."""
    _save(review, alice, "p1_q1", {"p1_q1_a1"}, notes="Keep **this**.")
    _save(review, alice, "p2_q1", {"p2_q1_a1", "p2_q1_a2", "p2_q1_a3"})
    _save(review, alice, "p2_q2", set(), applicable=False, reason="OUT_OF_SCOPE")
    return review


# --- Reading ------------------------------------------------------------------------------------


def test_it_lists_every_answer_in_pillar_and_question_order(answered, as_bob):
    response = as_bob.get(_url(answered))

    assert response.status_code == 200
    rows = [(a["question"], a["pillar"], a["risk"], a["selected_choices"], a["version"]) for a in response.json()]
    assert rows == [
        ("p1_q1", "p1", AnswerRisk.MEDIUM, ["p1_q1_a1"], 1),
        ("p1_q2", "p1", AnswerRisk.UNANSWERED, [], 0),
        ("p2_q1", "p2", AnswerRisk.NONE, ["p2_q1_a1", "p2_q1_a2", "p2_q1_a3"], 1),
        ("p2_q2", "p2", AnswerRisk.NOT_APPLICABLE, [], 1),
    ]
    first = response.json()[0]
    assert (first["label"], first["title"], first["notes"], first["updated_by"]) == (
        "P1 1",
        "Question 1.1?",
        "Keep **this**.",
        "alice",
    )


def test_it_filters_answers_by_pillar_and_risk(answered, as_bob):
    by_pillar = as_bob.get(_url(answered), {"pillar": "p2"})
    by_risk = as_bob.get(_url(answered), {"risk": AnswerRisk.MEDIUM})
    both = as_bob.get(_url(answered), {"pillar": "p2", "risk": AnswerRisk.NOT_APPLICABLE})
    none = as_bob.get(_url(answered), {"pillar": "p1", "risk": AnswerRisk.NONE})

    assert [a["question"] for a in by_pillar.json()] == ["p2_q1", "p2_q2"]
    assert [a["question"] for a in by_risk.json()] == ["p1_q1"]
    assert [a["question"] for a in both.json()] == ["p2_q2"]
    assert none.json() == []


def test_it_refuses_a_pillar_the_lens_does_not_have(answered, as_bob):
    body = _error(as_bob.get(_url(answered), {"pillar": "security"}))

    assert body["error"] == "pillar: This lens has no pillar “security”."
    assert body["details"] == {"pillar": ["This lens has no pillar “security”."]}


def test_it_shows_one_answer_with_its_version_as_etag(answered, as_bob):
    response = as_bob.get(_url(answered, "p2_q2"))

    assert response["ETag"] == '"1"'
    body = response.json()
    assert (body["question"], body["is_applicable"], body["reason"], body["risk"], body["version"]) == (
        "p2_q2",
        False,
        "OUT_OF_SCOPE",
        AnswerRisk.NOT_APPLICABLE,
        1,
    )


def test_it_answers_404_for_a_question_the_lens_does_not_have(review, as_bob):
    response = as_bob.get(_url(review, "sec_q1"))

    assert _error(response, 404)["error"] == "This lens has no question “sec_q1”."


# --- Saving -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["patch", "put"])
def test_it_saves_an_answer_given_the_version_read(review, as_bob, bob, method):
    started = timezone.now()

    body = {"selected_choices": ["p1_q1_a1", "p1_q1_a2"], "notes": "Hi", "version": 0}

    response = _send(as_bob, method, _url(review, "p1_q1"), body)

    assert response.status_code == 200, response.content
    answer = _answer(review)
    assert _keys(answer) == {"p1_q1_a1", "p1_q1_a2"}
    assert (answer.risk, answer.notes, answer.version, answer.updated_by) == (AnswerRisk.MEDIUM, "Hi", 1, bob)
    assert started <= answer.updated_at <= timezone.now()
    review.refresh_from_db()
    assert review.revision == 1
    body = response.json()
    assert (body["selected_choices"], body["risk"], body["version"], body["updated_by"]) == (
        ["p1_q1_a1", "p1_q1_a2"],
        AnswerRisk.MEDIUM,
        1,
        "bob",
    )
    assert response["ETag"] == '"1"'


def test_it_recomputes_the_risk_on_every_save(review, as_bob):
    steps = [
        (["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"], AnswerRisk.NONE),
        (["p1_q1_a2"], AnswerRisk.HIGH),
        (["p1_q1_no"], AnswerRisk.HIGH),
        (["p1_q1_a1"], AnswerRisk.MEDIUM),
    ]
    for version, (choices, risk) in enumerate(steps):
        response = _send(as_bob, "patch", _url(review, "p1_q1"), {"selected_choices": choices, "version": version})

        assert response.json()["risk"] == risk
        assert (_answer(review).risk, _answer(review).version) == (risk, version + 1)


def test_it_keeps_what_a_patch_leaves_out_and_clears_it_on_put(answered, as_bob):
    _send(as_bob, "patch", _url(answered, "p1_q1"), {"selected_choices": ["p1_q1_a2"], "version": 1})
    patched = _answer(answered)

    _send(as_bob, "put", _url(answered, "p1_q1"), {"selected_choices": ["p1_q1_a2"], "version": 2})
    put = _answer(answered)

    assert (patched.notes, patched.risk, _keys(patched)) == ("Keep **this**.", AnswerRisk.HIGH, {"p1_q1_a2"})
    assert (put.notes, put.version) == ("", 3)


def test_it_marks_a_question_not_applicable_with_a_reason(review, as_bob):
    response = _send(
        as_bob, "patch", _url(review, "p1_q2"), {"is_applicable": False, "reason": "BUSINESS_PRIORITIES", "version": 0}
    )

    assert response.status_code == 200, response.content
    answer = _answer(review, "p1_q2")
    assert (answer.is_applicable, answer.reason, answer.risk) == (
        False,
        "BUSINESS_PRIORITIES",
        AnswerRisk.NOT_APPLICABLE,
    )


def test_it_opens_improvement_items_for_a_risky_answer(review, as_bob):
    _send(as_bob, "patch", _url(review, "p1_q1"), {"selected_choices": ["p1_q1_a1"], "version": 0})

    items = ImprovementItem.objects.filter(review=review).values_list("choice__key", "status")
    assert sorted(items) == [("p1_q1_a2", "open"), ("p1_q1_a3", "open")]


# --- Versions -----------------------------------------------------------------------------------


def test_it_refuses_a_stale_version_with_409_and_the_current_answer(answered, as_bob):
    before = answer_snapshot(answered)

    response = _send(as_bob, "patch", _url(answered, "p1_q1"), {"selected_choices": ["p1_q1_a2"], "version": 0})

    body = _error(response, 409)
    assert body["error"] == "The answer changed since version 0; here is the current one."
    current = body["current"]
    assert (current["question"], current["selected_choices"], current["version"], current["notes"]) == (
        "p1_q1",
        ["p1_q1_a1"],
        1,
        "Keep **this**.",
    )
    assert response["ETag"] == '"1"'
    assert answer_snapshot(answered) == before


def test_it_refuses_the_second_of_two_saves_from_the_same_version(review, as_bob, api_for, alice):
    first = _send(api_for(alice), "patch", _url(review, "p1_q1"), {"selected_choices": ["p1_q1_a1"], "version": 0})
    second = _send(as_bob, "patch", _url(review, "p1_q1"), {"selected_choices": ["p1_q1_a2"], "version": 0})

    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["current"]["updated_by"] == "alice"
    assert (_keys(_answer(review)), _answer(review).version) == ({"p1_q1_a1"}, 1)


@pytest.mark.parametrize("etag", ['"1"', 'W/"1"', "1"])
def test_it_takes_the_version_from_if_match(answered, as_bob, etag):
    response = _send(as_bob, "patch", _url(answered, "p1_q1"), {"selected_choices": ["p1_q1_a2"]}, **{"If-Match": etag})

    assert response.status_code == 200, response.content
    assert (_keys(_answer(answered)), _answer(answered).version) == ({"p1_q1_a2"}, 2)


def test_it_refuses_a_stale_if_match_with_412_and_the_current_answer(answered, as_bob):
    before = answer_snapshot(answered)

    response = _send(as_bob, "patch", _url(answered, "p1_q1"), {"notes": "x"}, **{"If-Match": '"0"'})

    body = _error(response, 412)
    assert body["error"] == "The answer changed since version 0; here is the current one."
    assert body["current"]["version"] == 1
    assert answer_snapshot(answered) == before


@pytest.mark.parametrize(("header", "version"), [('"0"', 1), ('"1"', 0)])
def test_it_refuses_an_if_match_and_a_version_that_disagree(answered, as_bob, header, version):
    before = answer_snapshot(answered)

    response = _send(
        as_bob, "patch", _url(answered, "p1_q1"), {"notes": "x", "version": version}, **{"If-Match": header}
    )

    body = _error(response, 412)
    assert body["error"] == (
        f"If-Match names version {header.strip(chr(34))} but the body says version {version}; give one version."
    )
    assert body["current"]["version"] == 1
    assert answer_snapshot(answered) == before


def test_it_takes_an_if_match_and_a_version_that_agree(answered, as_bob):
    response = _send(as_bob, "patch", _url(answered, "p1_q1"), {"notes": "x", "version": 1}, **{"If-Match": '"1"'})

    assert response.status_code == 200, response.content
    assert (_answer(answered).notes, _answer(answered).version) == ("x", 2)


@pytest.mark.parametrize(
    "etag", ['"abc"', '"\u00b2"', '"-1"', '"1000000000"'], ids=["word", "superscript", "negative", "long"]
)
def test_it_refuses_an_if_match_that_is_no_version(answered, as_bob, etag):
    before = answer_snapshot(answered)

    response = _send(as_bob, "patch", _url(answered, "p1_q1"), {"notes": "x"}, **{"If-Match": etag})

    assert _error(response)["error"] == 'If-Match: Give the answer\'s ETag, e.g. "3".'
    assert answer_snapshot(answered) == before


@pytest.mark.parametrize("method", ["patch", "put"])
def test_it_refuses_a_save_without_a_version(answered, as_bob, method):
    before = answer_snapshot(answered)

    response = _send(as_bob, method, _url(answered, "p1_q1"), {"selected_choices": ["p1_q1_a2"]})

    body = _error(response)
    assert body["error"] == "version: Give the version you read (field “version” or an If-Match header)."
    assert list(body["details"]) == ["version"]
    assert answer_snapshot(answered) == before


# --- The same validation as the pages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        pytest.param(
            {"selected_choices": ["p1_q2_a1"]},
            "selected_choices",
            "“p1_q2_a1” is not a choice of this question.",
            id="other-question",
        ),
        pytest.param(
            {"selected_choices": ["p1_q1_no", "p1_q1_a1"]},
            "selected_choices",
            "“None of these” cannot be combined with other choices.",
            id="none-with-others",
        ),
        pytest.param(
            {"reason": "OUT_OF_SCOPE"},
            "reason",
            "A reason can only be given when the question does not apply.",
            id="reason-while-applicable",
        ),
        pytest.param(
            {"is_applicable": False, "reason": "BORED"},
            "reason",
            "Select a valid choice. BORED is not one of the available choices.",
            id="unknown-reason",
        ),
        pytest.param(
            {"notes": "x" * 2085},
            "notes",
            "Ensure this field has no more than 2084 characters.",
            id="notes-too-long",
        ),
        pytest.param(
            {"selected_choices": "p1_q1_a1"},
            "selected_choices",
            'Expected a list of items but got type "str".',
            id="not-a-list",
        ),
        pytest.param(
            {"version": -1},
            "version",
            "Ensure this value is greater than or equal to 0.",
            id="negative-version",
        ),
    ],
)
def test_it_refuses_what_the_review_page_refuses(answered, as_bob, body, field, message):
    before = answer_snapshot(answered)

    response = _send(as_bob, "patch", _url(answered, "p1_q1"), {"version": 1, **body})

    error = _error(response)
    assert error["details"] == {field: [message]}
    assert error["error"] == f"{field}: {message}"
    assert answer_snapshot(answered) == before


def test_it_accepts_notes_of_exactly_2084_characters(review, as_bob):
    response = _send(as_bob, "patch", _url(review, "p1_q1"), {"notes": "가" * 2084, "version": 0})

    assert response.status_code == 200, response.content
    assert _answer(review).notes == "가" * 2084


def test_it_refuses_a_body_that_is_not_json(answered, as_bob):
    before = answer_snapshot(answered)

    response = as_bob.patch(_url(answered, "p1_q1"), "{nope", content_type="application/json")

    assert _error(response)["error"] == "not JSON: Expecting property name enclosed in double quotes at line 1 column 2"
    assert answer_snapshot(answered) == before


# --- Importing answers from the AWS Well-Architected Tool ------------------------------------------


def test_it_imports_answers_exported_from_aws(answered, as_bob, bob):
    document = {
        "AnswerSummaries": [
            {"QuestionId": "p1_q2", "SelectedChoices": ["p1_q2_a1", "p1_q2_a2", "p1_q2_a3"], "IsApplicable": True},
            {"QuestionId": "p1_q1", "SelectedChoices": ["p1_q1_a1"], "IsApplicable": True},
        ]
    }

    response = _send(as_bob, "post", f"/api/v1/reviews/{answered.pk}/answers/import/", document)

    assert response.status_code == 200, response.content
    assert (response.json()["updated"], response.json()["unchanged"]) == (["p1_q2"], ["p1_q1"])
    answer = _answer(answered, "p1_q2")
    assert (_keys(answer), answer.risk, answer.updated_by, answer.version) == (
        {"p1_q2_a1", "p1_q2_a2", "p1_q2_a3"},
        AnswerRisk.NONE,
        bob,
        1,
    )
    assert _answer(answered, "p1_q1").notes == "Keep **this**."


def test_it_imports_nothing_from_a_file_with_a_problem(answered, as_bob):
    before = answer_snapshot(answered)
    document = {
        "AnswerSummaries": [
            {"QuestionId": "p1_q2", "SelectedChoices": ["p1_q2_a1"]},
            {"QuestionId": "p1_q1", "SelectedChoices": ["p2_q1_a1"]},
        ]
    }

    body = _error(_send(as_bob, "post", f"/api/v1/reviews/{answered.pk}/answers/import/", document))

    assert body["error"] == body["problems"][0]
    assert body["problems"] == [
        'AnswerSummaries[1].SelectedChoices[0]: choice "p2_q1_a1" is not a choice of question "p1_q1"'
    ]
    assert answer_snapshot(answered) == before
