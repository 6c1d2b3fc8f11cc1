"""Each request of a workshop next to the floor of the stack, in one gunicorn, from one run.

Run by `make bench` inside scripts/with-postgres.sh (DATABASE_URL set). Sets up a throwaway
database, one participant on a Serverless Lens review, and starts gunicorn (3 sync workers,
production settings, CACHE_URL a file cache shared by the workers as Redis is in production)
with ``bench.floor.settings``: the app's own settings and middleware, with floor views mounted
next to the app (``bench/floor/views.py``): a trivial view, ``request.user``, a signed-in
conditional GET answering 304, and a signed-in optimistic save with a revision bump.

Each request is first checked once (status and what it says), its database queries are counted
in this process (Django's test client, same settings), and then it is driven by wrk (50
connections, closed loop) for a few seconds; the CPU time used meanwhile by gunicorn (master
and workers) and by PostgreSQL is divided by the requests answered. CPU per request barely moves
with the load others put on the machine; throughput does. Without wrk on PATH (Debian package
``wrk``), a thread-based closed-loop client in this process stands in, with fewer connections.

Prints a Markdown section and appends it to docs/benchmarks.md. Only 127.0.0.1 is contacted.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.client import Browser  # noqa: E402
from bench.server import (  # noqa: E402
    HOST,
    PASSWORD,
    REPORT,
    WORKERS,
    cpu_seconds,
    create_workshop,
    free_port,
    postgres_pids,
    prepare_database,
    process_tree,
    question_keys,
    server_env,
    start_gunicorn,
    stop,
)

SECONDS = int(os.environ.get("BENCH_FLOOR_SECONDS", "6"))  # wrk takes whole seconds
CONNECTIONS = int(os.environ.get("BENCH_FLOOR_CONNECTIONS", "50"))
WARMUP_SECONDS = 2
SETTINGS = "bench.floor.settings"


@dataclass
class Target:
    """One kind of request: how wrk sends it and what a correct answer looks like."""

    name: str
    method: str
    path: str
    expect: int
    headers: dict
    lua: str = ""  # a wrk script when each request differs (the saves)
    body: str = ""
    floor: str = ""  # the name of the floor it is compared with


@dataclass
class Result:
    requests: int
    seconds: float
    errors: int
    server_cpu: float
    db_cpu: float
    p50_ms: float
    p99_ms: float
    outstanding: int = 0  # requests the server finished after the client stopped counting

    @property
    def served(self) -> int:
        return self.requests + self.outstanding

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        return (self.server_cpu + self.db_cpu) / max(self.served, 1) * 1000


def progress(text: str) -> None:
    print(f"[floor] {text}", file=sys.stderr, flush=True)


def save_script(path: str, keys: dict[str, list[str]]) -> str:
    """A wrk script: each request saves a question of the review in turn, with new notes every time;
    the ticked practices change on 7 saves of 10 (as in the workshop), the notes on every one."""
    lines = ["local bodies = {}"]
    for key, choices in keys.items():
        first, both = urlencode({"choices": choices[:1]}, doseq=True), urlencode({"choices": choices[:2]}, doseq=True)
        lines.append(f'table.insert(bodies, {{"question={key}&{first}", "question={key}&{both}"}})')
    lines += [
        "local threads, id, counter = 0, 0, 0",
        "function setup(thread) threads = threads + 1; thread:set('id', threads) end",
        "function request()",
        "  counter = counter + 1",
        "  local round = math.floor(counter / #bodies)",
        "  local pair = bodies[(counter % #bodies) + 1]",
        "  local body = pair[(math.floor(round * 7 / 10) % 2) + 1] .. '&notes=bench+' .. id .. '+' .. counter",
        f'  return wrk.format("POST", "{path}", nil, body)',
        "end",
    ]
    return "\n".join(lines) + "\n"


def floor_save_script(path: str) -> str:
    return (
        "local counter = 0\n"
        "function request()\n"
        "  counter = counter + 1\n"
        f'  return wrk.format("POST", "{path}", nil, \'version=0&notes=floor+\' .. counter)\n'
        "end\n"
    )


def parse_wrk(output: str) -> tuple[int, float, int, float, float]:
    """(requests, seconds, errors, p50 ms, p99 ms) from wrk --latency output."""
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
    if done is None:
        raise RuntimeError(f"wrk said: {output}")
    seconds = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += int(socket_errors.group(1)) + int(socket_errors.group(3)) + int(socket_errors.group(4))

    def latency(percent: str) -> float:
        match = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)\b", output)
        if match is None:
            return float("nan")
        return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]

    return int(done.group(1)), seconds, errors, latency("50"), latency("99")


def run_wrk(port: int, target: Target, seconds: float, script_dir: Path) -> tuple[int, float, int, float, float]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{int(seconds)}s", "--latency", "--timeout", "10s"]
    for name, value in target.headers.items():
        if not name.startswith("x-bench"):
            command += ["-H", f"{name}: {value}"]
    script = target.lua
    if not script and target.method != "GET":
        script = f'wrk.method = "{target.method}"\nwrk.body = "{target.body}"\n'
    if script:
        path = script_dir / f"{re.sub(r'[^a-z0-9]+', '-', target.name.lower())}.lua"
        path.write_text(script)
        command += ["-s", str(path)]
    done = subprocess.run([*command, f"http://{HOST}:{port}{target.path}"], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    if os.environ.get("BENCH_FLOOR_DEBUG"):
        progress(done.stdout)
    return parse_wrk(done.stdout)


def run_threads(port: int, target: Target, seconds: float, cookies: dict) -> tuple[int, float, int, float, float]:
    """The stand-in for wrk: a few threads, each a closed loop of keep-alive requests."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = [0]

    def body() -> dict | None:
        with lock:
            counter[0] += 1
            n = counter[0]
        if target.name.startswith("answer save"):
            keys = list(target.headers["x-bench-keys"].split(","))
            return {"question": keys[n % len(keys)], "notes": f"bench {n}"}
        if target.method == "POST":
            return {"version": "0", "notes": f"floor {n}"}
        return None

    def loop() -> None:
        browser = Browser(HOST, port)
        browser.cookies = dict(cookies)
        headers = {k: v for k, v in target.headers.items() if not k.startswith("x-bench")}
        while time.monotonic() < deadline:
            try:
                elapsed, status, _ = browser.timed(target.method, target.path, body(), headers)
            except OSError:
                browser = Browser(HOST, port)
                browser.cookies = dict(cookies)
                with lock:
                    errors[0] += 1
                continue
            with lock:
                times.append(elapsed * 1000)
                errors[0] += status != target.expect

    started = time.monotonic()
    threads = [threading.Thread(target=loop) for _ in range(min(CONNECTIONS, 8))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(times) or [float("nan")]
    return (
        len(times),
        time.monotonic() - started,
        errors[0],
        ordered[len(ordered) // 2],
        ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    )


def drain(server_pids: list[int], limit: float = 60.0) -> None:
    """Wait until gunicorn is idle: requests left in its backlog by the last run are finished first."""
    deadline = time.monotonic() + limit
    last = cpu_seconds(server_pids)
    while time.monotonic() < deadline:
        time.sleep(0.4)
        now = cpu_seconds(server_pids)
        if now - last < 0.02:
            return
        last = now


def measure(port: int, target: Target, server_pids: list[int], cookies: dict, script_dir: Path) -> Result:
    """One closed-loop run after a warm-up, between two idle moments of the server.

    wrk counts the requests answered within its run; the ones still outstanding when it stops
    (one per connection) are then finished by the server before the CPU is read again, so
    they are counted too.
    """
    use_wrk = shutil.which("wrk") is not None
    drive = (
        (lambda s: run_wrk(port, target, s, script_dir))
        if use_wrk
        else (lambda s: run_threads(port, target, s, cookies))
    )
    drive(WARMUP_SECONDS)
    drain(server_pids)
    db_pids = postgres_pids()  # after the warm-up: every worker's connection (a backend) exists
    server_before, db_before = cpu_seconds(server_pids), cpu_seconds(db_pids)
    requests, seconds, errors, p50, p99 = drive(SECONDS)
    drain(server_pids)
    outstanding = CONNECTIONS if use_wrk else 0  # the thread client finishes each request it started
    return Result(
        requests,
        seconds,
        errors,
        cpu_seconds(server_pids) - server_before,
        cpu_seconds(db_pids) - db_before,
        p50,
        p99,
        outstanding,
    )


def count_queries(targets: list[Target], username: str, cookies: dict) -> dict[str, int]:
    """Database queries of each request, counted in this process with the same settings."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    client.force_login(get_user_model().objects.get(username=username))
    counts = {}
    for target in targets:
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in target.headers.items() if k != "Cookie"}
        data = target.body
        if target.name.startswith("answer save"):
            data = target.headers.get("x-bench-sample", "")
        for attempt in range(2):  # the second is counted: the first fills per-process caches (the question bank)
            with CaptureQueriesContext(connection) as queries:
                if target.method == "POST":
                    response = client.post(
                        target.path, data=data, content_type="application/x-www-form-urlencoded", **headers
                    )
                else:
                    response = client.get(target.path, **headers)
            if attempt == 1 and response.status_code != target.expect:
                raise RuntimeError(f"{target.name}: the test client got {response.status_code}")
        counts[target.name] = len(queries)
    return counts


def check(browser: Browser, target: Target, cookies: dict) -> None:
    """One request like the load's, with its status and what it must say."""
    headers = {k: v for k, v in target.headers.items() if k != "Cookie" and not k.startswith("x-bench")}
    data = None
    if target.method == "POST":
        data = dict(pair.split("=", 1) for pair in (target.headers.get("x-bench-sample") or target.body).split("&"))
    status, payload = browser.request(target.method, target.path, data, headers)
    if status != target.expect:
        raise RuntimeError(f"{target.name}: {status} instead of {target.expect}: {payload[:300]!r}")


def main() -> None:
    cache_dir = tempfile.mkdtemp(prefix="floor-cache-")
    script_dir = Path(tempfile.mkdtemp(prefix="floor-wrk-"))
    cache_url = f"filecache://{cache_dir}"
    os.environ.update(server_env(cache_url))
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()
    from django.db import connections

    from questions.models import Question
    from reviewapp.models import Answer, Review

    progress("migrate, loaddata serverless_lens, collectstatic")
    prepare_database()
    review_id, names = create_workshop(1, "Floor bench", prefix="floor")
    floor_review_id, _ = create_workshop(1, "Floor bench (floor save)", prefix="floor")
    keys = question_keys()
    floor_answer, _ = Answer.objects.get_or_create(
        review_id=floor_review_id,
        question=Question.objects.filter(pillar__lens__slug="serverless").order_by("pk").first(),
    )
    connections.close_all()

    port = free_port()
    progress(f"starting gunicorn on {HOST}:{port} with {SETTINGS}")
    server = start_gunicorn(port, {**server_env(cache_url), "DJANGO_SETTINGS_MODULE": SETTINGS})
    results: dict[str, Result] = {}
    try:
        browser = Browser(HOST, port)
        browser.sign_in(names[0], PASSWORD)
        cookies = dict(browser.cookies)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        signed_in = {"Cookie": cookie}
        posting = {
            **signed_in,
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": cookies["csrftoken"],
            "Referer": f"http://{HOST}:{port}/",
            "HX-Request": "true",
        }
        first_key = next(iter(keys))
        save_path = f"/reviews/{review_id}/answers/"
        sample = f"question={first_key}&choices={keys[first_key][0]}&notes=bench+sample"

        app_save = Target(
            "answer save",
            "POST",
            save_path,
            200,
            {**posting, "x-bench-sample": sample, "x-bench-keys": ",".join(keys)},
            lua=save_script(save_path, keys),
            floor="floor: optimistic save",
        )
        floor_save_path = f"/floor/save/{floor_review_id}/{floor_answer.pk}/"
        floor_save = Target(
            "floor: optimistic save",
            "POST",
            floor_save_path,
            200,
            posting,
            lua=floor_save_script(floor_save_path),
            body="version=0&notes=floor",
        )
        targets_before_refresh = [app_save, floor_save]
        progress("checking each request once")
        for target in targets_before_refresh:
            check(browser, target, cookies)
        for target in targets_before_refresh:
            server_pids = process_tree(server.pid)
            progress(f"{target.name}: {SECONDS:.0f} s")
            results[target.name] = measure(port, target, server_pids, cookies, script_dir)
            progress(f"  {results[target.name]}")

        # The refreshes: the last save touched one question; the poll of a page showing it.
        browser.request("POST", save_path, dict(p.split("=", 1) for p in sample.split("&")), posting)
        revision = Review.objects.values_list("revision", flat=True).get(pk=review_id)
        page = f"question:{first_key}"
        _, body = browser.request(
            "GET", f"/reviews/{review_id}/live/?{urlencode({'page': page, 'rev': 0})}", None, {"HX-Request": "true"}
        )
        seen = re.search(rb'&quot;seen&quot;: &quot;([0-9a-f]+)&quot;|"seen": "([0-9a-f]+)"', body)
        token = (seen.group(1) or seen.group(2)).decode()
        query = {"page": page, "seen": token, "lead": "", "by": ""}
        poll = {**signed_in, "HX-Request": "true"}
        targets = [
            Target(
                "live refresh, unchanged",
                "GET",
                f"/reviews/{review_id}/live/?{urlencode({**query, 'rev': revision})}",
                204,
                poll,
                floor="floor: conditional GET",
            ),
            Target(
                "floor: conditional GET",
                "GET",
                f"/floor/conditional/{review_id}/",
                304,
                {**signed_in, "If-None-Match": f'"{revision}"'},
            ),
            Target(
                "live refresh, changed",
                "GET",
                f"/reviews/{review_id}/live/?{urlencode({**query, 'rev': revision - 1})}",
                200,
                poll,
                floor="floor: optimistic save",
            ),
            Target(
                "question page",
                "GET",
                f"/reviews/{review_id}/questions/{first_key}/",
                200,
                signed_in,
                floor="floor: request.user",
            ),
            Target("floor: request.user", "GET", "/floor/user/", 200, signed_in),
            Target("/livez", "GET", "/livez", 200, {}, floor="floor: trivial view"),
            Target("floor: trivial view", "GET", "/floor/trivial/", 200, {}),
        ]
        for target in targets:
            check(browser, target, cookies)
        for target in targets:
            server_pids = process_tree(server.pid)
            progress(f"{target.name}: {SECONDS:.0f} s")
            results[target.name] = measure(port, target, server_pids, cookies, script_dir)
            progress(f"  {results[target.name]}")
        progress("counting queries")
        connections.close_all()
        counts = count_queries(targets, names[0], cookies)  # the refreshes first: the saves move the revision
        counts |= count_queries(targets_before_refresh, names[0], cookies)
        targets = targets_before_refresh + targets
    finally:
        stop(server)
        shutil.rmtree(cache_dir, ignore_errors=True)
        shutil.rmtree(script_dir, ignore_errors=True)

    driver = (
        f"wrk, {CONNECTIONS} connections"
        if shutil.which("wrk")
        else f"a thread-based client ({min(CONNECTIONS, 8)} connections; wrk is not installed)"
    )
    load = os.getloadavg()
    table = [
        "| request | queries | server CPU ms per request (gunicorn + PostgreSQL) | req/s | p50 / p99 ms | errors "
        "| floor | CPU ratio to the floor | throughput ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for target in targets:
        result = results[target.name]
        floor = results.get(target.floor)
        ratio = f"{result.cpu_ms / floor.cpu_ms:.2f}×" if floor else ""
        throughput = f"{floor.rate / result.rate:.2f}×" if floor else ""
        table.append(
            f"| {target.name} | {counts[target.name]} | {result.cpu_ms:.2f} ({result.server_cpu / result.served * 1000:.2f} "
            f"+ {result.db_cpu / result.served * 1000:.2f}) | {result.rate:.0f} | {result.p50_ms:.1f} / "
            f"{result.p99_ms:.1f} | {result.errors} | {target.floor.removeprefix('floor: ') if floor else ''} | {ratio} "
            f"| {throughput} |"
        )
    report = (
        f"\n## Floor of the stack (issue 16) ({date.today().isoformat()}, {os.cpu_count()} cores)\n\n"
        f"`bench/floor_load.py`: one gunicorn ({WORKERS} sync workers, production settings and middleware, "
        "CACHE_URL a file cache shared by the workers, so sessions are cached_db) serving the app and the floor "
        "views of `bench/floor/` (a bench-only URLconf); PostgreSQL on loopback from `scripts/with-postgres.sh`. "
        f"Each request driven by {driver} for {SECONDS:.0f} s after {WARMUP_SECONDS} s of warm-up; CPU is what "
        "gunicorn (master and workers) and PostgreSQL used meanwhile, per request answered. The ratios divide "
        "the app's CPU per request by its floor's, and the floor's throughput by the app's. Load average at "
        f"the end: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (the 2 cores are shared with other work; CPU "
        "per request moves much less with it than throughput does).\n\n" + "\n".join(table) + "\n"
    )
    print(report)
    with open(REPORT, "a", encoding="utf-8") as fh:
        fh.write(report)


if __name__ == "__main__":
    main()
