"""The throwaway server of the load benchmarks: settings, database, a workshop's people, gunicorn,
and the CPU and memory of its processes. Only 127.0.0.1 is contacted."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # the only address the load benchmarks talk to
WORKERS = 3
PASSWORD = "workshop-bench-password-7310"
SECRET_KEY = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
REPORT = Path(os.environ.get("BENCH_REPORT", ROOT / "docs" / "benchmarks.md"))  # where sections are appended


def server_env(cache_url: str | None) -> dict:
    """Production settings on loopback; CACHE_URL only when given."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXY_COUNT": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "ERROR",  # not a warning line per 409
    }
    env.pop("CACHE_URL", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def django_setup(cache_url: str | None = None) -> None:
    """Django in this process, with the server's settings (for setting up and checking the database)."""
    os.environ.update(server_env(cache_url))
    if cache_url is None:
        os.environ.pop("CACHE_URL", None)
    import django

    django.setup()


def prepare_database() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("loaddata", "serverless_lens", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def create_workshop(count: int, name: str, *, prefix: str = "participant") -> tuple[int, list[str]]:
    """One workload with a Serverless Lens review, an owner and ``count`` contributors; returns (review id, usernames)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from questions.models import Lens
    from reviewapp.models import Membership, Role
    from reviewapp.workloads import workload_create

    User = get_user_model()
    hashed = make_password(PASSWORD)  # hashed once: 50 PBKDF2 runs would only slow the set-up down
    owner, _ = User.objects.get_or_create(username="workshop-owner", defaults={"password": hashed})
    lens = Lens.objects.get(slug="serverless")
    workload = workload_create(
        user=owner, lenses=[lens], name=name, description="bench", review_owner="Bench team", regions=["ap-northeast-2"]
    )
    names = [f"{prefix}{i:02d}" for i in range(1, count + 1)]
    for username in names:
        user, _ = User.objects.get_or_create(username=username, defaults={"password": hashed})
        Membership.objects.get_or_create(workload=workload, user=user, defaults={"role": Role.CONTRIBUTOR})
    return workload.reviews.get().pk, names


def question_keys() -> dict[str, list[str]]:
    """Each question of the Serverless Lens with its choices other than "None of these", in order."""
    from questions.models import Choice

    keys: dict[str, list[str]] = {}
    choices = Choice.objects.filter(question__pillar__lens__slug="serverless", is_none=False)
    for question_key, choice_key in choices.order_by("question__pillar__order", "question__order", "order").values_list(
        "question__key", "key"
    ):
        keys.setdefault(question_key, []).append(choice_key)
    return keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, env: dict, workers: int = WORKERS) -> subprocess.Popen:
    """gunicorn with sync workers on a loopback port; returns once /livez answers (at most 60 s)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as s:
                s.sendall(f"GET /livez HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not answer /livez within 60 s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (Linux /proc), 0 for those gone."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def machine_busy_seconds() -> float:
    """CPU time spent by the whole machine, all cores, other than idle and I/O wait (Linux /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def rss_mib(pids: list[int]) -> list[float]:
    """Resident memory of each process (Linux /proc), in MiB."""
    sizes = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        sizes += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")]
    return sizes


def process_tree(pid: int) -> list[int]:
    """The process and its children (gunicorn's master and workers)."""
    found = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def postgres_pids() -> list[int]:
    """The processes of this benchmark's PostgreSQL cluster (its postmaster and children), if it is local."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
        data_directory = cursor.fetchone()[0]
    try:
        postmaster = int((Path(data_directory) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    return process_tree(postmaster)
