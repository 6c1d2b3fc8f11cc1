"""The documented switch to a distributed job queue (docs/deployment.md, "Background jobs"):
with TASKS_BACKEND=django_tasks_rq.RQBackend the same code queues a report render on Redis, and
an RQ worker (`manage.py rqworker`) renders it once, however many people asked meanwhile.

Real processes on a real redis-server and this test database: one asks for the report as the
web processes do, then the worker drains the queue (`--burst`).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reviewapp.models import ReportRender
from reviewapp.report_jobs import requested_report
from reviewapp.reports import ReportRequest

from .redis_server import RedisServer

ASK = """
import django
django.setup()
from reviewapp.models import Review
from reviewapp.report_jobs import requested_report
from reviewapp.reports import ReportRequest
review = Review.objects.select_related("workload").get(pk={review})
for _ in range(5):  # five people ask before any worker runs
    outcome = requested_report(ReportRequest(review=review, milestone=None, language="ko", page_size="a4"))
    print(outcome.render.status, outcome.render.attempt)
"""


@pytest.fixture
def rq_env(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    db = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings_rq",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TASKS_BACKEND": "django_tasks_rq.RQBackend",
        "TASKS_REDIS_URL": server.url,
    }
    yield env, server
    server.stop()


def _run(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_reports_render_once_on_the_redis_queue(review, rq_env):
    env, server = rq_env
    asked = _run(env, "-c", ASK.format(review=review.pk))

    assert asked.split("\n")[:5] == ["queued 1"] * 5  # everyone waits for the one render
    redis = server.client()
    assert redis.llen("rq:queue:default") == 1  # one job on Redis, none in the database queue

    _run(env, "manage.py", "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default")

    render = ReportRender.objects.get()
    assert (render.status, render.attempt) == (ReportRender.Status.READY, 1)
    assert bytes(render.pdf).startswith(b"%PDF")
    assert redis.llen("rq:queue:default") == 0
    # The next person gets the PDF the worker wrote, without queueing anything.
    outcome = requested_report(ReportRequest(review=review, milestone=None, language="ko", page_size="a4"))
    assert outcome.pdf == bytes(render.pdf) and outcome.render is None
