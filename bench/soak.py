"""Soak: the 50-participant workshop for 30 minutes on one server, and whether it leaks.

Run by `make bench-soak` inside scripts/with-postgres.sh. One review, gunicorn (3 sync workers,
a file cache as CACHE_URL) and the workshop of bench/faults.py (participants that retry as the
page does) for SOAK seconds. At the start (after the first WINDOW) and at the end it counts each
worker's resident memory and open file descriptors and the database's connections; it compares
the p95 of the first WINDOW with the last. What must hold: worker memory grows less than 10 %,
the last p95 is within 20 % of the first, no more descriptors or connections at the end than at
the start, and nothing lost or duplicated.
"""

import asyncio
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.faults import GRACE, Run, signed_in_people  # noqa: E402
from bench.server import (  # noqa: E402
    REPORT,
    WORKERS,
    create_workshop,
    django_setup,
    free_port,
    prepare_database,
    process_tree,
    question_keys,
    rss_mib,
    server_env,
    start_gunicorn,
    stop,
)
from bench.workshop_stats import Stats, check_nothing_lost, percentile  # noqa: E402

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "50"))
SOAK = float(os.environ.get("BENCH_SOAK_SECONDS", "1800"))
WINDOW = float(os.environ.get("BENCH_SOAK_WINDOW", "300"))  # the first and last 5 minutes


def progress(text: str) -> None:
    print(f"[soak] {text}", file=sys.stderr, flush=True)


def descriptors(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            continue
    return total


def database_connections() -> int:
    """Connections to this database other than this process's own (closed again: it may be a thread's)."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]
    finally:
        connection.close()


def sample(server) -> dict:
    workers = process_tree(server.pid)[1:]
    return {
        "workers": workers,
        "rss": sum(rss_mib(workers)),
        "fds": descriptors(workers),
        "connections": database_connections(),
    }


async def soak(people, run: Run, server) -> dict:
    run.started = time.monotonic()
    run.fault_at = run.fault_over = run.started + SOAK  # no fault
    run.stop_editing = run.started + SOAK
    run.give_up = run.stop_editing + GRACE

    async def first_sample() -> dict:
        await asyncio.sleep(WINDOW)
        return await asyncio.to_thread(sample, server)

    tasks = [p.run_polls(run.stop_editing) for p in people] + [p.run_answers(run.stop_editing) for p in people]
    results = await asyncio.wait_for(asyncio.gather(first_sample(), *tasks), SOAK + GRACE + 60)
    return results[0]


def main() -> None:
    cache_dir = tempfile.mkdtemp(prefix="soak-cache-")
    cache_url = f"filecache://{cache_dir}"
    django_setup(None)
    from django.db import connections

    progress("migrate, loaddata serverless_lens, collectstatic")
    prepare_database()
    questions = question_keys()
    review_id, names = create_workshop(PARTICIPANTS, "Soak bench")
    connections.close_all()
    server = start_gunicorn(free_port(), {**server_env(cache_url), "LOG_LEVEL": "CRITICAL"})
    port = int(server.args[server.args.index("--bind") + 1].rsplit(":", 1)[1])
    run, stats = Run(), Stats()
    load_before = os.getloadavg()[0]
    try:
        people = signed_in_people(port, names, review_id, questions, stats, run)
        run.requests.clear()
        progress(f"soak: {len(people)} participants for {SOAK:.0f} s")
        start = asyncio.run(soak(people, run, server))
        end = sample(server)
    finally:
        stop(server)
        shutil.rmtree(cache_dir, ignore_errors=True)
    load_after = os.getloadavg()[0]
    check = check_nothing_lost(review_id, stats.confirmed)
    first = [s for at, ok, s in run.requests if ok and at < run.started + WINDOW]
    last = [s for at, ok, s in run.requests if ok and at >= run.stop_editing - WINDOW]
    p95_first, p95_last = percentile(first, 0.95), percentile(last, 0.95)
    growth = (end["rss"] - start["rss"]) / start["rss"] * 100
    never = sum(1 for e in run.edits if e.answered is None)
    lost = never + check["history_mismatches"] + len(check["mismatches"])
    failed = sum(1 for _at, ok, _s in run.requests if not ok)
    same_workers = start["workers"] == end["workers"]
    holds = {
        "memory": growth < 10,
        "p95": p95_last <= p95_first * 1.2,
        "descriptors": end["fds"] <= start["fds"],
        "connections": end["connections"] <= start["connections"],
        "nothing lost": lost == 0,
    }
    verdict = ", ".join(f"{name}: {'holds' if ok else 'FAILS'}" for name, ok in holds.items())
    report = f"""
## Soak: {PARTICIPANTS} people for {SOAK / 60:.0f} minutes ({date.today().isoformat()}, {os.cpu_count()} cores)

`bench/soak.py` (`make bench-soak`): one review, gunicorn {WORKERS} sync workers (a file cache as CACHE_URL), the
workshop of `bench/faults.py` for {SOAK:.0f} s; the start is sampled after the first {WINDOW:.0f} s. Load average
{load_before:.1f} before, {load_after:.1f} after. {len(run.requests)} requests, {failed} failed; {len(run.edits)} edits.

| | start | end |
|---|---|---|
| workers' resident memory, MiB (all {WORKERS}) | {start["rss"]:.0f} | {end["rss"]:.0f} ({growth:+.1f} %) |
| workers' open file descriptors | {start["fds"]} | {end["fds"]} |
| database connections | {start["connections"]} | {end["connections"]} |
| p95 of the first / last {WINDOW:.0f} s, ms | {p95_first * 1000:.0f} | {p95_last * 1000:.0f} |

Same worker processes at start and end: {"yes" if same_workers else "no (one was restarted)"}. Lost: {lost}.
Goals (memory +10 % at most, last p95 within 20 % of the first, no descriptor or connection growth, nothing
lost): {verdict}.
"""
    print(report)
    with open(REPORT, "a", encoding="utf-8") as fh:
        fh.write(report)
    if not all(holds.values()):
        sys.exit("the soak's goals do not hold: see above")


if __name__ == "__main__":
    main()
