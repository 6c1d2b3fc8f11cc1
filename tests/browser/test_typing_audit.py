"""The randomised browser audit of the no-loss invariant (bench/typing_audit.py), short: four
participants for a minute, with random delays, dropped saves and answers lost on the way back.

Seeded: ``AUDIT_SEED=1234 make test PYTEST_ARGS=tests/browser/test_typing_audit.py`` replays a run.
``make bench`` runs the long one (ten participants, two minutes).
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command

from bench.typing_audit import CHROMIUM, audit, explain, run_audit
from reviewapp.bank import load_bank
from reviewapp.models import Role

from ..factories import add_member, make_user, make_workload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KEYS = ["ops_q1", "sec_q1", "rel_q1"]


def test_it_loses_and_doubles_nothing_typed_ticked_or_marked_by_four_people_at_random(live_server):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from questions.models import Lens

    call_command("loaddata", "serverless_lens", verbosity=0)
    owner = make_user("owner0", password="audit-pass-0001")
    workload = make_workload(owner, name="Audit", lens=Lens.objects.get(slug="serverless"))
    people = [("owner0", "audit-pass-0001")]
    for number in range(1, 4):
        add_member(workload, make_user(f"typist{number}", password="audit-pass-0001"), Role.CONTRIBUTOR)
        people.append((f"typist{number}", "audit-pass-0001"))
    review = workload.reviews.get()
    bank = load_bank(review.lens)
    choices = {key: [c.key for c in bank.by_key[key].choices if not c.is_none] for key in KEYS}
    seed = int(os.environ.get("AUDIT_SEED", 20261201))
    logs = []
    worker = threading.Thread(  # the audit runs its own asyncio loop, apart from the sync browser tests
        target=lambda: logs.append(
            run_audit(
                base_url=live_server.url,
                people=people,
                review_id=review.pk,
                keys=KEYS,
                choices=choices,
                seconds=float(os.environ.get("AUDIT_SECONDS", 60)),
                seed=seed,
            )
        )
    )
    worker.start()
    worker.join()

    result = audit(logs[0], review.pk)
    print(f"seed {seed}: {result.summary()}")
    assert result.edits > 50 and result.tokens > 10 and result.practice_marks > 0
    if result.lost or result.duplicated:
        print(explain(logs[0], result, review.pk))
    assert result.lost == [], f"seed {seed}: {result.summary()}"
    assert result.duplicated == [], f"seed {seed}: {result.summary()}"
    assert result.unsettled == [], f"seed {seed}: {result.summary()}"
