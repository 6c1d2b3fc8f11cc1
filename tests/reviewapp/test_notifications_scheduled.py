"""Scheduled notices (reviewapp/notifications/scheduled.py) and the scheduler (reviewapp/scheduling.py):
items due in 3 days or overdue are told to their owner once per item and day, however many
workers and schedulers run the check at the same time.
"""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import formats, timezone, translation

from reviewapp.bank import load_bank
from reviewapp.models import ImprovementItem, Notification, NotificationKind, PersonalSettings, SentOnce
from reviewapp.notifications.scheduled import check_due_items, due_items
from reviewapp.scheduling import SCHEDULE

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def items(review, alice, bob, vera):
    """Bob's item due in 3 days, vera's overdue, alice's overdue; and items nobody is to hear of."""
    for user in (alice, bob, vera):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
        PersonalSettings.objects.create(user=user, language="en")
    today = timezone.localdate()
    bank = load_bank(review.lens)

    def item(key, owner, due, status=ImprovementItem.Status.OPEN):
        return ImprovementItem.objects.create(
            review=review, choice=bank.practice(key), owner=owner, due_date=due, status=status
        )

    told = [
        item("p1_q1_a1", bob, today + timedelta(days=3)),
        item("p1_q1_a2", vera, today - timedelta(days=1)),
        item("p1_q2_a1", alice, today - timedelta(days=30), ImprovementItem.Status.IN_PROGRESS),
    ]
    item("p1_q2_a2", bob, today + timedelta(days=2))  # told 3 days before, not every day until then
    item("p1_q2_a3", bob, today - timedelta(days=1), ImprovementItem.Status.DONE)
    item("p2_q1_a1", None, today - timedelta(days=1))  # nobody's
    item("p2_q1_a2", bob, None)
    return told


def test_it_finds_items_due_in_three_days_and_overdue_ones(items):
    found = due_items(timezone.localdate())

    assert [(item.pk, kind) for item, kind in found] == [
        (items[2].pk, NotificationKind.OVERDUE),
        (items[1].pk, NotificationKind.OVERDUE),
        (items[0].pk, NotificationKind.DUE_SOON),
    ]


def test_the_check_tells_each_owner_once_a_day(items, bob, vera, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert check_due_items.call() == 3
        assert check_due_items.call() == 0  # the hourly run after: nothing again today

    with translation.override("en"):
        soon, late, later = (formats.date_format(item.due_date, "DATE_FORMAT") for item in items)
    assert sorted(m.subject for m in mail.outbox) == sorted(
        [
            f"“Practice 1” in Shop is due {soon}.",
            f"“Practice 2” in Shop was due {late} and is not done yet.",
            f"“Practice 1” in Shop was due {later} and is not done yet.",
        ]
    )
    assert [m.to for m in mail.outbox if "is due" in m.subject] == [["bob@example.com"]]
    assert f"https://review.example.com/wa/reviews/{items[0].review_id}/plan/" in mail.outbox[0].body
    assert SentOnce.objects.count() == 3


def test_a_new_day_tells_of_an_overdue_item_again(items, django_capture_on_commit_callbacks):
    from reviewapp.notifications.scheduled import notice_once

    overdue = items[1]
    today = timezone.localdate()
    assert notice_once(item=overdue, kind=NotificationKind.OVERDUE, day=today)
    assert not notice_once(item=overdue, kind=NotificationKind.OVERDUE, day=today)
    assert notice_once(item=overdue, kind=NotificationKind.OVERDUE, day=today + timedelta(days=1))
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE, recipient=overdue.owner).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_each_mail_once(items):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(check_due_items.call())
        except Exception as error:  # shown by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results) in ([0, 3], [1, 2])  # split however the race went, 3 in all
    assert sum(results) == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com", "vera@example.com"]
    assert Notification.objects.count() == 3 and SentOnce.objects.count() == 3


WORKER = """
import django
django.setup()
from django.conf import settings
settings.TASKS = {tasks!r}
settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = {folder!r}
from django.core.management import call_command
call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1, verbosity=0)
"""


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_and_two_worker_processes_send_each_mail_once(items, tmp_path, settings):
    settings.TASKS = DATABASE_QUEUE
    call_command("run_scheduler", once=True, verbosity=0)  # two schedulers queue the same jobs
    call_command("run_scheduler", once=True, verbosity=0)
    db = connection.settings_dict
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    script = WORKER.format(tasks=DATABASE_QUEUE, folder=str(tmp_path))
    workers = [
        subprocess.Popen([sys.executable, "-c", script], cwd=Path(settings.BASE_DIR), env=env, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()

    sent = [
        message_from_bytes(part.strip().encode())
        for path in tmp_path.iterdir()
        for part in path.read_text().split("-" * 79)
        if part.strip()
    ]
    assert sorted(m["To"] for m in sent) == ["alice@example.com", "bob@example.com", "vera@example.com"]
    assert all(m.get_content_type() == "multipart/alternative" for m in sent)
    assert Notification.objects.filter(email_state="sent").count() == 3


def test_the_schedule_holds_the_checks_the_digest_and_the_tracker_pull():
    assert {entry.name: entry.crontab for entry in SCHEDULE} == {
        "reviewapp.notifications.scheduled.check_due_items": "0 8-20 * * *",
        "reviewapp.notifications.emails.send_digests": "0 8-20 * * *",
        "reviewapp.notifications.scheduled.prune_notifications": "30 3 * * *",
        "reviewapp.trackers.sync.pull_all_connected_workloads": "*/15 * * * *",
    }


def test_pruning_forgets_old_read_notifications_and_old_claims(items, bob, django_capture_on_commit_callbacks):
    from reviewapp.notifications.scheduled import prune_notifications

    check_due_items.call()
    today = timezone.localdate()
    old, recent, unread = Notification.objects.order_by("pk")[:3]
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now() - timedelta(days=91))
    Notification.objects.filter(pk=recent.pk).update(read_at=timezone.now() - timedelta(days=89))
    SentOnce.objects.filter(pk=SentOnce.objects.earliest("pk").pk).update(day=today - timedelta(days=8))

    assert prune_notifications.call() == 2

    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, unread.pk}
    assert SentOnce.objects.count() == 2 and not SentOnce.objects.filter(day__lt=today).exists()


def test_run_scheduler_once_queues_every_periodic_job(items, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", once=True)

    assert "queued reviewapp.notifications.scheduled.check_due_items" in capsys.readouterr().out
    assert len(mail.outbox) == 3  # the immediate backend of the tests ran them


def test_the_scheduler_process_starts_and_stops_on_sigterm():
    import signal
    import time

    env = os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_scheduler"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(3)
        assert process.poll() is None, process.stderr.read().decode()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err.decode()
    assert "reviewapp.notifications.scheduled.check_due_items: 0 8-20 * * *" in out.decode()
