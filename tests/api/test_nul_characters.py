"""NUL characters, which PostgreSQL text cannot hold, are refused wherever they come in, never a 500.

In a URL's question or practice key: a 404 like any unknown key. In an imported file or an API body: a 400 naming it.
"""

import json

import pytest

from questions.interchange import LensImportError, lens_from_aws
from questions.models import Lens

from ..factories import answer_snapshot, make_user

URLS = [
    ("get", "/reviews/{review}/pillars/%00/"),
    ("get", "/reviews/{review}/questions/%00/"),
    ("get", "/reviews/{review}/questions/%00/fields/"),
    ("get", "/reviews/{review}/questions/%00/history/"),
    ("get", "/reviews/{review}/questions/p1_q1%00/history/"),
    ("post", "/reviews/{review}/questions/%00/restore/1/"),
    ("post", "/reviews/{review}/plan/%00/"),
    ("get", "/api/v1/reviews/{review}/answers/%00/"),
    ("patch", "/api/v1/reviews/{review}/answers/%00/"),
    ("patch", "/api/v1/reviews/{review}/improvement-plan/%00/"),
]


@pytest.mark.parametrize(("method", "url"), URLS)
def test_it_answers_404_to_a_key_with_a_nul_character(review, client_for, alice, method, url):
    client = client_for(alice)

    url = url.format(review=review.pk)
    if method == "get":
        response = client.get(url)
    else:
        response = getattr(client, method)(url, "{}", content_type="application/json")

    assert response.status_code == 404, response.content[:500]


def _small_lens() -> dict:
    choice = {"id": "sec_a1", "title": "Encrypt", "improvementPlan": {"displayText": "Encrypt."}}
    rules = [{"condition": "sec_a1", "risk": "NO_RISK"}, {"condition": "default", "risk": "HIGH_RISK"}]
    question = {"id": "sec_q1", "title": "How?", "description": "", "choices": [choice], "riskRules": rules}
    pillar = {"id": "security", "name": "Security", "questions": [question]}
    return {"schemaVersion": "2021-11-01", "name": "Small", "description": "A small lens.", "pillars": [pillar]}


def test_it_refuses_a_lens_file_with_a_nul_in_a_text(db):
    data = _small_lens()
    data["pillars"][0]["questions"][0]["title"] = "How\x00?"

    with pytest.raises(LensImportError) as refused:
        lens_from_aws(data, language="en")

    assert refused.value.messages == ["pillars[0].questions[0].title: must not contain NUL characters (\\u0000)"]
    assert not Lens.objects.exists()


def test_it_refuses_a_lens_version_with_a_nul_through_the_api(db, api_for):
    editor = make_user("editor", is_staff=True, is_superuser=True)

    response = api_for(editor).post(
        "/api/v1/lenses/import/?language=en&slug=small&version=1%00", _small_lens(), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert response.json()["error"] == "version '1\\x00' must be printable characters"
    assert not Lens.objects.exists()


@pytest.mark.parametrize(
    "body", [{"notes": "a\x00", "version": 0}, {"selected_choices": ["p1_q1_a1\x00"], "version": 0}]
)
def test_it_refuses_an_api_answer_with_a_nul(review, api_for, bob, body):
    before = answer_snapshot(review)

    response = api_for(bob).patch(
        f"/api/v1/reviews/{review.pk}/answers/p1_q1/", json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert "Null characters are not allowed." in response.json()["error"]
    assert answer_snapshot(review) == before


def test_it_refuses_a_page_answer_with_a_nul(review, client_for, bob):
    before = answer_snapshot(review)

    response = client_for(bob).post(f"/reviews/{review.pk}/answers/", {"question": "p1_q1", "notes": "a\x00"})

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert answer_snapshot(review) == before
