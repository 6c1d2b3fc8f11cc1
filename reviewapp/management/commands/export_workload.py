"""Write a workload with everything it holds as one JSON archive (format wa-workload-archive, version 1)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviewapp.archives import workload_archive
from reviewapp.models import Workload


class Command(BaseCommand):
    help = (
        "Export a workload (fields, members, reviews with every answer and its history, improvement items, "
        "milestones) as a JSON archive, to standard output or --output FILE. import_workload reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("workload_id", type=int, help="Id of the workload.")
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, workload_id: int, output: str | None, **options):
        workload = Workload.objects.filter(pk=workload_id).first()
        if workload is None:
            raise CommandError(f"No workload {workload_id}.")
        body = json.dumps(workload_archive(workload), ensure_ascii=False, indent=2)
        if output:
            Path(output).write_text(body + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote {workload.name} to {output}.")
        else:
            self.stdout.write(body)
