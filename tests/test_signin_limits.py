"""Sign-in throttling per username as well as per (username, address): rotating addresses gives no unlimited guesses."""

import pytest
from django.urls import reverse

from .factories import make_user

LOGIN = reverse("login")


@pytest.fixture
def alice(db):
    return make_user("alice", password="alice-right-pass")


def _sign_in(client, password: str, ip: str):
    return client.post(LOGIN, {"username": "alice", "password": password}, REMOTE_ADDR=ip)


def test_it_locks_a_username_tried_from_many_addresses_after_20_failures(alice, client_for, settings):
    assert (settings.SIGNIN_PAIR_FAILURE_LIMIT, settings.SIGNIN_USERNAME_FAILURE_LIMIT) == (5, 20)
    statuses = [_sign_in(client_for(None), f"wrong-{n}", f"10.0.{n}.1").status_code for n in range(20)]

    response = _sign_in(client_for(None), "alice-right-pass", "10.9.9.9")

    assert statuses == [200] * 19 + [429]
    assert response.status_code == 429
    assert "_auth_user_id" not in response.wsgi_request.session


def test_it_lets_the_user_in_from_a_new_address_below_the_username_limit(alice, client_for):
    for n in range(19):
        _sign_in(client_for(None), f"wrong-{n}", f"10.0.{n}.1")

    assert _sign_in(client_for(None), "alice-right-pass", "10.9.9.9").status_code == 302


def test_it_still_locks_one_address_after_5_failures(alice, client_for):
    statuses = [_sign_in(client_for(None), f"wrong-{n}", "10.0.0.1").status_code for n in range(5)]

    assert statuses == [200, 200, 200, 200, 429]
    assert _sign_in(client_for(None), "alice-right-pass", "10.0.0.1").status_code == 429
    assert _sign_in(client_for(None), "alice-right-pass", "10.0.0.2").status_code == 302


def test_it_says_the_account_is_paused_without_blaming_the_address(alice, client_for):
    for n in range(20):
        _sign_in(client_for(None), f"wrong-{n}", f"10.0.{n}.1")

    response = _sign_in(client_for(None), "alice-right-pass", "10.9.9.9")

    assert "Sign-in for this account is paused for a while." in response.content.decode()
