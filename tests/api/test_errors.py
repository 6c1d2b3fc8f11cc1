"""Every API error is JSON: ``{"error": "<one message>"}``, plus ``details`` per field for validation errors."""

import json

import pytest
from django.test import Client

from reviewapp.api.errors import _flatten

from ..factories import make_user


def _json(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_it_answers_400_with_one_message_and_the_details(review, api_for, bob):
    response = api_for(bob).patch(
        f"/api/v1/reviews/{review.pk}/answers/p1_q1/",
        json.dumps({"selected_choices": ["p2_q1_a1"], "reason": "OTHER", "version": 0}),
        content_type="application/json",
    )

    assert _json(response, 400) == {
        "error": "selected_choices: “p2_q1_a1” is not a choice of this question.; "
        "reason: A reason can only be given when the question does not apply.",
        "details": {
            "selected_choices": ["“p2_q1_a1” is not a choice of this question."],
            "reason": ["A reason can only be given when the question does not apply."],
        },
    }


def test_it_answers_401_with_only_an_error(review):
    response = Client(headers={"Accept-Language": "en"}).get(f"/api/v1/reviews/{review.pk}/")

    assert _json(response, 401) == {"error": "Authentication credentials were not provided."}


def test_it_answers_403_with_only_an_error(review, api_for, vera):
    response = api_for(vera).post(
        f"/api/v1/reviews/{review.pk}/milestones/", {"name": "x"}, content_type="application/json"
    )

    assert _json(response, 403) == {"error": "Viewers cannot change this workload."}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("workloads/999999/", "Not found."),
        ("reviews/999999/summary/", "Not found."),
        ("reviews/{review}/answers/nope/", "This lens has no question “nope”."),
        ("reviews/{review}/milestones/999999/", "No Milestone matches the given query."),
    ],
)
def test_it_answers_404_with_only_an_error(review, api_for, alice, path, message):
    response = api_for(alice).get("/api/v1/" + path.format(review=review.pk))

    assert _json(response, 404) == {"error": message}


def test_it_answers_409_with_the_error_and_the_current_answer(review, api_for, bob):
    url = f"/api/v1/reviews/{review.pk}/answers/p1_q1/"
    client = api_for(bob)
    client.patch(url, json.dumps({"notes": "first", "version": 0}), content_type="application/json")

    body = _json(client.patch(url, json.dumps({"notes": "second", "version": 0}), content_type="application/json"), 409)

    assert set(body) == {"error", "current"}
    assert body["error"] == "The answer changed since version 0; here is the current one."
    assert (body["current"]["notes"], body["current"]["version"]) == ("first", 1)


def test_it_answers_405_with_only_an_error(review, api_for, alice):
    response = api_for(alice).delete(f"/api/v1/reviews/{review.pk}/")

    assert _json(response, 405) == {"error": 'Method "DELETE" not allowed.'}


def test_it_answers_415_for_a_body_that_is_not_json_or_a_form(review, api_for, alice):
    response = api_for(alice).patch(f"/api/v1/reviews/{review.pk}/answers/p1_q1/", "x", content_type="text/plain")

    assert _json(response, 415) == {"error": 'Unsupported media type "text/plain" in request.'}


def test_it_flattens_nested_details_into_one_message():
    detail = {"non_field_errors": ["Broken."], "owner": {"name": ["Too long."]}, "tags": ["A.", "B."]}

    assert _flatten(detail) == ["Broken.", "owner: name: Too long.", "tags: A.", "tags: B."]


def test_it_answers_json_to_a_client_that_asks_for_it_only(review, api_for, alice):
    response = api_for(alice).get(f"/api/v1/reviews/{review.pk}/summary/", headers={"Accept": "application/json"})

    assert _json(response, 200)["review"] == review.pk


# --- Errors raised before or outside the views ------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/reviews/abc/", "/api/v2/workloads/"])
def test_it_answers_an_unknown_api_route_with_a_json_404(review, api_for, alice, path):
    assert _json(api_for(alice).get(path), 404) == {"error": "Not found."}


