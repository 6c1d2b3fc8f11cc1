"""A gunicorn worker killed (SIGKILL: the OOM killer, a deploy) in the middle of a save: its
transaction rolls back, and the client's retry with the same idempotency key applies the save
exactly once, so the answer's history has no gap and no duplicate.

A real gunicorn (one sync worker) serves the test database. To kill the worker inside its
transaction, the test holds a row lock the save needs after its first writes: an uncommitted
change row with the idempotency key the save will use. The worker updates the review and the
answer, then waits on that lock in its INSERT; the test kills it there, then lets go.
"""

import os
import signal
import threading
import time
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bench.client import Browser
from bench.server import HOST, free_port, process_tree, start_gunicorn, stop
from reviewapp.models import Answer, AnswerChange, Review

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HX-Request": "true"}
KEY = "p1_q1"


@pytest.fixture
def server(tmp_path):
    """gunicorn with the tests' settings and database."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "CACHE_DIR": str(tmp_path / "cache"),
        "ALLOWED_HOSTS": HOST,
        "LOG_LEVEL": "CRITICAL",  # the killed worker's broken pipe is expected
    }
    env.pop("CACHE_URL", None)
    process = start_gunicorn(port, env, workers=1)
    yield port, process
    stop(process)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@dataclass(frozen=True)
class Site:
    port: int
    session_key: str
    review_id: int

    def browser(self) -> Browser:
        """A browser signed in with the session, holding the CSRF cookie a page sets."""
        browser = Browser(HOST, self.port)
        browser.cookies["sessionid"] = self.session_key
        status, _page = browser.request("GET", f"/reviews/{self.review_id}/questions/{KEY}/")
        assert status == 200
        return browser

    def save(self, version: int, notes: str, idem: str, browser: Browser | None = None) -> int:
        data = {"question": KEY, "version": str(version), "notes": notes, "idem": idem}
        status, _body = (browser or self.browser()).request("POST", f"/reviews/{self.review_id}/answers/", data, HTMX)
        return status

    def try_save(self, version: int, notes: str, idem: str) -> int | None:
        """The save, or None while nothing answers (gunicorn is starting a new worker)."""
        try:
            return self.save(version, notes, idem)
        except (OSError, AssertionError):
            return None


def _waiting_insert() -> int | None:
    """The backend of a save blocked in its INSERT of the change row, if there is one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction sees one snapshot of the activity
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            ['INSERT INTO "reviewapp_answerchange"%'],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def _wait(condition, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
    return found


def test_it_applies_the_retried_save_once_after_the_worker_dies_mid_transaction(server, review, alice, client_for):
    port, master = server
    site = Site(port, client_for(alice).cookies["sessionid"].value, review.pk)
    assert site.save(0, "first", "killed-key-0001") == 200
    answer = Answer.objects.get(review=review, question__key=KEY)
    revision_before = Review.objects.get(pk=review.pk).revision

    in_flight: dict = {}

    browser = site.browser()

    def send() -> None:
        try:
            in_flight["status"] = site.save(1, "second", "killed-key-0002", browser)
        except Exception as error:  # noqa: BLE001 - the worker dies under it
            in_flight["error"] = error

    with transaction.atomic():
        AnswerChange.objects.create(  # holds the unique (answer, idempotency key) the save will insert
            answer=answer,
            version=999,
            changed_at=timezone.now(),
            before={},
            after={},
            idempotency_key="killed-key-0002",
        )
        sender = threading.Thread(target=send)
        sender.start()
        backend = _wait(_waiting_insert, "the save to block inside its transaction")
        workers = [pid for pid in process_tree(master.pid) if pid != master.pid]
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        sender.join(timeout=30)
        transaction.set_rollback(True)  # let go of the lock (and of the row)
    _wait(lambda: not _backend_alive(backend), "PostgreSQL to end the killed worker's session")

    assert "error" in in_flight, in_flight  # the browser saw the connection drop, no answer
    answer.refresh_from_db()
    assert (answer.version, answer.notes) == (1, "first")  # the killed transaction left nothing
    assert Review.objects.get(pk=review.pk).revision == revision_before
    assert list(answer.changes.values_list("version", "idempotency_key")) == [(1, "killed-key-0001")]

    # The browser retries with the same key once gunicorn has a new worker, and once more for luck.
    retry = _wait(lambda: site.try_save(1, "second", "killed-key-0002"), "a new worker to answer")
    again = site.save(1, "second", "killed-key-0002")

    assert (retry, again) == (200, 200)
    answer.refresh_from_db()
    assert (answer.version, answer.notes) == (2, "second")
    assert list(answer.changes.order_by("version").values_list("version", "idempotency_key")) == [
        (1, "killed-key-0001"),
        (2, "killed-key-0002"),
    ]
    assert Review.objects.get(pk=review.pk).revision == revision_before + 1
