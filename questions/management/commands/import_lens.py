"""Read an AWS Well-Architected custom lens JSON file into a new lens (or a new version of one)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from questions.interchange import LensImportError, lens_from_aws
from questions.models import Lens

EXIT_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Import an AWS Well-Architected custom lens JSON file as a new lens, or a new version of --slug. "
        "A bad file is refused whole: each problem is printed and nothing is imported (exit status 2)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names the lens version, replacing Django's (which prints Django's).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", help="The custom lens JSON file.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the file's texts; the other language stays empty.",
        )
        parser.add_argument("--slug", help="Slug of the lens (default: from its name).")
        parser.add_argument("--version", dest="lens_version", help="Version (default: the slug's next one).")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the lens (default: a draft), under the same rules as the admin's publish page.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Import even when a version of the lens already has the same content (default: refuse).",
        )

    def handle(self, *args, file: str, language: str, slug, lens_version, publish: bool, force: bool, **options):
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.", returncode=EXIT_REFUSED) from None
        status = Lens.Status.PUBLISHED if publish else Lens.Status.DRAFT
        try:
            lens = lens_from_aws(raw, language=language, slug=slug, version=lens_version, status=status, force=force)
        except LensImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            count = exc.total
            raise CommandError(
                f"{file} was not imported: {count} problem{'s' if count > 1 else ''}.", returncode=EXIT_REFUSED
            ) from None
        questions = sum(pillar.questions.count() for pillar in lens.pillars.all())
        with translation.override(language):  # the lens's name and status in the language asked for
            self.stdout.write(
                f"Imported {lens.name} as {lens.slug} version {lens.version} ({lens.get_status_display()}): "
                f"{lens.pillars.count()} pillars, {questions} questions."
            )
