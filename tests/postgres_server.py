"""Stopping and starting the test's own PostgreSQL cluster (the one scripts/with-postgres.sh made),
as a minor upgrade or a failover does: a fast shutdown, then a start on the same port and data."""

import os
import subprocess

import pytest

NEEDED = ("PG_BINDIR", "PG_DATA", "PG_LOG", "PG_OPTIONS")


class PostgresCluster:
    def __init__(self):
        missing = [name for name in NEEDED if not os.environ.get(name)]
        if missing:
            pytest.skip(f"run through scripts/with-postgres.sh, which exports {', '.join(missing)}")
        self.env = {name: os.environ[name] for name in NEEDED}
        self.run_as = os.environ.get("PG_RUN_AS", "")

    def _pg_ctl(self, *args: str) -> None:
        command = [f"{self.env['PG_BINDIR']}/pg_ctl", "-D", self.env["PG_DATA"], *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        """A fast shutdown: open transactions are rolled back, connections are closed."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        self._pg_ctl("-l", self.env["PG_LOG"], "-w", "-o", self.env["PG_OPTIONS"], "start")
