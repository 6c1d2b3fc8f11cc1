"""The whole-site backup of docs/deployment.md: pg_dump of the database, pg_restore into a fresh one.

The test runs the documented commands against the test database and checks that the restored
answers and their history equal the originals. It needs PostgreSQL's client programs; it skips
(saying why) only when pg_dump or pg_restore is missing on this machine. CI has them.
"""

import glob
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.milestones import milestone_create

from .factories import make_lens, make_user, make_workload

TABLES = [
    "reviewapp_answer",
    "reviewapp_answer_selected_choices",
    "reviewapp_answerchange",
    "reviewapp_milestoneanswer",
    "reviewapp_improvementitem",
]


def _client_program(name: str) -> str | None:
    """The newest PostgreSQL's own ``name`` (the test server is the newest one), else the one on PATH."""
    for path in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_major, reverse=True):
        return path
    return shutil.which(name)


def _major(path: str) -> int:
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0


PG_DUMP, PG_RESTORE = _client_program("pg_dump"), _client_program("pg_restore")
needs_client = pytest.mark.skipif(
    not (PG_DUMP and PG_RESTORE),
    reason="pg_dump/pg_restore not found (install PostgreSQL's client programs: apt-get install postgresql-client)",
)


def _url(database: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgresql://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{database}"


def _rows(cursor) -> dict[str, list[str]]:
    """Every row of the tables as JSON text (the same on both connections: UTC, JSON columns as JSON)."""
    cursor.execute("SET TIME ZONE 'UTC'")
    rows = {}
    for table in TABLES:
        cursor.execute(f'SELECT to_jsonb(t)::text FROM "{table}" t ORDER BY 1')  # noqa: S608 - fixed table names
        rows[table] = [row[0] for row in cursor.fetchall()]
    return rows


@needs_client
@pytest.mark.django_db(transaction=True)
def test_it_restores_answers_and_their_history_from_a_pg_dump(tmp_path):
    alice, bob = make_user("alice"), make_user("bob")
    workload = make_workload(alice, lens=make_lens())
    review = workload.reviews.get()
    bank = load_bank(review.lens)
    for user, keys, notes in ((alice, {"p1_q1_a1"}, "첫 번째"), (bob, {"p1_q1_a1", "p1_q1_a2"}, "*second*")):
        answer_save(
            review=review,
            item=bank.by_key["p1_q1"],
            user=user,
            state=AnswerState(choices=frozenset(keys), applicable=True, reason="", notes=notes),
        )
    milestone_create(review=review, name="M1", user=alice)
    with connection.cursor() as cursor:
        original = _rows(cursor)
    assert len(original["reviewapp_answerchange"]) == 2

    dump = tmp_path / "site.dump"
    source = connection.settings_dict["NAME"]
    # The commands of docs/deployment.md, "Backups".
    subprocess.run([PG_DUMP, "--format=custom", "--no-owner", f"--file={dump}", _url(source)], check=True)
    restored = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            [
                PG_RESTORE,
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={_url(restored)}",
                str(dump),
            ],
            check=True,
        )
        with psycopg.connect(_url(restored)) as other, other.cursor() as cursor:
            assert _rows(cursor) == original
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
