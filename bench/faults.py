"""Faults under the workshop load: what 50 people answering one review see when a part fails.

Run by `make bench-faults` inside scripts/with-postgres.sh (DATABASE_URL and the PG_* variables
that let it restart its cluster are set). For each fault, a fresh review and gunicorn (3 sync
workers) serve the workshop of bench/workshop_load.py for RUN seconds, and the fault is injected
at FAULT_AT seconds:

- postgres-restart: PostgreSQL stopped (fast shutdown) and started again, as a minor upgrade or
  a failover does;
- redis-down: the Redis of CACHE_URL stopped for REDIS_DOWN seconds (it saves its data and comes
  back with it), then started again;
- workers-killed: every gunicorn worker SIGKILLed at once (the OOM killer, a botched deploy),
  with saves in flight;
- job-worker-killed: a participant asks for the review's PDF report; the background worker
  (`manage.py db_worker`) is SIGKILLed in the middle of rendering it and a new worker started, as a
  deploy or the OOM killer does. The participant's page keeps asking (every 1.5 s) until the report
  is downloaded: the render is queued again once it is taken for lost (REPORT_RENDER_STALE_SECONDS,
  here JOB_STALE) and its result written once.

The participants behave as static/js/answers.js does: every edit carries an idempotency key, and
a save that fails (no answer, or 5xx/408/429) is sent again with the same key after 1, 2, 4...
(at most 15) seconds until it is answered. After the run, stragglers get GRACE seconds to land.
Per fault: requests failed and how long they failed after the fault, edits delivered after a
failure, lost (edits never delivered, or confirmed saves missing from the database or its
history: must be 0) and duplicated (an edit, one idempotency key, applied as more than one
change: must be 0). Only 127.0.0.1 is contacted; every loop is bounded in count and time.
"""

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live_client import Browser, Response  # noqa: E402
from bench.server import (  # noqa: E402
    HOST,
    REPORT,
    WORKERS,
    create_workshop,
    django_setup,
    free_port,
    prepare_database,
    process_tree,
    question_keys,
    server_env,
    start_gunicorn,
    stop,
)
from bench.workshop_load import ACTION_EVERY, POLL_EVERY, Participant, sign_in_all  # noqa: E402
from bench.workshop_stats import Stats, check_nothing_lost, percentile  # noqa: E402

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "50"))
RUN = float(os.environ.get("BENCH_FAULT_SECONDS", "90"))
FAULT_AT = float(os.environ.get("BENCH_FAULT_AT", "20"))
REDIS_DOWN = float(os.environ.get("BENCH_REDIS_DOWN_SECONDS", "60"))
GRACE = 30.0  # seconds after the run for saves still being retried
FAULTS = [
    f
    for f in os.environ.get("BENCH_FAULTS", "postgres-restart,redis-down,workers-killed,job-worker-killed").split(",")
    if f
]
JOB_STALE = 10  # REPORT_RENDER_STALE_SECONDS of the job-worker-killed run
UNAVAILABLE = 'class="muted presence-unavailable"'  # the people bar while presence is unavailable (any language)
WINDOW = 2.0  # seconds: recovered once a window this long after the fault has no failure and the usual p95


@dataclass
class Edit:
    """One edit as the page sends it: one idempotency key, however many attempts."""

    question: str
    idem: str
    attempts: int = 0
    failed_attempts: int = 0
    answered: int | None = None  # the status that finally answered it


@dataclass
class Run:
    started: float = 0.0
    fault_at: float = 0.0
    fault_over: float = 0.0  # when the fault was removed (the server or service is back)
    requests: list[tuple[float, bool, float]] = field(default_factory=list)  # (time, answered well, seconds)
    edits: list[Edit] = field(default_factory=list)
    presence_unavailable: int = 0
    stop_editing: float = 0.0
    give_up: float = 0.0
    report: dict = field(default_factory=dict)  # job-worker-killed: what became of the report