def test_it_still_answers_an_unknown_page_with_an_html_404(review, client_for, alice):
    response = client_for(alice).get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_it_answers_a_body_over_the_upload_limit_with_a_json_413(review, api_for, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
    body = json.dumps({"AnswerSummaries": [], "padding": "x" * (5 * 1024 * 1024)})

    response = api_for(alice).post(
        f"/api/v1/reviews/{review.pk}/answers/import/", body, content_type="application/json"
    )

    assert _json(response, 413) == {"error": "The request body is larger than 5 MB."}


def test_it_takes_an_answers_file_of_almost_5_mb_as_the_page_does(review, api_for, alice):
    document = {"AnswerSummaries": [{"QuestionId": "p1_q1", "SelectedChoices": ["p1_q1_a1"]}]}
    body = json.dumps({**document, "padding": "x" * (5 * 1024 * 1024 - 200)})

    response = api_for(alice).post(
        f"/api/v1/reviews/{review.pk}/answers/import/", body, content_type="application/json"
    )

    assert response.status_code == 200, response.content[:300]
    assert response.json()["updated"] == ["p1_q1"]


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "path", ["/api/v1/reviews/{review}/answers/import/", "/api/v1/lenses/import/?language=en", "/api/v1/workloads/"]
)
def test_it_answers_a_body_nested_too_deeply_with_a_json_400(review, api_for, alice, path):
    editor = make_user("editor", is_staff=True, is_superuser=True)

    response = api_for(editor).post(path.format(review=review.pk), DEEP, content_type="application/json")

    assert _json(response, 400) == {"error": "not JSON we can read: arrays or objects are nested too deeply"}


# --- The API's language ---------------------------------------------------------------------------


def _token_client(user, **headers) -> Client:
    from reviewapp.tokens import token_create

    _token, key = token_create(user=user, name="language test")
    return Client(headers={"Authorization": f"Bearer {key}", **headers})


def test_it_answers_in_english_when_the_request_names_no_language(review, alice):
    response = _token_client(alice).get(f"/api/v1/reviews/{review.pk}/answers/nope/")

    assert _json(response, 404) == {"error": "This lens has no question “nope”."}
    assert response["Content-Language"] == "en"


def test_it_answers_in_the_language_accept_language_asks_for(review, alice):
    response = _token_client(alice, **{"Accept-Language": "ko-KR,ko;q=0.9"}).get(
        f"/api/v1/reviews/{review.pk}/answers/nope/"
    )

    assert _json(response, 404) == {"error": "이 렌즈에는 “nope” 질문이 없습니다."}


def test_it_keeps_the_pages_default_korean(review, client_for, alice):
    client = Client()
    client.force_login(alice)

    assert client.get(f"/reviews/{review.pk}/")["Content-Language"] == "ko"


@pytest.mark.parametrize("language", [None, "ko", "en"])
def test_it_counts_an_imported_files_problems_in_the_language_of_its_lines(review, alice, language):
    headers = {"Accept-Language": language} if language else {}
    document = [{"QuestionId": "nope"}, {"QuestionId": "p1_q1", "SelectedChoices": ["x1"]}]

    response = _token_client(alice, **headers).post(
        f"/api/v1/reviews/{review.pk}/answers/import/", json.dumps(document), content_type="application/json"
    )

    assert _json(response, 400) == {
        "error": "The answers file has 2 problems.",
        "problems": [
            '[0]: question "nope" is not in lens mini',
            '[1].SelectedChoices[0]: choice "x1" is not a choice of question "p1_q1"',
        ],
    }


def test_it_answers_a_bad_host_with_a_json_400_under_the_api(db):
    response = Client(headers={"Accept-Language": "en"}).get("/api/v1/workloads/", HTTP_HOST="evil.example")

    assert _json(response, 400) == {"error": "Invalid request."}


def test_it_answers_too_many_form_fields_with_a_json_400(review, api_for, alice):
    body = "&".join(f"f{n}=1" for n in range(1500))

    response = api_for(alice).post("/api/v1/workloads/", body, content_type="application/x-www-form-urlencoded")

    assert _json(response, 400)["error"].startswith("The number of GET/POST parameters exceeded")


def test_it_answers_a_crash_with_a_json_500_under_the_api(review, api_for, alice, monkeypatch):
    from reviewapp.api.views import reviews

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(reviews, "review_state", crash)
    client = api_for(alice)
    client.raise_request_exception = False

    response = client.get(f"/api/v1/reviews/{review.pk}/summary/")

    assert _json(response, 500) == {"error": "A server error occurred."}


def test_it_counts_every_problem_of_an_answers_file_while_listing_50(review, api_for, alice):
    document = [{"QuestionId": "p1_q1", "SelectedChoices": [f"c{n}" for n in range(120)]}]

    response = api_for(alice).post(
        f"/api/v1/reviews/{review.pk}/answers/import/", json.dumps(document), content_type="application/json"
    )

    body = _json(response, 400)
    assert body["error"] == "The answers file has 120 problems."
    assert (len(body["problems"]), body["problems"][-1]) == (51, "… and 70 more problems")
