"""Sync connected workloads with their issue trackers now, both ways (what the periodic pull queues)."""

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import TrackerConnection
from reviewapp.trackers.sync import sync_tracker_workload


class Command(BaseCommand):
    help = "Sync the improvement items of connected workloads with their issue trackers, in this process."

    def add_arguments(self, parser):
        parser.add_argument("--workload", type=int, help="Only this workload (its id).")

    def handle(self, *args, workload=None, **options):
        connections = TrackerConnection.objects.select_related("workload").order_by("workload_id")
        if workload is not None:
            connections = connections.filter(workload_id=workload)
            if not connections:
                raise CommandError(f"Workload {workload} is not connected to an issue tracker.")
        for connection in connections:
            outcome = sync_tracker_workload.call(workload_pk=connection.workload_id)
            self.stdout.write(f"{connection.workload.name}: {outcome}")
