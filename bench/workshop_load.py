"""A workshop under load: 50 people answering one Serverless Lens review at once.

Run by `make bench` inside scripts/with-postgres.sh (DATABASE_URL set). Sets up a throwaway
database (migrate, loaddata serverless_lens, collectstatic), creates 50 contributors of one
workload with one review, starts gunicorn with production settings (3 sync workers) on a
free loopback port and signs everyone in like a browser (login page, CSRF, POST). Then:

1. /livez from a closed-loop client for a few seconds: the trivial view's throughput on
   this server, the yardstick the other figures are divided by.
2. Save capacity: a few closed-loop clients saving answers of a second review as fast as
   the server answers.
3. The workshop, 60 s: each participant polls the live view every 1.5 s (sending back the
   rev and seen token of its last response) and every 2-6 s ticks or unticks a choice or
   edits the notes of the question it is on, sending the version it last saw; now and then
   it opens another question. A 409 is handled like the page does: read the question
   again, then "Keep mine" once (the same answer, posted with the current version).
4. Nothing lost: every confirmed save is kept with the version and time the server
   confirmed it; the final answers in the database must equal the last confirmed save of
   each question, and each confirmed save must be in the answer's history as confirmed.

Prints a Markdown section and appends it to docs/benchmarks.md.

Cache: BENCH_CACHE_URL is passed to the server as CACHE_URL. The default is a file cache
in a temporary directory, shared by the three workers of this one machine the way Redis
is shared by all web nodes in production (sessions use cached_db, presence is one dict
for everyone). BENCH_CACHE_URL=none runs without CACHE_URL (each worker its own memory
cache, sessions in the database) to compare. Only 127.0.0.1 is ever contacted; every loop
is bounded in count and time.
"""

import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live_client import REQUEST_TIMEOUT, Browser, Seen, http, read_fields, read_live, read_seen, read_version  # noqa: E402
from bench.server import (  # noqa: E402
    HOST,
    PASSWORD,
    REPORT,
    WORKERS,
    create_workshop,
    django_setup,
    free_port,
    postgres_pids,
    prepare_database,
    process_tree,
    question_keys,
    rss_mib,
    server_env,
    start_gunicorn,
    stop,
)
from bench.workshop_stats import Confirmed, Meter, Stats, check_nothing_lost, percentile, row  # noqa: E402

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "50"))
DURATION = float(os.environ.get("BENCH_SECONDS", "60"))
POLL_EVERY = 1.5  # seconds, as hx-trigger="every 1500ms"
ACTION_EVERY = (2.0, 6.0)  # seconds between two answers of one participant
NAVIGATE_SHARE = 0.1  # share of actions that open another question instead of saving
NOTES_SHARE = 0.3  # share of saves that edit the notes (the rest tick or untick a choice)
LIVEZ_SECONDS, LIVEZ_CONNECTIONS = 5.0, 8
CAPACITY_SECONDS, CAPACITY_CLIENTS = 5.0, 6


