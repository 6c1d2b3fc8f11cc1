"""Read a workload archive (export_workload, the workload page, the API) as a new workload."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewapp.archives import WorkloadArchiveError, workload_from_archive

EXIT_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Import a workload archive as a new workload owned by --user. The lens versions it uses must exist "
        "here; members unknown here are left out (listed as warnings). A bad archive is refused whole: each "
        "problem is printed with its place and nothing is imported (exit status 2)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive (JSON).")
        parser.add_argument("--user", required=True, help="Username of the new workload's owner.")

    def handle(self, *args, file: str, user: str, **options):
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user {user!r}.")
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.", returncode=EXIT_REFUSED) from None
        try:
            result = workload_from_archive(data=raw, user=owner)
        except WorkloadArchiveError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            count = len(exc.messages)
            raise CommandError(
                f"{file} was not imported: {count} problem{'s' if count > 1 else ''}.", returncode=EXIT_REFUSED
            ) from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        workload = result.workload
        self.stdout.write(f"Imported {workload.name} as workload {workload.pk}: {workload.reviews.count()} reviews.")
