"""PDF reports rendered as background jobs (reviewapp/report_jobs.py) on the database queue.

What people see: a report not rendered yet says it is being prepared, and is rendered once however
many ask at once; a render whose worker was killed is queued again and its result written once; a
failed render says so and can be tried again; /healthz tells how many jobs wait.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reviewapp import reports
from reviewapp.models import ReportRender
from reviewapp.report_jobs import render_report

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queue(settings):
    """The database queue, as deployed (the test settings otherwise run jobs at once)."""
    settings.TASKS = DATABASE_QUEUE
    return settings


@pytest.fixture
def renders(monkeypatch):
    calls = []
    real_render = reports.render_report_pdf

    def counting(request):
        calls.append(request)
        return real_render(request)

    monkeypatch.setattr(reports, "render_report_pdf", counting)
    return calls


def _url(review) -> str:
    return reverse("reviewapp:report", args=[review.pk]) + "?lang=en&size=a4"


def _signed_in(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _run_worker() -> None:
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_twenty_people_asking_at_once_get_one_render_and_the_same_pdf(review, vera, bob, alice, queue, renders):
    signed_in = _signed_in(vera)
    answers = []

    def ask():
        client = Client()
        client.cookies = signed_in.cookies
        answers.append(client.get(_url(review)))
        connection.close()

    threads = [threading.Thread(target=ask) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status_code for a in answers] == [202] * 20
    assert all("Waiting for a worker to render the report" in a.content.decode() for a in answers)
    assert ReportRender.objects.count() == 1
    assert DBTaskResult.objects.count() == 1

    _run_worker()

    assert len(renders) == 1
    render = ReportRender.objects.get()
    assert render.status == ReportRender.Status.READY
    got = [signed_in.get(_url(review)) for _ in range(3)]
    assert {a.status_code for a in got} == {200}
    assert {a["Content-Type"] for a in got} == {"application/pdf"}
    assert got[0].content.startswith(b"%PDF") and got[0].content == bytes(render.pdf)
    assert len(renders) == 1  # the next ones came from the cache


@pytest.mark.django_db(transaction=True)
def test_the_page_polls_and_starts_the_download_when_the_report_is_ready(review, vera, queue, renders):
    client = _signed_in(vera)
    waiting = client.get(_url(review), headers={"HX-Request": "true"})
    assert waiting.status_code == 202
    assert 'hx-trigger="every 1s"' in waiting.content.decode()
    assert "<html" not in waiting.content.decode()  # only the status part is swapped in

    _run_worker()

    ready = client.get(_url(review), headers={"HX-Request": "true"})
    body = ready.content.decode()
    assert ready.status_code == 200
    assert "Your report is ready" in body and "data-auto-download" in body and "every 1s" not in body
    assert ready["Content-Type"].startswith("text/html")  # the browser then fetches the PDF itself


@pytest.mark.django_db(transaction=True)
def test_a_report_cached_nowhere_is_served_from_its_render(review, vera, queue, renders):
    client = _signed_in(vera)
    client.get(_url(review))
    _run_worker()
    cache.clear()  # Redis restarted or evicted it

    response = client.get(_url(review))

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(renders) == 1


WORKER_THAT_HANGS = """
import sys, time, django
django.setup()
from django.conf import settings
settings.TASKS = {tasks!r}
from reviewapp import reports
def hang(request):
    time.sleep(600)
reports.render_report_pdf = hang
from django.core.management import call_command
call_command("db_worker", no_startup_delay=True, interval=0.1)
"""


@pytest.mark.django_db(transaction=True)
def test_a_render_whose_worker_was_killed_runs_again_and_is_written_once(review, vera, queue, renders):
    queue.REPORT_RENDER_STALE_SECONDS = 1
    client = _signed_in(vera)
    assert client.get(_url(review)).status_code == 202

    db = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_THAT_HANGS.format(tasks=DATABASE_QUEUE)],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while ReportRender.objects.get().status != ReportRender.Status.RENDERING:
            assert worker.poll() is None, worker.stderr.read().decode()
            assert time.monotonic() < deadline, "the worker never started the render"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    assert ReportRender.objects.get().status == ReportRender.Status.RENDERING  # left behind by the dead worker
    time.sleep(1.2)
    assert client.get(_url(review)).status_code == 202  # taken for lost: queued again
    render = ReportRender.objects.get()
    assert (render.status, render.attempt) == (ReportRender.Status.QUEUED, 2)

    _run_worker()

    assert len(renders) == 1
    render.refresh_from_db()
    assert render.status == ReportRender.Status.READY
    written = bytes(render.pdf)
    # The killed attempt's job, should it ever run again, writes nothing.
    assert render_report.call(render_id=render.pk, attempt=1) == "superseded"
    render.refresh_from_db()
    assert bytes(render.pdf) == written and len(renders) == 1
    response = client.get(_url(review))
    assert response.status_code == 200 and response.content == written


@pytest.mark.django_db
def test_a_failed_render_says_so_and_can_be_tried_again(review, vera, monkeypatch):
    real_render = reports.render_report_pdf
    monkeypatch.setattr(reports, "render_report_pdf", lambda request: 1 / 0)
    client = _signed_in(vera)

    failed = client.get(_url(review))

    assert failed.status_code == 202
    assert "The report could not be rendered" in failed.content.decode()
    assert "ZeroDivisionError" in failed.content.decode() and "Try again" in failed.content.decode()
    assert client.get(_url(review)).status_code == 202  # not retried by itself, so a broken report does not loop

    monkeypatch.setattr(reports, "render_report_pdf", real_render)
    again = client.post(_url(review))

    assert again.status_code == 302 and again["Location"] == _url(review)
    response = client.get(again["Location"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_strangers_can_neither_see_nor_retry_a_report(review, charlie):
    client = _signed_in(charlie)
    assert client.get(_url(review)).status_code == 404
    assert client.post(_url(review)).status_code == 404
    assert ReportRender.objects.count() == 0


@pytest.mark.django_db
def test_healthz_tells_how_many_jobs_wait_and_for_how_long(review, vera, queue):
    client = _signed_in(vera)
    client.get(_url(review))
    client.get(reverse("reviewapp:report", args=[review.pk]) + "?lang=ko&size=letter")

    health = Client().get("/healthz").json()

    assert health["jobs"]["backend"] == "database"
    assert health["jobs"]["waiting"] == 2
    assert 0 <= health["jobs"]["oldest_waiting_seconds"] < 60