class Participant:
    def __init__(
        self,
        name: str,
        browser: Browser,
        review_id: int,
        questions: dict[str, list[str]],
        first: str,
        stats: Stats,
        rng: random.Random,
    ):
        self.name, self.browser, self.review_id = name, browser, review_id
        self.questions, self.stats, self.rng = questions, stats, rng
        self.key = first
        self.seen = Seen(0, frozenset(), "")
        self.live = {"rev": "", "page": f"question:{first}", "seen": "", "lead": ""}
        self.edits = 0

    def adopt(self, seen: Seen | None) -> None:
        """Take what the server shows, unless it is older than what this page already has."""
        if seen is not None and seen.version >= self.seen.version:
            self.seen = seen

    async def open_question(self, key: str) -> None:
        seconds, response = await self.browser.request("GET", f"/reviews/{self.review_id}/questions/{key}/")
        self.stats.add("open a question (full page)", seconds)
        if response.status != 200:
            self.stats.error(f"question page {response.status}")
            return
        self.key, self.seen = key, Seen(0, frozenset(), "")
        self.adopt(read_seen(response.body, key))
        self.live = read_live(response.body) or self.live

    async def poll(self) -> None:
        query = urlencode({k: self.live.get(k, "") for k in ("rev", "page", "seen", "lead")})
        seconds, response = await self.browser.request("GET", f"/reviews/{self.review_id}/live/?{query}", htmx=True)
        self.stats.add("poll", seconds)
        if response.status == 204:
            self.stats.polls_204 += 1
            self.stats.add("poll: 204 nothing changed", seconds)
        elif response.status == 200 and not response.header("HX-Redirect"):
            self.stats.polls_200 += 1
            self.stats.add("poll: 200 with changes", seconds)
            self.live = read_live(response.body) or self.live
            if f'id="version-{self.key}"' in response.body:
                self.adopt(read_seen(response.body, self.key))
        else:
            self.stats.error(f"poll {response.status}{' HX-Redirect' if response.header('HX-Redirect') else ''}")

    def next_answer(self) -> tuple[frozenset[str], str]:
        choices, notes = set(self.seen.choices), self.seen.notes
        if self.rng.random() < NOTES_SHARE:
            self.edits += 1
            notes = f"{self.name} edit {self.edits}: our alarms cover errors and throttles"
        else:
            choices ^= {self.rng.choice(self.questions[self.key])}  # tick or untick one practice
        return frozenset(choices), notes

    async def save(self, choices: frozenset[str], notes: str, version: int, kind: str):
        data = {"question": self.key, "choices": sorted(choices), "notes": notes, "version": version}
        seconds, response = await self.browser.request("POST", f"/reviews/{self.review_id}/answers/", data, htmx=True)
        self.stats.add(kind, seconds)
        if response.status == 200:
            new_version = read_version(response.body, self.key)
            fields = read_fields(response.body, self.key)  # the answer as stored (merged or not)
            if fields is not None and fields != (choices, notes):
                self.stats.merged += 1
            stored = fields or (choices, notes)
            if new_version is None:
                self.stats.error("save 200 without a version")
            else:
                self.stats.confirmed.append(Confirmed(self.key, new_version, time.time(), *stored, self.name))
                self.adopt(Seen(new_version, *stored))
        return response

    async def answer(self) -> None:
        choices, notes = self.next_answer()
        response = await self.save(choices, notes, self.seen.version, "save")
        if response.status != 409:
            if response.status != 200:
                self.stats.error(f"save {response.status}")
            return
        self.stats.conflicts += 1
        # As the page does: read the question as it is now, then "Keep mine" with the current version.
        seconds, fresh = await self.browser.request(
            "GET", f"/reviews/{self.review_id}/questions/{self.key}/fields/", htmx=True
        )
        self.stats.add("re-read after 409", seconds)
        current = read_seen(fresh.body, self.key) if fresh.status == 200 else None
        if current is None:
            self.stats.error(f"re-read after 409 answered {fresh.status}")
            return
        self.adopt(current)
        retry = await self.save(choices, notes, current.version, "save: Keep mine (retry)")
        if retry.status == 200:
            self.stats.kept_mine += 1
        elif retry.status == 409:
            self.stats.given_up += 1  # someone saved again in between; a person would look again
        else:
            self.stats.error(f"Keep mine {retry.status}")

    async def run_polls(self, deadline: float) -> None:
        await asyncio.sleep(self.rng.uniform(0, POLL_EVERY))
        for _ in range(int((deadline - time.monotonic()) / POLL_EVERY) + 2):
            started = time.monotonic()
            if started >= deadline:
                return
            try:
                await self.poll()
            except (OSError, ConnectionError) as exc:
                self.stats.error(f"poll {type(exc).__name__}")
            await asyncio.sleep(max(0.0, POLL_EVERY - (time.monotonic() - started)))

    async def run_answers(self, deadline: float) -> None:
        for _ in range(int((deadline - time.monotonic()) / ACTION_EVERY[0]) + 1):
            pause = self.rng.uniform(*ACTION_EVERY)
            if time.monotonic() + pause >= deadline:
                return
            await asyncio.sleep(pause)
            try:
                if self.rng.random() < NAVIGATE_SHARE:
                    await self.open_question(self.rng.choice([k for k in self.questions if k != self.key]))
                else:
                    await self.answer()
            except (OSError, ConnectionError, AttributeError) as exc:
                self.stats.error(f"answer {type(exc).__name__}")


