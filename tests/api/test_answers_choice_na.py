"""Best practices that do not apply (``not_applicable_choices``) through the API: read, written, checked."""

import json

import pytest

from reviewapp.models import Answer, AnswerRisk

from ..factories import answer_snapshot

A1, A2, A3 = "p1_q1_a1", "p1_q1_a2", "p1_q1_a3"


def _answer(review, key="p1_q1") -> Answer:
    return Answer.objects.get(review=review, question__key=key)


# --- The API ------------------------------------------------------------------------------------


@pytest.fixture
def api(review, api_for, bob):
    """``api(method, body)``: bob's request about p1_q1 of the review (a GET without a body)."""
    client = api_for(bob)
    url = f"/api/v1/reviews/{review.pk}/answers/p1_q1/"

    def send(method, body=None):
        if body is None:
            return client.get(url)
        return getattr(client, method)(url, json.dumps(body), content_type="application/json")

    return send


def test_it_reads_and_writes_practices_that_do_not_apply_through_the_api(review, api):
    response = api(
        "patch",
        {
            "version": 0,
            "selected_choices": [A1],
            "not_applicable_choices": [{"choice": A3, "reason": "OTHER", "notes": "x"}],
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["not_applicable_choices"] == [{"choice": A3, "reason": "OTHER", "notes": "x"}]
    assert _answer(review).choice_na == {A3: {"reason": "OTHER", "notes": "x"}}
    assert api("get").json()["not_applicable_choices"] == [{"choice": A3, "reason": "OTHER", "notes": "x"}]
    # A partial update that selects the practice follows it instead; one that leaves the list out keeps it.
    assert api("patch", {"version": 1, "notes": "n"}).json()["not_applicable_choices"] != []
    followed = api("patch", {"version": 2, "selected_choices": [A1, A3]}).json()
    assert (followed["not_applicable_choices"], followed["risk"]) == ([], AnswerRisk.MEDIUM)


def test_it_defaults_an_api_practices_reason_to_none_given(review, api):
    response = api("put", {"version": 0, "not_applicable_choices": [{"choice": A2}]})

    assert response.json()["not_applicable_choices"] == [{"choice": A2, "reason": "NONE", "notes": ""}]


@pytest.mark.parametrize(
    "entries",
    [
        [{"choice": A1, "reason": "OTHER"}],  # also selected
        [{"choice": A2, "reason": "LAZY"}],
        [{"choice": A2}, {"choice": A2}],
        [{"choice": "p2_q1_a1"}],
        [{"choice": A2, "notes": "x" * 251}],
        [{"reason": "OTHER"}],
    ],
)
def test_it_refuses_a_bad_practice_through_the_api_and_saves_nothing(review, api, entries):
    before = answer_snapshot(review)

    response = api("put", {"version": 0, "selected_choices": [A1], "not_applicable_choices": entries})

    assert response.status_code == 400
    assert "not_applicable_choices" in json.dumps(response.json())
    assert answer_snapshot(review) == before
    assert _answer(review).choice_na == {}


def test_it_asks_for_the_choice_of_each_practice_in_a_partial_update_too(review, api):
    before = answer_snapshot(review)

    response = api("patch", {"version": 0, "not_applicable_choices": [{"reason": "NONE", "notes": ""}]})

    assert response.status_code == 400
    assert "needs its “choice”" in json.dumps(response.json(), ensure_ascii=False)
    assert answer_snapshot(review) == before


def test_it_takes_the_defaults_for_what_a_partial_updates_practice_leaves_out(review, api):
    response = api("patch", {"version": 0, "not_applicable_choices": [{"choice": A2}]})

    assert response.json()["not_applicable_choices"] == [{"choice": A2, "reason": "NONE", "notes": ""}]
