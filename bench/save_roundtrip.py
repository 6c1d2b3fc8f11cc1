"""Save round trip and page timings of one review under gunicorn + PostgreSQL.

Run by `make bench` inside scripts/with-postgres.sh (DATABASE_URL set). Starts gunicorn
with production settings on a free loopback port, signs in as the demo user, saves an
answer 200 times (alternating choice sets) and reads the review pages, then prints a
Markdown table and appends it to docs/benchmarks.md.
"""

import os
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.client import Browser  # noqa: E402

SAVES = int(os.environ.get("BENCH_SAVES", "200"))
PAGE_READS = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(*args: str, env: dict) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXY_COUNT": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    manage("collectstatic", "--noinput", env=env)
    manage("migrate", "--noinput", env=env)
    manage("loaddata", "serverless_lens", env=env)
    out = manage("seed_demo", env=env)
    password = re.search(r"password '([^']+)'", out).group(1)
    review_id = manage(
        "shell",
        "--no-imports",
        "-c",
        "from reviewapp.models import Review; print(Review.objects.latest('pk').pk)",
        env=env,
    ).strip()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        browser = Browser("127.0.0.1", port)
        browser.sign_in("demo", password)
        sets = [["ops_ops_q1_a1"], ["ops_ops_q1_a1", "ops_ops_q1_a2"], ["ops_ops_q1_no"]]
        hx = {"HX-Request": "true"}
        for i in range(20):  # warm up every worker
            browser.request(
                "POST", f"/reviews/{review_id}/answers/", {"question": "ops_q1", "choices": sets[i % 3]}, hx
            )
        saves = []
        for i in range(SAVES):
            seconds, status, _ = browser.timed(
                "POST",
                f"/reviews/{review_id}/answers/",
                {"question": "ops_q1", "choices": sets[i % 3], "notes": f"note {i}"},
                hx,
            )
            assert status == 200, status
            saves.append(seconds * 1000)
        pages = {}
        for name, path in [
            ("review overview", f"/reviews/{review_id}/"),
            ("one question", f"/reviews/{review_id}/questions/sec_q2/"),
            ("pillar list (SEC)", f"/reviews/{review_id}/pillars/security/"),
            ("workload list", "/"),
        ]:
            times = []
            for _ in range(PAGE_READS):
                seconds, status, _ = browser.timed("GET", path)
                assert status == 200, (path, status)
                times.append(seconds * 1000)
            pages[name] = times
    finally:
        server.terminate()
        server.wait(10)

    rows = [("answer save (htmx POST)", saves), *pages.items()]
    table = ["| request | n | median ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    for name, values in rows:
        table.append(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} "
            f"| {max(values):.1f} |"
        )
    report = (
        f"\n## Save round trip and pages ({date.today().isoformat()}, {os.cpu_count()} cores)\n\n"
        "gunicorn, 3 sync workers, production settings, PostgreSQL on loopback, one signed-in client "
        "with keep-alive, sequential requests (`bench/save_roundtrip.py`).\n\n" + "\n".join(table) + "\n"
    )
    print(report)
    with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
        fh.write(report)


if __name__ == "__main__":
    main()