# --- the phases --------------------------------------------------------------------------------------


async def sign_in_all(port: int, names: list[str], at_once: int = 6) -> list[Browser]:
    gate = asyncio.Semaphore(at_once)

    async def one(name: str) -> Browser:
        async with gate:
            browser = Browser(port)
            await browser.sign_in(name, PASSWORD)
            return browser

    return await asyncio.gather(*(one(n) for n in names))


async def closed_loop_livez(port: int) -> tuple[int, float, list[float], int]:
    """LIVEZ_CONNECTIONS clients, each sending the next GET /livez when the last is answered."""
    times: list[float] = []
    errors = 0
    deadline = time.monotonic() + LIVEZ_SECONDS

    async def client() -> None:
        nonlocal errors
        for _ in range(200_000):  # bounded; the deadline ends it first
            if time.monotonic() >= deadline:
                return
            start = time.perf_counter()
            try:
                response = await asyncio.wait_for(http(port, "GET", "/livez"), REQUEST_TIMEOUT)
                ok = response.status == 200
            except (OSError, ConnectionError):
                ok = False
            times.append((time.perf_counter() - start) * 1000)
            errors += not ok

    start = time.monotonic()
    await asyncio.gather(*(client() for _ in range(LIVEZ_CONNECTIONS)))
    return len(times), time.monotonic() - start, times, errors


async def closed_loop_saves(port: int, browsers: list[Browser], review_id: int, questions: dict[str, list[str]]):
    """CAPACITY_CLIENTS signed-in clients saving answers (one question each) back to back."""
    times: list[float] = []
    errors = 0
    deadline = time.monotonic() + CAPACITY_SECONDS
    keys = list(questions)

    async def client(index: int, browser: Browser) -> None:
        nonlocal errors
        key, version = keys[index % len(keys)], 0
        for n in range(100_000):  # bounded; the deadline ends it first
            if time.monotonic() >= deadline:
                return
            data = {
                "question": key,
                "choices": questions[key][: 1 + n % 2],
                "notes": f"capacity {n}",
                "version": version,
            }
            try:
                seconds, response = await browser.request("POST", f"/reviews/{review_id}/answers/", data, htmx=True)
            except (OSError, ConnectionError):
                errors += 1
                continue
            times.append(seconds * 1000)
            if response.status == 200:
                version = read_version(response.body, key) or version
            else:
                errors += 1

    start = time.monotonic()
    await asyncio.gather(*(client(i, b) for i, b in enumerate(browsers[:CAPACITY_CLIENTS])))
    return len(times), time.monotonic() - start, times, errors


def participants(
    browsers: list[Browser], names: list[str], review_id: int, questions: dict[str, list[str]], stats: Stats
) -> list[Participant]:
    keys = list(questions)
    rng = random.Random(20261126)
    return [
        Participant(name, browser, review_id, questions, keys[i % len(keys)], stats, random.Random(rng.random()))
        for i, (name, browser) in enumerate(zip(names, browsers, strict=True))
    ]


async def open_pages(people: list[Participant]) -> None:
    """Everyone opens the question they start on (the page gives its version, fields and live poller)."""
    await asyncio.gather(*(p.open_question(p.key) for p in people))


async def workshop(people: list[Participant], stats: Stats) -> float:
    start = stats.started = time.monotonic()
    deadline = start + DURATION
    tasks = [p.run_polls(deadline) for p in people] + [p.run_answers(deadline) for p in people]
    await asyncio.wait_for(asyncio.gather(*tasks), DURATION + REQUEST_TIMEOUT * 3)
    return time.monotonic() - start


def progress(text: str) -> None:
    print(f"[workshop_load] {text}", file=sys.stderr, flush=True)


