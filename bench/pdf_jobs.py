"""Fifty people ask for the same uncached PDF report at once: how many renders, how long until each has it.

Run by `make bench` inside scripts/with-postgres.sh (DATABASE_URL set). Starts gunicorn (3 sync
workers) and one background worker (`manage.py db_worker`, the database queue) with production
settings on loopback. Fifty signed-in members of one workload ask for the review's report at the
same moment; each then polls the progress page as the browser does (every second, here every
0.25 s) and downloads the PDF when it is ready. Then all fifty ask again (now cached).

Prints a Markdown section and appends it to docs/benchmarks.md. Only 127.0.0.1 is contacted.
"""

import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.client import Browser  # noqa: E402
from bench.server import (  # noqa: E402
    HOST,
    REPORT,
    create_workshop,
    django_setup,
    free_port,
    prepare_database,
    server_env,
    start_gunicorn,
    stop,
)

PEOPLE = 50


def _session_cookies(names: list[str]) -> list[str]:
    """A signed-in session per person, made directly (fifty password hashes would only slow the set-up)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = []
    for name in names:
        client = Client()
        client.force_login(get_user_model().objects.get(username=name))
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


def _ask(port: int, cookie: str, url: str, start: threading.Barrier, out: list) -> None:
    from django.conf import settings

    browser = Browser(HOST, port)
    browser.cookies[settings.SESSION_COOKIE_NAME] = cookie
    start.wait()
    began = time.perf_counter()
    status, body = browser.request("GET", url)
    first = status
    deadline = began + 120
    while status == 202 and time.perf_counter() < deadline:
        time.sleep(0.25)
        status, body = browser.request("GET", url, headers={"HX-Request": "true"})
        if status == 200:  # "ready": the page now fetches the PDF
            status, body = browser.request("GET", url)
    out.append((first, status, body[:4] == b"%PDF", time.perf_counter() - began, len(body)))


def _round(port: int, cookies: list[str], url: str) -> list:
    out: list = []
    start = threading.Barrier(len(cookies))
    threads = [threading.Thread(target=_ask, args=(port, cookie, url, start, out)) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def main() -> None:
    django_setup()
    prepare_database()
    review_id, names = create_workshop(PEOPLE, "PDF under load", prefix="reader")
    from django_tasks_db.models import DBTaskResult

    from reviewapp.models import ReportRender

    cookies = _session_cookies(names)
    url = f"/reviews/{review_id}/report.pdf?lang=ko&size=a4"
    port = free_port()
    env = server_env(None)
    gunicorn = start_gunicorn(port, env)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--verbosity", "0"], cwd=ROOT, env=env
    )
    try:
        cold = _round(port, cookies, url)
        warm = _round(port, cookies, url)
    finally:
        worker.terminate()
        worker.wait(30)
        stop(gunicorn)

    renders = ReportRender.objects.filter(review_id=review_id).count()
    jobs = DBTaskResult.objects.count()
    ready_jobs = DBTaskResult.objects.filter(return_value="ready").count()
    cold_times = sorted(t for *_, t, _ in cold)
    warm_times = sorted(t for *_, t, _ in warm)
    got_pdf = sum(1 for _, status, pdf, *_ in cold if status == 200 and pdf)
    waited = sum(1 for first, *_ in cold if first == 202)
    section = f"""
## Fifty people, one uncached PDF report ({date.today()}, 2 cores)

`bench/pdf_jobs.py`: gunicorn (3 sync workers) and one `db_worker`, production settings. {PEOPLE}
members ask for the same Korean A4 report of the Serverless review at once, poll as the page does
and download it when ready; then all ask again.

| | first ask: 202 "being prepared" | got the PDF | renders (report rows / jobs queued / jobs that rendered) | first download | last download |
|---|---|---|---|---|---|
| cold | {waited} | {got_pdf} of {PEOPLE} | {renders} / {jobs} / {ready_jobs} | {cold_times[0]:.2f} s | {cold_times[-1]:.2f} s |
| cached | {sum(1 for first, *_ in warm if first == 202)} | {sum(1 for _, s, p, *_ in warm if s == 200 and p)} of {PEOPLE} | | {warm_times[0]:.2f} s | {warm_times[-1]:.2f} s (median {statistics.median(warm_times):.2f} s) |
"""
    print(section)
    with open(REPORT, "a") as report:
        report.write(section)
    if renders != 1 or ready_jobs != 1 or got_pdf != PEOPLE:
        raise SystemExit(f"expected one render and {PEOPLE} downloads: {renders} renders, {got_pdf} downloads")


if __name__ == "__main__":
    main()
