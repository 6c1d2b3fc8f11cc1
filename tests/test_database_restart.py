"""PostgreSQL restarted (a fast shutdown and a start, as a minor upgrade or a failover does) while
people save: requests in the gap answer 503 "reconnecting" at once (reviewapp/reconnecting.py),
workers reconnect by themselves afterwards (CONN_HEALTH_CHECKS), and saves retried with their
idempotency key, as the browser does, land exactly once.

The test stops and starts the cluster scripts/with-postgres.sh started for this run.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from reviewapp.models import Answer, AnswerChange

from .postgres_server import PostgresCluster

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HTTP_HX_REQUEST": "true"}


class ServerClient(Client):
    """The test client as a WSGI server runs Django: each request starts and ends with
    ``close_old_connections`` (which drops a connection the restart broke, and, with
    CONN_HEALTH_CHECKS, checks a reused one first). Django's test client skips it to keep a
    test's transaction open; these tests have none (``transaction=True``)."""

    def request(self, **request):
        close_old_connections()
        try:
            return super().request(**request)
        finally:
            close_old_connections()


def _client(user) -> ServerClient:
    """A browser: a server error is an answer it reads (and retries), not an exception."""
    client = ServerClient(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _save(client, review, key: str, version: int, notes: str, idem: str):
    url = reverse("reviewapp:answer_save", args=[review.pk])
    return client.post(url, {"question": key, "version": version, "notes": notes, "idem": idem}, **HTMX)


def _history(review, key: str) -> list[tuple[int, str, str]]:
    answer = Answer.objects.get(review=review, question__key=key)
    return list(
        AnswerChange.objects.filter(answer=answer).order_by("version").values_list("version", "idempotency_key")
    )


@pytest.fixture
def cluster():
    cluster = PostgresCluster()
    yield cluster
    try:
        cluster.start()  # a failed test must not leave the database down for the next one
    except Exception:  # noqa: BLE001 - it is up already
        pass
    connection.close()  # this thread's connection died with the server


def test_it_answers_503_reconnecting_in_the_gap_and_applies_the_retried_save_once(cluster, review, alice):
    client = _client(alice)
    assert _save(client, review, "p1_q1", 0, "before the restart", "restart-key-0001").status_code == 200

    cluster.stop()
    try:
        in_gap = _save(client, review, "p1_q1", 1, "typed in the gap", "restart-key-0002")
        page = client.get(reverse("reviewapp:review_question", args=[review.pk, "p1_q1"]))
        api = client.get(reverse("api:workload-list"))
        health = client.get(reverse("healthz"))
    finally:
        cluster.start()
    retried = _save(client, review, "p1_q1", 1, "typed in the gap", "restart-key-0002")
    delivered_twice = _save(client, review, "p1_q1", 1, "typed in the gap", "restart-key-0002")
    health_after = client.get(reverse("healthz"))

    assert (in_gap.status_code, in_gap["Retry-After"], in_gap["X-Reconnecting"]) == (503, "2", "1")
    assert "The database is reconnecting" in in_gap.content.decode() and "<html" not in in_gap.content.decode()
    assert page.status_code == 503 and "Reconnecting…" in page.content.decode()
    assert "<html" in page.content.decode() and 'http-equiv="refresh"' in page.content.decode()
    assert api.status_code == 503 and api.json()["code"] == "reconnecting"
    assert (health.status_code, health.json()["database"]) == (503, "unreachable")
    assert (retried.status_code, delivered_twice.status_code, health_after.status_code) == (200, 200, 200)
    answer = Answer.objects.get(review=review, question__key="p1_q1")
    assert (answer.version, answer.notes) == (2, "typed in the gap")
    assert _history(review, "p1_q1") == [(1, "restart-key-0001"), (2, "restart-key-0002")]


def test_it_delivers_every_save_once_when_the_database_restarts_under_saving_clients(cluster, review, alice, bob):
    saves_each = 15
    people = [(alice, "p1_q1"), (bob, "p1_q2"), (alice, "p2_q1")]
    clients = [_client(user) for user, _key in people]
    statuses: list[list[int]] = [[] for _ in people]
    errors: list[BaseException] = []

    def person(index: int) -> None:
        client, key = clients[index], people[index][1]
        try:
            for n in range(saves_each):
                idem = f"person{index}-save{n:04d}"
                deadline = time.monotonic() + 60
                while True:  # as static/js/answers.js: retry 5xx with the same key
                    response = _save(client, review, key, n, f"save {n} of {key}", idem)
                    statuses[index].append(response.status_code)
                    if response.status_code == 200:
                        break
                    assert response.status_code == 503, response.content.decode()
                    assert time.monotonic() < deadline, "the database never came back"
                    time.sleep(0.1)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=person, args=(index,)) for index in range(len(people))]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    cluster.stop()
    time.sleep(0.5)
    cluster.start()
    for thread in threads:
        thread.join(timeout=120)
    connection.close()

    assert not errors, errors
    assert any(503 in seen for seen in statuses), "no save met the gap"
    for index, (_user, key) in enumerate(people):
        expected = [(n + 1, f"person{index}-save{n:04d}") for n in range(saves_each)]
        assert _history(review, key) == expected  # every save once, in order: no gap, no duplicate
        answer = Answer.objects.get(review=review, question__key=key)
        assert (answer.version, answer.notes) == (saves_each, f"save {saves_each - 1} of {key}")
