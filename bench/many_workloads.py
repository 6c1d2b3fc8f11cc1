"""Many workloads: the list, its search, the API, the consolidated exports and the portfolio page
at 10,000 workloads.

Run by `make bench` inside scripts/with-postgres.sh (DATABASE_URL set). Sets up a throwaway
database (migrate, loaddata serverless_lens, collectstatic), builds the portfolio of
bench/portfolio_seed.py with bulk inserts (BENCH_WORKLOADS workloads, 10,000 by default; the
build must take under a minute), then sends each request in this process through Django's test
client with production settings, as the member of every workload and as a staff user, and
measures per request: wall time and this process's CPU time (the median of BENCH_REPEAT runs
after one warm-up), database queries, response size, and the peak of Python memory allocated
while the response is produced and read (tracemalloc, in a separate run: flat means it does not
grow with the number of rows). Nothing is contacted over the network.

Prints a Markdown section and appends it to docs/benchmarks.md.
"""

import os
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.portfolio_seed import seed_portfolio  # noqa: E402
from bench.server import HOST, PASSWORD, REPORT, django_setup, prepare_database  # noqa: E402

COUNT = int(os.environ.get("BENCH_WORKLOADS", "10000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))
SEED_BUDGET = 60.0  # seconds: the "under a minute"

# (label, user, url)
REQUESTS = [
    ("workload list `/`", "member", "/"),
    ("workload list, page 50", "member", "/?page=50"),
    ("workload list, search `payments`", "member", "/?q=payments"),
    ("workload list, high risk first", "member", "/?sort=-high"),
    ("workload list `/` (staff)", "staff", "/"),
    ("API `/api/v1/workloads/`", "member", "/api/v1/workloads/"),
    ("portfolio page", "member", "/portfolio/serverless/"),
    ("portfolio JSON", "member", "/portfolio/serverless/portfolio.json"),
    ("risks CSV `/exports/serverless/risks.csv`", "member", "/exports/serverless/risks.csv"),
    ("risks JSON `/exports/serverless/risks.json`", "member", "/exports/serverless/risks.json"),
]


def body_size(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


class QueryLog:
    """A database execute wrapper that keeps each query's SQL (no limit, unlike connection.queries)."""

    def __init__(self, queries: list[str]) -> None:
        self.queries = queries

    def __call__(self, execute, sql, params, many, context):
        self.queries.append(sql)
        return execute(sql, params, many, context)


def measure(client, url: str) -> dict:
    from django.db import connection

    client.get(url)  # warm-up: the lens bank, the session, the template cache
    walls, cpus = [], []
    for _ in range(REPEAT):
        queries: list[str] = []
        with connection.execute_wrapper(QueryLog(queries)):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            size = body_size(response)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    body_size(client.get(url))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "status": response.status_code,
        "wall": statistics.median(walls) * 1000,
        "cpu": statistics.median(cpus) * 1000,
        "queries": len(queries),
        "bytes": size,
        "peak": peak,
        "streamed": response.streaming,
    }


def human(n: float) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1000 or unit == "MB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def main() -> None:
    django_setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    prepare_database()
    started = time.perf_counter()
    seeded = seed_portfolio(COUNT, password=PASSWORD)
    seed_seconds = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum would have them on a live database
    print(f"seeded in {seed_seconds:.1f} s: {seeded}", flush=True)

    users = get_user_model().objects
    clients = {}
    for who, username in (("member", seeded["member"]), ("staff", seeded["staff"])):
        clients[who] = Client(HTTP_HOST=HOST)
        clients[who].force_login(users.get(username=username))

    load_before = os.getloadavg()[0]
    rows = []
    for label, who, url in REQUESTS:
        result = measure(clients[who], url)
        print(label, result, flush=True)
        rows.append((label, result))

    lines = [
        "",
        f"## Many workloads ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"`bench/many_workloads.py`: {seeded['workloads']:,} workloads of one Serverless Lens review each "
        f"({seeded['answers']:,} answers, {seeded['selected choices']:,} ticked practices, "
        f"{seeded['improvement items']:,} improvement items, {seeded['milestones']:,} milestones), built with "
        f"bulk inserts in {seed_seconds:.1f} s (budget {SEED_BUDGET:.0f} s). One user is a member of every "
        "workload; staff sees all. Requests go through Django's test client in one process with production "
        f"settings; times are the median of {REPEAT} runs after a warm-up (wall: the request until its last byte "
        "is read, database included; CPU: this process only). Peak memory is Python's allocations while the "
        "response is built and read (tracemalloc). The machine's load average (2 cores, shared) was "
        f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after: wall times grow with it much more than CPU times and "
        "query counts.",
        "",
        "| request | status | wall ms | CPU ms | queries | size | streamed | peak memory |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in rows:
        lines.append(
            f"| {label} | {r['status']} | {r['wall']:.0f} | {r['cpu']:.0f} | {r['queries']} | {human(r['bytes'])} "
            f"| {'yes' if r['streamed'] else 'no'} | {human(r['peak'])} |"
        )
    section = "\n".join(lines) + "\n"
    print(section)
    with open(REPORT, "a", encoding="utf-8") as report:
        report.write(section)
    if seed_seconds > SEED_BUDGET:
        sys.exit(f"building the portfolio took {seed_seconds:.1f} s, over the {SEED_BUDGET:.0f} s budget")


if __name__ == "__main__":
    main()
