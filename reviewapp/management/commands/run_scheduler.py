"""Queue the periodic jobs of reviewapp.scheduling.SCHEDULE at their times (runs until stopped)."""

import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from reviewapp.scheduling import SCHEDULE


def _enqueue(entry) -> None:
    close_old_connections()  # the scheduler runs for days: never use a connection the database dropped
    entry.enqueue()


class Command(BaseCommand):
    help = "Queue the periodic jobs (due-date checks, digests) on the task queue at their times."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Queue every periodic job now, then exit.")

    def handle(self, *args, once: bool = False, **options):
        if once:
            for entry in SCHEDULE:
                entry.enqueue()
                self.stdout.write(f"queued {entry.name}")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for entry in SCHEDULE:
            scheduler.add_job(
                _enqueue,
                CronTrigger.from_crontab(entry.crontab, timezone=settings.TIME_ZONE),
                args=[entry],
                id=entry.name,
                name=entry.name,
                coalesce=True,  # after a pause, one run rather than each one missed
                max_instances=1,
                misfire_grace_time=600,
            )
            if options["verbosity"] > 0:
                self.stdout.write(f"{entry.name}: {entry.crontab} ({settings.TIME_ZONE})")
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        try:
            scheduler.start()
        except KeyboardInterrupt:
            pass
