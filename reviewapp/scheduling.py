"""Periodic jobs: the task queue (django-tasks) has no clock, so ``manage.py run_scheduler`` queues
each task of ``SCHEDULE`` at its times (APScheduler's cron triggers, in settings.TIME_ZONE); the
workers (``db_worker``) run them.

Adding a periodic job is one line in ``SCHEDULE``: a django-tasks task and a crontab (minute,
hour, day of month, month, day of week). The scheduler only queues; a task that must not act twice
(a mail per item and day) makes that hold in the database itself, because a second scheduler or a
job run again after a crash must do no harm.
"""

from dataclasses import dataclass

from django_tasks.base import Task

from .notifications.emails import send_digests
from .notifications.scheduled import check_due_items, prune_notifications
from .trackers.sync import pull_all_connected_workloads


@dataclass(frozen=True)
class Periodic:
    task: Task
    crontab: str

    @property
    def name(self) -> str:
        return self.task.module_path

    def enqueue(self) -> None:
        self.task.enqueue()


SCHEDULE: list[Periodic] = [
    # Hourly through the working day: the first run tells, later ones catch up after downtime.
    Periodic(check_due_items, "0 8-20 * * *"),
    Periodic(send_digests, "0 8-20 * * *"),
    Periodic(prune_notifications, "30 3 * * *"),
    # Issues closed or reopened in a tracker reach the plan within 15 minutes without its webhook.
    Periodic(pull_all_connected_workloads, "*/15 * * * *"),
]