class TimedBrowser(Browser):
    """Notes every request's outcome on the run's timeline: a failure is no answer, 5xx, 408 or 429."""

    def __init__(self, port: int, run: Run):
        super().__init__(port)
        self.run = run

    async def request(self, method: str, path: str, data: dict | None = None, *, htmx: bool = False):
        start = time.monotonic()
        try:
            seconds, response = await super().request(method, path, data, htmx=htmx)
        except (OSError, ConnectionError):
            self.run.requests.append((time.monotonic(), False, time.monotonic() - start))
            raise
        self.run.requests.append((time.monotonic(), not _failed(response.status), seconds))
        if UNAVAILABLE in response.body:
            self.run.presence_unavailable += 1
        return seconds, response


def _failed(status: int) -> bool:
    return status >= 500 or status in (408, 429)


class RetryingParticipant(Participant):
    """A participant whose page retries a failed save with the same idempotency key, as answers.js does."""

    run: Run

    async def save(self, choices: frozenset[str], notes: str, version: int, kind: str):
        edit = Edit(self.key, uuid.uuid4().hex)
        self.run.edits.append(edit)
        data = {"question": self.key, "choices": sorted(choices), "notes": notes, "version": version, "idem": edit.idem}
        for _ in range(100):  # bounded; the give-up time ends it first
            edit.attempts += 1
            try:
                seconds, response = await self.browser.request(
                    "POST", f"/reviews/{self.review_id}/answers/", data, htmx=True
                )
            except (OSError, ConnectionError):
                response = None
            if response is not None and not _failed(response.status):
                break
            edit.failed_attempts += 1
            pause = min(0.5 * 2**edit.failed_attempts, 15.0)
            if time.monotonic() + pause > self.run.give_up:
                return Response(599, {}, "")  # never delivered: counted as lost
            await asyncio.sleep(pause)
        else:
            return Response(599, {}, "")
        edit.answered = response.status
        self.stats.add(kind, seconds)
        return self._confirm(response, choices, notes)

    def _confirm(self, response: Response, choices: frozenset[str], notes: str) -> Response:
        from bench.live_client import Seen, read_fields, read_version
        from bench.workshop_stats import Confirmed

        if response.status == 200:
            new_version = read_version(response.body, self.key)
            stored = read_fields(response.body, self.key) or (choices, notes)
            if new_version is not None:
                self.stats.confirmed.append(Confirmed(self.key, new_version, time.time(), *stored, self.name))
                self.adopt(Seen(new_version, *stored))
        return response


# --- the faults ---------------------------------------------------------------------------------------