def main() -> None:
    raw_cache = os.environ.get("BENCH_CACHE_URL", "")
    cache_dir = tempfile.mkdtemp(prefix="workshop-cache-")
    cache_url = None if raw_cache == "none" else raw_cache or f"filecache://{cache_dir}"
    django_setup(cache_url)
    from django.db import connections

    progress("migrate, loaddata serverless_lens, collectstatic")
    prepare_database()
    review_id, names = create_workshop(PARTICIPANTS, "Workshop bench")
    capacity_review, _ = create_workshop(CAPACITY_CLIENTS, "Capacity bench", prefix="capacity")
    questions = question_keys()
    connections.close_all()

    port = free_port()
    progress(f"starting gunicorn on {HOST}:{port}")
    server = start_gunicorn(port, server_env(cache_url))
    stats = Stats()
    try:
        sign_in_start = time.monotonic()
        browsers = asyncio.run(sign_in_all(port, names))
        capacity_browsers = asyncio.run(sign_in_all(port, [f"capacity{i:02d}" for i in range(1, CAPACITY_CLIENTS + 1)]))
        sign_in_seconds = time.monotonic() - sign_in_start
        meter_pids = (process_tree(server.pid), postgres_pids())
        connections.close_all()
        progress(f"signed in {len(browsers) + len(capacity_browsers)} people in {sign_in_seconds:.1f} s; /livez")
        with Meter(*meter_pids) as livez_meter:
            livez_n, _livez_s, livez_times, livez_errors = asyncio.run(closed_loop_livez(port))
        progress("save capacity")
        with Meter(*meter_pids) as capacity_meter:
            cap_n, _cap_s, cap_times, cap_errors = asyncio.run(
                closed_loop_saves(port, capacity_browsers, capacity_review, questions)
            )
        people = participants(browsers, names, review_id, questions, stats)
        asyncio.run(open_pages(people))
        stats.times.clear()
        stats.timeline.clear()
        progress(f"workshop: {len(people)} participants for {DURATION:.0f} s")
        with Meter(*meter_pids) as workshop_meter:
            elapsed = asyncio.run(workshop(people, stats))
        worker_rss = rss_mib(process_tree(server.pid)[1:])
    finally:
        stop(server)
        shutil.rmtree(cache_dir, ignore_errors=True)
    progress("checking the database")
    check = check_nothing_lost(review_id, stats.confirmed)

    livez_rate, cap_rate = livez_n / livez_meter.wall, cap_n / capacity_meter.wall
    confirmed_rate = len(stats.confirmed) / elapsed
    saves = stats.times.get("save", []) + stats.times.get("save: Keep mine (retry)", [])
    total = sum(len(v) for k, v in stats.times.items() if not k.startswith("poll:"))
    kinds = [
        "poll",
        "poll: 204 nothing changed",
        "poll: 200 with changes",
        "save",
        "save: Keep mine (retry)",
        "re-read after 409",
        "open a question (full page)",
    ]
    table = [row(kind, stats.times[kind], elapsed) for kind in kinds if stats.times.get(kind)]
    table.append(f"| all requests | {total} | {total / elapsed:.1f} | | | | |")
    errors = ", ".join(f"{what}: {n}" for what, n in stats.errors.most_common()) or "none"
    windows: dict[int, list[float]] = {}
    for at, ms in stats.timeline:
        windows.setdefault(int((at - stats.started) // 10), []).append(ms)
    by_window = ", ".join(
        f"{w * 10}-{w * 10 + 10} s: {percentile(v, 0.5):.0f} / {percentile(v, 0.95):.0f}"
        for w, v in sorted(windows.items())
    )
    cache_text = (
        "no CACHE_URL (each worker its own memory cache, so presence per worker; sessions in the database)"
        if cache_url is None
        else f"CACHE_URL={'a file cache in a temporary directory' if not raw_cache else raw_cache}, shared by "
        "the 3 workers as Redis is by all web nodes (cached_db sessions, one presence list)"
    )
    mismatch_text = "; ".join(check["mismatches"]) or "none"
    cpu_table = "\n".join(
        [
            "| phase | requests | seconds | req/s | gunicorn CPU ms per request | PostgreSQL CPU ms per request "
            "| cores used: gunicorn / PostgreSQL / client / other processes |",
            "|---|---|---|---|---|---|---|",
            livez_meter.row(f"GET /livez, closed loop, {LIVEZ_CONNECTIONS} clients", livez_n),
            capacity_meter.row(f"answer saves, closed loop, {CAPACITY_CLIENTS} clients (another review)", cap_n),
            workshop_meter.row(f"the workshop, {PARTICIPANTS} participants", total),
        ]
    )
    report = f"""
## Workshop load: {PARTICIPANTS} people on one review ({date.today().isoformat()}, {os.cpu_count()} cores)

`bench/workshop_load.py`: gunicorn {WORKERS} sync workers, DEBUG=false, SECURE_SSL_REDIRECT=false, {cache_text};
PostgreSQL on loopback from `scripts/with-postgres.sh` (fsync and synchronous_commit off); the asyncio client runs
on the same cores (the last column of the CPU table shows what other processes used meanwhile). {PARTICIPANTS} signed-in participants for
{elapsed:.0f} s: each polls the live view every {POLL_EVERY} s (sending back the rev and seen token it was given)
and every {ACTION_EVERY[0]:.0f}-{ACTION_EVERY[1]:.0f} s ticks or unticks a choice ({100 - NOTES_SHARE * 100:.0f} %)
or edits the notes ({NOTES_SHARE * 100:.0f} %) of the question it is on, sending the version it last saw;
{NAVIGATE_SHARE * 100:.0f} % of actions open another question instead. Signing everyone in took {sign_in_seconds:.1f} s.

| request | n | req/s | p50 ms | p95 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|
{chr(10).join(table)}

- p50 / p95 ms of all requests by 10 s window: {by_window}.
- Polls: {stats.polls_204} answered 204 (nothing changed), {stats.polls_200} answered 200 with fragments.
- Saves: {len(saves)} sent, {len(stats.confirmed)} confirmed ({confirmed_rate:.1f}/s), {stats.merged} of them merged
  with someone else's change; {stats.conflicts} answered 409; "Keep mine" (re-read, re-post with the current
  version) then saved {stats.kept_mine} and met another 409 {stats.given_up} times.
- Errors (non-2xx other than the handled 409s, and exceptions): {errors}.
- Memory: each gunicorn worker held {min(worker_rss, default=0):.0f}-{max(worker_rss, default=0):.0f} MiB resident
  at the end (report fonts loaded at start).
- Nothing lost: {check["questions"]} questions saved; final database vs the last confirmed save of each question:
  {len(check["mismatches"])} mismatches ({mismatch_text}); confirmed saves missing or different in the answer
  history: {check["history_mismatches"]}; a version confirmed twice: {check["duplicate_versions"]}; saves made but
  never confirmed to a client: {check["unconfirmed"]}; questions whose last confirmation in time is not the
  highest version: {check["time_order_differs"]}.

CPU by phase on the same server (closed loop: each client sends its next request when the last is answered):

{cpu_table}

| closed loop | p50 ms | p99 ms | errors |
|---|---|---|---|
| GET /livez (no database) | {percentile(livez_times, 0.5):.1f} | {percentile(livez_times, 0.99):.1f} | {livez_errors} |
| answer save (htmx POST) | {percentile(cap_times, 0.5):.1f} | {percentile(cap_times, 0.99):.1f} | {cap_errors} |

Save throughput is {cap_rate / livez_rate * 100:.1f} % of /livez ({cap_rate:.0f} vs {livez_rate:.0f} req/s); by
gunicorn CPU per request a save costs {capacity_meter.server / max(cap_n, 1) / (livez_meter.server / max(livez_n, 1)):.0f}
times a /livez. The workshop's confirmed saves ({confirmed_rate:.1f}/s) are {confirmed_rate / livez_rate * 100:.2f} %
of the /livez throughput and {confirmed_rate / cap_rate * 100:.0f} % of the save throughput.
"""
    print(report)
    with open(REPORT, "a", encoding="utf-8") as fh:
        fh.write(report)
    if check["mismatches"] or check["history_mismatches"]:
        sys.exit("answers were lost or differ from what the server confirmed: see above")


if __name__ == "__main__":
    main()
