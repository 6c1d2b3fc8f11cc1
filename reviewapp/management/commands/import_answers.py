"""Import answers exported from the AWS Well-Architected Tool (ListAnswers / GetAnswer JSON) into a review."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewapp.aws_answers import AnswerImportError, answers_from_aws
from reviewapp.models import Review

EXIT_REFUSED = 2


class Command(BaseCommand):
    help = (
        "Import the answers of an AWS Well-Architected Tool ListAnswers or GetAnswer JSON file (or a list of "
        "answers) into a review. A bad file is refused whole: each problem is printed, nothing changes (exit 2)."
    )

    def add_arguments(self, parser):
        parser.add_argument("review_id", type=int, help="Id of the review.")
        parser.add_argument("file", help="The JSON file.")
        parser.add_argument("--user", help="Username recorded as the one who saved the answers.")

    def handle(self, *args, review_id: int, file: str, user: str | None, **options):
        review = Review.objects.select_related("lens", "workload").filter(pk=review_id).first()
        if review is None:
            raise CommandError(f"No review {review_id}.")
        saver = None
        if user:
            saver = get_user_model().objects.filter(username=user).first()
            if saver is None:
                raise CommandError(f"No user {user!r}.")
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.", returncode=EXIT_REFUSED) from None
        try:
            summary = answers_from_aws(review=review, data=raw, user=saver)
        except AnswerImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            count = exc.total
            raise CommandError(
                f"{file} was not imported: {count} problem{'s' if count > 1 else ''}.", returncode=EXIT_REFUSED
            ) from None
        for warning in summary.warnings:
            self.stderr.write(f"warning: {warning}")
        risks = ", ".join(f"{risk} {count}" for risk, count in summary.risks.items()) or "none"
        self.stdout.write(
            f"Review {review.pk} ({review.workload.name}, lens {review.lens.slug} {review.lens.version}): "
            f"{len(summary.updated)} answers updated, {len(summary.unchanged)} unchanged. Risks: {risks}."
        )