def _pg_ctl(*args: str) -> None:
    command = [f"{os.environ['PG_BINDIR']}/pg_ctl", "-D", os.environ["PG_DATA"], *args]
    if os.environ.get("PG_RUN_AS"):
        command = ["runuser", "-u", os.environ["PG_RUN_AS"], "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def postgres_restart() -> None:
    _pg_ctl("-m", "fast", "-w", "stop")
    _pg_ctl("-l", os.environ["PG_LOG"], "-w", "-o", os.environ["PG_OPTIONS"], "start")


class Redis:
    def __init__(self, folder: str):
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--dir", self.folder, "--save", "3600 1"]
            + ["--appendonly", "no", "--logfile", "redis.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        for _ in range(200):
            try:
                if redis.Redis(host=HOST, port=self.port, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # saves its data first, and comes back with it
            self.process.wait(30)


async def inject(fault: str, run: Run, server: subprocess.Popen, redis: Redis | None, jobs: "JobWorker | None") -> None:
    await asyncio.sleep(max(0.0, run.started + FAULT_AT - time.monotonic()))
    run.fault_at = time.monotonic()
    progress(f"{fault} at {run.fault_at - run.started:.1f} s")
    if fault == "postgres-restart":
        await asyncio.to_thread(postgres_restart)
    elif fault == "redis-down":
        await asyncio.to_thread(redis.stop)
        await asyncio.sleep(REDIS_DOWN)
        await asyncio.to_thread(redis.start)
    elif fault == "workers-killed":
        for pid in process_tree(server.pid)[1:]:
            os.kill(pid, signal.SIGKILL)
    elif fault == "job-worker-killed":
        await kill_the_worker_mid_render(run, jobs)
    run.fault_over = time.monotonic()
    progress(f"{fault} over at {run.fault_over - run.started:.1f} s")
    if fault == "job-worker-killed":
        await download_the_report(run, jobs)


class JobWorker:
    """The background worker (`manage.py db_worker`) and the participant waiting for a report."""

    def __init__(self, env: dict, browser: "TimedBrowser", review_id: int, milestone_id: int):
        self.env, self.browser, self.review_id = env, browser, review_id
        self.process: subprocess.Popen | None = None
        # A milestone's report: one state, however much the workshop edits the review meanwhile.
        self.url = f"/reviews/{review_id}/milestones/{milestone_id}/report.pdf?lang=ko&size=a4"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--verbosity", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        for pid in reversed(process_tree(self.process.pid)):
            os.kill(pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


def _render_status(review_id: int) -> str:
    from django.db import connection

    from reviewapp.models import ReportRender

    try:
        return ReportRender.objects.filter(review_id=review_id).values_list("status", flat=True).first() or ""
    finally:
        connection.close()


async def kill_the_worker_mid_render(run: Run, jobs: JobWorker) -> None:
    """Ask for the report, SIGKILL the worker once it is rendering, start a new one."""
    _seconds, response = await jobs.browser.request("GET", jobs.url)
    run.report["first_answer"] = response.status
    deadline = time.monotonic() + 120
    status = ""
    while time.monotonic() < deadline:
        status = await asyncio.to_thread(_render_status, jobs.review_id)
        if status != "queued" and status:
            break
        await asyncio.sleep(0.02)
    run.report["status_when_killed"] = status
    await asyncio.to_thread(jobs.kill)
    run.report["killed_at"] = time.monotonic()
    jobs.start()


async def download_the_report(run: Run, jobs: JobWorker) -> None:
    """Ask again every 1.5 s, as the progress page does, until the PDF comes (bounded)."""
    deadline = run.report["killed_at"] + JOB_STALE + 180
    while time.monotonic() < deadline:
        await asyncio.sleep(1.5)
        try:
            _seconds, response = await jobs.browser.request("GET", jobs.url)
        except (OSError, ConnectionError):
            continue
        if response.status == 200 and response.body.startswith("%PDF"):
            run.report["downloaded_after"] = time.monotonic() - run.report["killed_at"]
            return


# --- one run per fault ----------------------------------------------------------------------------------


def progress(text: str) -> None:
    print(f"[faults] {text}", file=sys.stderr, flush=True)


async def workshop(people: list[RetryingParticipant], run: Run, fault: str, server, redis, jobs) -> None:
    run.started = time.monotonic()
    run.stop_editing = run.started + RUN
    run.give_up = run.stop_editing + GRACE
    tasks = [p.run_polls(run.stop_editing) for p in people] + [p.run_answers(run.stop_editing) for p in people]
    await asyncio.wait_for(asyncio.gather(inject(fault, run, server, redis, jobs), *tasks), RUN + GRACE + 60)


def one_fault(fault: str, questions: dict[str, list[str]]) -> dict:
    from django.db import connections
    from django.db.models import Count

    from reviewapp.models import AnswerChange

    cache_dir = tempfile.mkdtemp(prefix="faults-cache-")
    redis = None
    cache_url = f"filecache://{cache_dir}"
    if fault == "redis-down":
        if shutil.which("redis-server") is None:
            sys.exit("redis-server is missing (Debian: apt-get install redis-server; `make system-deps`)")
        redis = Redis(cache_dir)
        redis.start()
        cache_url = redis.url
    review_id, names = create_workshop(PARTICIPANTS, f"Faults bench: {fault}")
    milestone_id = first_milestone(review_id) if fault == "job-worker-killed" else None
    connections.close_all()
    port = free_port()
    env = {**server_env(cache_url), "LOG_LEVEL": "CRITICAL", "REPORT_RENDER_STALE_SECONDS": str(JOB_STALE)}
    server = start_gunicorn(port, env)
    run, stats = Run(), Stats()
    jobs = None
    try:
        people = signed_in_people(port, names, review_id, questions, stats, run)
        if fault == "job-worker-killed":
            jobs = JobWorker(env, people[0].browser, review_id, milestone_id)
            jobs.start()
        run.requests.clear()
        progress(f"{fault}: {len(people)} participants for {RUN:.0f} s, the fault at {FAULT_AT:.0f} s")
        asyncio.run(workshop(people, run, fault, server, redis, jobs))
    finally:
        if jobs is not None:
            jobs.stop()
        stop(server)
        if redis is not None:
            redis.stop()
        shutil.rmtree(cache_dir, ignore_errors=True)
    connections.close_all()  # the database may have restarted under this process's connection
    check = check_nothing_lost(review_id, stats.confirmed)
    applied_twice = (  # one edit (one key) that made more than one change
        AnswerChange.objects.filter(answer__review_id=review_id)
        .exclude(idempotency_key="")
        .values("idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    failures = [at for at, ok, _s in run.requests if not ok]
    before = percentile([seconds for at, ok, seconds in run.requests if at < run.fault_at and ok], 0.95)
    after = [seconds for at, _ok, seconds in run.requests if at >= run.fault_at]
    retried = [e for e in run.edits if e.failed_attempts]
    never = [e for e in run.edits if e.answered is None]
    return {
        "fault": fault,
        "report": report_outcome(review_id, run) if fault == "job-worker-killed" else None,
        "requests": len(run.requests),
        "failed": len(failures),
        "failing_for": (max(failures) - run.fault_at) if failures else 0.0,
        "recovered_after": recovered_after(run, before),
        "p95_before": before,
        "slowest": max(after, default=0.0),
        "fault_lasted": run.fault_over - run.fault_at,
        "edits": len(run.edits),
        "retried": len(retried),
        "delivered_after": sum(1 for e in retried if e.answered is not None),
        "lost": len(never) + check["history_mismatches"] + len(check["mismatches"]),
        "duplicated": applied_twice,
        "presence_unavailable": run.presence_unavailable,
        "confirmed": len(stats.confirmed),
    }


def first_milestone(review_id: int) -> int:
    from reviewapp.milestones import milestone_create
    from reviewapp.models import Review

    review = Review.objects.select_related("created_by").get(pk=review_id)
    return milestone_create(review=review, name="Before the workshop", user=review.created_by).pk


def report_outcome(review_id: int, run: Run) -> dict:
    """What the killed render became: attempts, renders that finished, rows kept, the download."""
    from django_tasks_db.models import DBTaskResult

    from reviewapp.models import ReportRender

    rows = list(ReportRender.objects.filter(review_id=review_id).values("status", "attempt"))
    return {
        **run.report,
        "rows": rows,
        "rendered": DBTaskResult.objects.filter(return_value="ready").count(),
        "unfinished_jobs": DBTaskResult.objects.filter(status="RUNNING").count(),
    }


def recovered_after(run: Run, p95_before: float) -> float:
    """Seconds from the fault's start to the first WINDOW in which nothing failed and p95 was as before
    (at most twice the p95 before the fault, or 0.1 s more)."""
    limit = max(2 * p95_before, p95_before + 0.1)
    end = max((at for at, _ok, _s in run.requests), default=run.fault_at)
    start = run.fault_at
    while start < end:
        window = [(ok, seconds) for at, ok, seconds in run.requests if start <= at < start + WINDOW]
        if window and all(ok for ok, _s in window) and percentile([s for _ok, s in window], 0.95) <= limit:
            return start - run.fault_at
        start += 0.25
    return float("nan")


def signed_in_people(
    port: int, names: list[str], review_id: int, questions: dict[str, list[str]], stats: Stats, run: Run
) -> list[RetryingParticipant]:
    """Everyone signed in like a browser and on the question they start with."""
    browsers = asyncio.run(sign_in_all(port, names))
    keys = list(questions)
    rng = random.Random(20261202)
    people = []
    for i, (name, signed_in) in enumerate(zip(names, browsers, strict=True)):
        browser = TimedBrowser(port, run)
        browser.cookies = signed_in.cookies
        person = RetryingParticipant(
            name, browser, review_id, questions, keys[i % len(keys)], stats, random.Random(rng.random())
        )
        person.run = run
        people.append(person)
    asyncio.run(_open(people))
    return people


async def _open(people: list[RetryingParticipant]) -> None:
    await asyncio.gather(*(p.open_question(p.key) for p in people))


def main() -> None:
    for name in ("PG_BINDIR", "PG_DATA", "PG_LOG", "PG_OPTIONS"):
        if not os.environ.get(name):
            sys.exit(f"{name} is not set: run this through scripts/with-postgres.sh (make bench-faults)")
    django_setup(None)
    progress("migrate, loaddata serverless_lens, collectstatic")
    prepare_database()
    questions = question_keys()
    load_before = os.getloadavg()[0]
    results = [one_fault(fault, questions) for fault in FAULTS]
    load_after = os.getloadavg()[0]
    rows = "\n".join(
        f"| {r['fault']} | {r['fault_lasted']:.1f} | {r['requests']} | {r['failed']} | {r['failing_for']:.1f} "
        f"| {r['recovered_after']:.1f} | {r['p95_before'] * 1000:.0f} | {r['slowest']:.1f} "
        f"| {r['edits']} | {r['retried']} | {r['delivered_after']} | {r['lost']} | {r['duplicated']} "
        f"| {r['presence_unavailable']} |"
        for r in results
    )
    report = f"""
## Faults: {PARTICIPANTS} people on one review ({date.today().isoformat()}, {os.cpu_count()} cores)

`bench/faults.py` (`make bench-faults`): for each fault a fresh review, gunicorn {WORKERS} sync workers and the
workshop of `bench/workshop_load.py` ({PARTICIPANTS} participants polling every {POLL_EVERY} s and editing every
{ACTION_EVERY[0]:.0f}-{ACTION_EVERY[1]:.0f} s) for {RUN:.0f} s, the fault injected at {FAULT_AT:.0f} s. Participants
retry a failed save with the same idempotency key after 1, 2, 4... (at most 15) s, as the page does, and have
{GRACE:.0f} s after the run to deliver. postgres-restart: `pg_ctl stop -m fast` then `start`; redis-down: the
CACHE_URL Redis stopped for {REDIS_DOWN:.0f} s (saving its data) and started again; workers-killed: all {WORKERS}
workers SIGKILLed at once; job-worker-killed: the `db_worker` SIGKILLed while it renders the PDF a participant
asked for, a new worker started, renders taken for lost after {JOB_STALE} s. The other runs use a file cache as CACHE_URL. The machine's load average was
{load_before:.1f} before and {load_after:.1f} after (more than the {os.cpu_count()} cores: other work queued the requests).

| fault | fault lasted s | requests | failed | failing for s | recovered after s | p95 before the fault ms | slowest answer after s | edits | edits that met a failure | of them delivered | lost | duplicated | answers saying who is here is unavailable |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
{rows}

"Failed": no answer, or 5xx/408/429 (a 503 "reconnecting" included). "Failing for": from the fault's start to the
last failed request. "Recovered after": from the fault's start to the first {WINDOW:.0f} s in which no request failed
and the p95 was back (at most twice the p95 before the fault). "Slowest answer after": the longest request from the
fault on (requests wait in gunicorn's queue while no worker takes them). "Lost": edits never delivered, plus confirmed saves missing from or different in the
database or its history. "Duplicated": an edit (one idempotency key) applied as more than one change.
"""
    for r in results:
        if r["report"] is not None:
            report += job_paragraph(r["report"])
    print(report)
    with open(REPORT, "a", encoding="utf-8") as fh:
        fh.write(report)
    if any(r["report"] is not None and not job_held(r["report"]) for r in results):
        sys.exit("the report whose worker was killed was not downloaded once rendered: see above")
    if any(r["lost"] or r["duplicated"] for r in results):
        sys.exit("edits were lost or duplicated under a fault: see above")


def job_held(report: dict) -> bool:
    rows = report["rows"]
    return (
        "downloaded_after" in report
        and len(rows) == 1
        and rows[0]["status"] == "ready"
        and report["rendered"] == 1
        and report["status_when_killed"] == "rendering"
    )


def job_paragraph(report: dict) -> str:
    rows = report["rows"]
    row = rows[0] if rows else {"status": "none", "attempt": 0}
    downloaded = report.get("downloaded_after")
    return f"""
job-worker-killed: the first ask for the report answered {report.get("first_answer")}; the worker was killed while
the render was "{report.get("status_when_killed")}"; the render was queued again and finished at attempt
{row["attempt"]} ({len(rows)} report row, status {row["status"]}; {report["rendered"]} job wrote a PDF, {report["unfinished_jobs"]}
job left "running" by the killed worker and never written); the participant downloaded the PDF
{f"{downloaded:.1f} s" if downloaded is not None else "never (within the bound)"} after the kill.
"""


if __name__ == "__main__":
    main()
