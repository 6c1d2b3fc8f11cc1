"""Write a lens as an AWS Well-Architected custom lens JSON file, in one language."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.interchange import export_warnings, lens_to_aws, validate_aws_lens
from questions.models import Choice, Lens


class Command(BaseCommand):
    help = "Export a lens as an AWS Well-Architected custom lens JSON file (one language a file)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version names the lens version, replacing Django's (which prints Django's).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Slug of the lens, e.g. serverless.")
        parser.add_argument("--version", dest="lens_version", help="Lens version (default: the latest published).")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default=settings.LANGUAGE_CODE
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, slug: str, lens_version: str | None, language: str, output: str | None, **options):
        lens = _find_lens(slug, lens_version)
        data = lens_to_aws(lens, language=language)
        for problem in validate_aws_lens(data):
            self.stderr.write(f"warning: {problem}")
        for warning in export_warnings(lens, language=language):
            self.stderr.write(f"warning: {warning}")
        nones = Choice.objects.filter(question__pillar__lens=lens, is_none=True).exclude(key__endswith="_no")
        for key in nones.values_list("key", flat=True):
            self.stderr.write(
                f'warning: "None of these" choice "{key}" does not end in _no: AWS takes it as a practice'
            )
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {lens.slug} version {lens.version} ({language}) to {output}.")
        else:
            self.stdout.write(text, ending="")


def _find_lens(slug: str, version: str | None) -> Lens:
    lenses = Lens.objects.filter(slug=slug)
    if version is not None:
        lens = lenses.filter(version=version).first()
    else:
        lens = lenses.published().order_by("-version").first() or lenses.order_by("-version").first()
    if lens is None:
        raise CommandError(f"No lens {slug!r}" + (f" version {version!r}." if version else "."))
    return lens
