"""Personal tokens on the API (reviewapp/api/auth.py, reviewapp/tokens.py): who a token is, and when it is no one."""

import pytest
from django.test import Client
from django.utils import timezone

from reviewapp.models import ApiToken
from reviewapp.tokens import PREFIX, token_create, token_revoke

from ..factories import make_workload


def _get(key: str | None, url: str, *, scheme: str = "Bearer", session_user=None):
    client = Client(headers={"Authorization": f"{scheme} {key}", "Accept-Language": "en"} if key else {})
    if session_user is not None:
        client.force_login(session_user)
    return client.get(url)


def _error(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


def test_it_acts_as_the_tokens_user(workload, bob):
    _token, key = token_create(user=bob, name="ci")

    response = _get(key, "/api/v1/workloads/")

    assert [(w["name"], w["role"]) for w in response.json()["results"]] == [("Shop", "contributor")]


def test_it_accepts_the_token_keyword_too(workload, bob):
    _token, key = token_create(user=bob, name="ci")

    response = _get(key, f"/api/v1/workloads/{workload.pk}/", scheme="Token")

    assert response.json()["name"] == "Shop"


def test_it_stores_only_a_hash_and_a_prefix(bob):
    token, key = token_create(user=bob, name="ci")

    token.refresh_from_db()
    assert key.startswith(PREFIX) and len(key) > 40
    assert token.prefix == key[: len(PREFIX) + 6]
    assert key not in (token.key_hash, token.prefix) and len(token.key_hash) == 64


def test_it_marks_when_a_token_was_last_used(workload, bob):
    token, key = token_create(user=bob, name="ci")
    started = timezone.now()

    _get(key, "/api/v1/workloads/")

    token.refresh_from_db()
    assert started <= token.last_used_at <= timezone.now()


def test_it_answers_401_to_a_revoked_token(workload, alice):
    token, key = token_create(user=alice, name="ci")
    token_revoke(token=token)

    response = _get(key, f"/api/v1/workloads/{workload.pk}/")

    assert _error(response, 401) == "Invalid or revoked token."
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None


@pytest.mark.parametrize("key", ["garbage", PREFIX + "x" * 43, "wat_"])
def test_it_answers_401_to_a_key_that_is_no_token(workload, alice, key):
    token_create(user=alice, name="ci")

    response = _get(key, "/api/v1/workloads/")

    assert _error(response, 401) == "Invalid or revoked token."


def test_it_answers_401_to_a_header_with_more_than_one_token(workload, alice):
    _token, key = token_create(user=alice, name="ci")

    response = _get(f"{key} {key}", "/api/v1/workloads/")

    assert _error(response, 401) == "Invalid token header: give exactly one token."


def test_it_answers_401_to_the_token_of_an_inactive_user(workload, alice):
    _token, key = token_create(user=alice, name="ci")
    alice.is_active = False
    alice.save()

    response = _get(key, f"/api/v1/workloads/{workload.pk}/")

    assert _error(response, 401) == "Invalid or revoked token."


def test_it_does_not_fall_back_to_the_session_when_the_token_is_bad(workload, alice):
    response = _get("garbage", f"/api/v1/workloads/{workload.pk}/", session_user=alice)

    assert _error(response, 401) == "Invalid or revoked token."


def test_it_uses_the_session_when_no_token_is_sent(workload, alice):
    client = Client()
    client.force_login(alice)

    response = client.get(f"/api/v1/workloads/{workload.pk}/")

    assert response.json()["role"] == "owner"


def test_it_never_shows_a_token_another_users_workloads(workload, charlie):
    make_workload(charlie, name="Lab")
    _token, key = token_create(user=charlie, name="ci")

    listed = _get(key, "/api/v1/workloads/")
    reviews = _get(key, "/api/v1/reviews/")
    detail = _get(key, f"/api/v1/workloads/{workload.pk}/")
    answers = _get(key, f"/api/v1/reviews/{workload.reviews.get().pk}/answers/")

    assert [w["name"] for w in listed.json()["results"]] == ["Lab"]
    assert reviews.json()["results"] == []
    assert _error(detail, 404) == "Not found."
    assert answers.status_code == 404


def test_it_answers_a_hidden_review_exactly_like_a_missing_one(workload, charlie):
    _token, key = token_create(user=charlie, name="ci")
    hidden = workload.reviews.get().pk

    for path in ("", "answers/", "summary/", "milestones/"):
        assert (
            _get(key, f"/api/v1/reviews/{hidden}/{path}").json()
            == _get(key, f"/api/v1/reviews/{hidden + 1000}/{path}").json()
        )


def test_it_keeps_working_for_other_tokens_of_the_user_after_one_is_revoked(workload, bob):
    first, first_key = token_create(user=bob, name="laptop")
    _second, second_key = token_create(user=bob, name="ci")
    token_revoke(token=first)

    assert _get(first_key, "/api/v1/workloads/").status_code == 401
    assert _get(second_key, "/api/v1/workloads/").json()["count"] == 1
