"""A larger workshop: 200 people on 4 reviews at once, one server (issue 16's second goal).

Run by `make bench` inside scripts/with-postgres.sh. Four workloads with a Serverless review and
50 contributors each; one gunicorn (3 sync workers, production settings, a file cache as CACHE_URL
shared by the workers as Redis is) serves everyone, each participant behaving as in
bench/workshop_load.py (polling every 1.5 s, editing every 2-6 s) for BENCH_SECONDS. Reported: the
latencies by request kind, errors, the cores gunicorn and PostgreSQL used, and per review whether
anything was lost (the database against the last confirmed save of each question and its history).
What must hold: no error, nothing lost, gunicorn under 1 core.
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

from bench.server import (  # noqa: E402
    HOST,
    REPORT,
    WORKERS,
    create_workshop,
    django_setup,
    free_port,
    postgres_pids,
    prepare_database,
    process_tree,
    question_keys,
    server_env,
    start_gunicorn,
    stop,
)
from bench.workshop_load import (  # noqa: E402
    ACTION_EVERY,
    POLL_EVERY,
    REQUEST_TIMEOUT,
    open_pages,
    participants,
    sign_in_all,
)
from bench.workshop_stats import Meter, Stats, check_nothing_lost, row  # noqa: E402

REVIEWS = int(os.environ.get("BENCH_REVIEWS", "4"))
PER_REVIEW = int(os.environ.get("BENCH_PER_REVIEW", "50"))
DURATION = float(os.environ.get("BENCH_SECONDS", "60"))


def progress(text: str) -> None:
    print(f"[big_workshop] {text}", file=sys.stderr, flush=True)


async def everyone(people: list, deadline: float) -> None:
    tasks = [p.run_polls(deadline) for p in people] + [p.run_answers(deadline) for p in people]
    await asyncio.wait_for(asyncio.gather(*tasks), DURATION + REQUEST_TIMEOUT * 3)


def main() -> None:
    cache_dir = tempfile.mkdtemp(prefix="big-workshop-cache-")
    cache_url = f"filecache://{cache_dir}"
    django_setup(cache_url)
    from django.db import connections

    progress("migrate, loaddata serverless_lens, collectstatic")
    prepare_database()
    rooms = [create_workshop(PER_REVIEW, f"Big workshop {n}", prefix=f"room{n}-") for n in range(1, REVIEWS + 1)]
    questions = question_keys()
    connections.close_all()
    port = free_port()
    progress(f"starting gunicorn on {HOST}:{port}")
    server = start_gunicorn(port, server_env(cache_url))
    stats = [Stats() for _ in rooms]
    try:
        people = []
        for (review_id, names), room_stats in zip(rooms, stats, strict=True):
            browsers = asyncio.run(sign_in_all(port, names))
            people += participants(browsers, names, review_id, questions, room_stats)
        asyncio.run(open_pages(people))
        for s in stats:
            s.times.clear()
            s.timeline.clear()
        progress(f"{len(people)} participants on {REVIEWS} reviews for {DURATION:.0f} s")
        with Meter(process_tree(server.pid), postgres_pids()) as meter:
            start = time.monotonic()
            for s in stats:
                s.started = start
            asyncio.run(everyone(people, start + DURATION))
            elapsed = time.monotonic() - start
    finally:
        stop(server)
        shutil.rmtree(cache_dir, ignore_errors=True)
    progress("checking the database")
    checks = [check_nothing_lost(review_id, s.confirmed) for (review_id, _), s in zip(rooms, stats, strict=True)]
    merged: dict[str, list[float]] = {}
    for s in stats:
        for kind, values in s.times.items():
            merged.setdefault(kind, []).extend(values)
    kinds = ["poll", "poll: 204 nothing changed", "poll: 200 with changes", "save", "save: Keep mine (retry)"]
    kinds += ["re-read after 409", "open a question (full page)"]
    table = "\n".join(row(kind, merged[kind], elapsed) for kind in kinds if merged.get(kind))
    total = sum(len(v) for k, v in merged.items() if not k.startswith("poll:"))
    errors = sum(sum(s.errors.values()) for s in stats)
    error_text = ", ".join(f"{what}: {n}" for s in stats for what, n in s.errors.most_common()) or "none"
    lost = sum(len(c["mismatches"]) + c["history_mismatches"] for c in checks)
    confirmed = sum(len(s.confirmed) for s in stats)
    gunicorn_cores = meter.server / meter.wall
    report = f"""
## Workshop load: {REVIEWS * PER_REVIEW} people on {REVIEWS} reviews ({date.today().isoformat()}, {os.cpu_count()} cores)

`bench/big_workshop.py`: one gunicorn ({WORKERS} sync workers, production settings, a file cache as CACHE_URL shared
by the workers), {REVIEWS} reviews with {PER_REVIEW} participants each, everyone polling every {POLL_EVERY} s and
editing every {ACTION_EVERY[0]:.0f}-{ACTION_EVERY[1]:.0f} s for {elapsed:.0f} s (as in "Workshop load" above). The
machine's load average was {os.getloadavg()[0]:.1f} at the end.

| request | n | req/s | p50 ms | p95 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|
{table}
| all requests | {total} | {total / elapsed:.1f} | | | | |

- CPU: gunicorn used {gunicorn_cores:.2f} cores ({meter.server / max(total, 1) * 1000:.1f} ms per request), PostgreSQL
  {meter.db / meter.wall:.2f} cores, other processes on the machine {meter.others / meter.wall:.2f} cores.
- Errors (non-2xx other than the handled 409s, and exceptions): {error_text}.
- Saves confirmed: {confirmed} ({confirmed / elapsed:.1f}/s), {sum(s.merged for s in stats)} merged,
  {sum(s.conflicts for s in stats)} answered 409.
- Nothing lost: per review, the final database against the last confirmed save of each question and the
  history against every confirmed save: {lost} mismatches over {sum(c["questions"] for c in checks)} questions.
"""
    print(report)
    with open(REPORT, "a", encoding="utf-8") as fh:
        fh.write(report)
    if lost or errors:
        sys.exit("errors, or answers lost: see above")


if __name__ == "__main__":
    main()
