"""Redis down (config/sessions.py, reviewapp/cache_guard.py): signed-in people keep working, and
nothing stale comes back with it.

A real redis-server is started, stopped with its data saved (so it comes back holding every
session it had, as a restarted or partitioned Redis does), and started again.
"""

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reviewapp import cache_guard
from reviewapp.models import Answer, AnswerChange, StaleCachedSession

from .redis_server import RedisServer

HTMX = {"HTTP_HX_REQUEST": "true"}
KEY = "p1_q1"


@pytest.fixture
def redis_server(tmp_path, settings, monkeypatch):
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {  # the default cache replaced; the bank's rendered text stays in local memory
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        },
    }
    monkeypatch.setattr(cache_guard, "BACKOFF_SECONDS", 0.2)  # try the cache again soon after it returns
    yield server
    server.stop()


def _session_key(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _with_cookie(session_key: str) -> Client:
    """Another browser holding the same session cookie (what an attacker or a forgotten tab has)."""
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session_key
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _save(client, review, notes: str, version: int, idem: str):
    url = reverse("reviewapp:answer_save", args=[review.pk])
    return client.post(url, {"question": KEY, "version": version, "notes": notes, "idem": idem}, **HTMX)


def _page(client, review):
    return client.get(reverse("reviewapp:review_question", args=[review.pk, KEY]))


def _came_back(server: RedisServer) -> None:
    server.start()
    time.sleep(0.3)  # past the guard's back-off


@pytest.mark.parametrize("process", ["saw the outage", "saw nothing"])
def test_it_keeps_people_working_through_a_redis_outage_and_brings_no_signed_out_session_back(
    redis_server, review, alice, bob, vera, client_for, settings, process
):
    as_alice, as_bob, as_vera = client_for(alice), client_for(bob), client_for(vera)
    bob_elsewhere = client_for(bob)
    alice_key, bob_key = _session_key(as_alice), _session_key(bob_elsewhere)
    assert cache.get(KEY_PREFIX + alice_key) is not None  # sessions are read from Redis

    redis_server.stop()

    # Signed-in people keep working: pages, saves, the live poll (presence says it is unavailable).
    assertContains(_page(as_alice, review), "alice")
    assert _save(as_alice, review, "written while Redis was down", 0, "outage-key-0001").status_code == 200
    assert _save(as_bob, review, "and merged by bob", 1, "outage-key-0002").status_code == 200
    live = as_vera.get(reverse("reviewapp:review_live", args=[review.pk]), {"page": "review"}, **HTMX)
    assertContains(live, "Who is here is unavailable right now")
    # alice signs out, and bob's password is changed (by an administrator), while Redis is down.
    assert as_alice.post(reverse("logout")).status_code == 302
    bob.set_password("a new password for bob")
    bob.save()
    assert not Session.objects.filter(session_key=alice_key).exists()
    assert StaleCachedSession.objects.filter(session_key=alice_key).exists()

    _came_back(redis_server)
    assert redis_server.client().exists(f":1:{KEY_PREFIX}{alice_key}")  # Redis kept the old copy
    if process == "saw nothing":  # another worker: no recovery seen, it rereads the list on schedule
        cache_guard.reset()
        settings.SESSION_STALE_RECHECK_SECONDS = 0.0

    assert _page(_with_cookie(alice_key), review).status_code == 302  # signed out stays signed out
    assert _page(_with_cookie(bob_key), review).status_code == 302  # the old password's sessions too
    assertContains(_page(as_vera, review), "vera")  # everyone else is still signed in
    live = as_vera.get(reverse("reviewapp:review_live", args=[review.pk]), {"page": "review"}, **HTMX)
    assertNotContains(live, "Who is here is unavailable", status_code=200)

    answer = Answer.objects.get(review=review, question__key=KEY)
    assert (answer.version, answer.notes) == (2, "and merged by bob")
    assert list(AnswerChange.objects.filter(answer=answer).order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]
    assert not StaleCachedSession.objects.exists()  # the copies were purged, then the list emptied
    assert not redis_server.client().exists(f":1:{KEY_PREFIX}{alice_key}")
    assert not Session.objects.filter(session_key__in=[alice_key, bob_key]).exists()


def test_it_signs_in_and_serves_reports_while_redis_is_down(redis_server, review, alice, client_for):
    redis_server.stop()
    as_alice = client_for(alice)  # a new sign-in: the session is written to the database alone

    report = as_alice.get(reverse("reviewapp:report", args=[review.pk]))

    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"
    assert report.content.startswith(b"%PDF")
    assert Session.objects.filter(session_key=_session_key(as_alice)).exists()
    assertContains(_page(as_alice, review), "alice")


def test_it_answers_healthz_degraded_while_redis_is_down_and_ok_after(redis_server, db, client_for):
    client = client_for(None)
    redis_server.stop()

    down = client.get(reverse("healthz"))
    _came_back(redis_server)
    back = client.get(reverse("healthz"))

    assert (down.status_code, down.json()["status"], down.json()["cache"]) == (200, "degraded", "unreachable")
    assert back.json() == {"status": "ok", "database": "ok", "cache": "ok", "jobs": {"backend": "ImmediateBackend"}}
