"""Create (or refresh) the demo account and a sample workload with a partly answered review."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from questions.models import Lens, Profile
from questions.profiles import answers_problems
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Review, Workload
from reviewapp.profiles import workload_profile_set
from reviewapp.workloads import workload_create

SAMPLE_NAME = "Serverless booking service (demo)"
# question key -> (selected choice keys, applicable, reason, notes)
SAMPLE_ANSWERS = {
    "ops_q1": (
        ["ops_ops_q1_a1", "ops_ops_q1_a2", "ops_ops_q1_a3", "ops_ops_q1_a4"],
        True,
        "",
        "CloudWatch dashboards per service; X-Ray **active tracing** on every function.",
    ),
    "ops_q2": (["ops_ops_q2_a1", "ops_ops_q2_a3"], True, "", "SAM templates; canary deploys via CodeDeploy."),
    "sec_q1": (["sec_sec_q1_no"], True, "", "Public API has no authorizer yet."),
    "sec_q2": (["sec_sec_q2_a2", "sec_sec_q2_a3"], True, "", ""),
    "cost_q1": ([], False, "BUSINESS_PRIORITIES", "Cost is reviewed by the FinOps team separately."),
}


# The sample workload's answers to the example profile (questions/fixtures/serverless_profile.json), when loaded.
SAMPLE_PROFILE = "serverless-context"
SAMPLE_PROFILE_ANSWERS = {"public_api": ["public_api_yes"], "main_constraint": ["constraint_availability"]}


class Command(BaseCommand):
    help = "Create the demo account (new password each run) and a sample workload with a partly answered review."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--lens", default="serverless", help="Slug of the lens for the sample review.")

    @transaction.atomic
    def handle(self, *args, username: str, lens: str, **options):
        lens_obj = Lens.objects.published().filter(slug=lens).order_by("-version").first()
        if lens_obj is None:
            raise CommandError(f"No published lens {lens!r}: load the question bank first (make run does).")
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
        if not Workload.objects.filter(name=SAMPLE_NAME, memberships__user=user).exists():
            self._create_sample(user, lens_obj)
        self.stdout.write(self.style.SUCCESS(f"Demo account: username {username!r}, password {password!r}"))

    def _create_sample(self, user, lens: Lens) -> None:
        workload = workload_create(
            user=user,
            lenses=[lens],
            name=SAMPLE_NAME,
            description="Ticket booking API on API Gateway, Lambda, DynamoDB and Step Functions.",
            environment=Workload.Environment.PRODUCTION,
            regions=["ap-northeast-2"],
            review_owner="Demo team <demo@example.com>",
            industry="Travel",
        )
        review = Review.objects.get(workload=workload, lens=lens)
        bank = load_bank(lens)
        for key, (choices, applicable, reason, notes) in SAMPLE_ANSWERS.items():
            item = bank.by_key.get(key)
            if item is None:
                continue
            answer_save(
                review=review,
                item=item,
                user=user,
                state=AnswerState(choices=frozenset(choices), applicable=applicable, reason=reason, notes=notes),
            )
        profile = Profile.objects.latest_published(SAMPLE_PROFILE)
        if profile is not None and profile.lens_slug == lens.slug:
            answers = {k: v for k, v in SAMPLE_PROFILE_ANSWERS.items() if not answers_problems(profile, {k: v})}
            workload_profile_set(workload=workload, profile=profile, answers=answers)
