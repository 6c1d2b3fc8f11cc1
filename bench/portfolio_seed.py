"""A portfolio of many workloads for the benchmarks, built with bulk inserts.

Each workload has one Serverless Lens review with realistic answers (most questions answered, a
few that do not apply, a few left open; the risk of each from the lens's own rules), improvement
items for the practices missing from risky questions (spread over the four statuses), and one in
five reviews has two milestones. One user is a member of every workload and one staff user sees
them all. Needs the Serverless Lens loaded. Rows go in by ``bulk_create`` in batches, the random
choices from a fixed seed, so two runs build the same portfolio. The big tables (answers, their
ticked practices, improvement items, milestone answers) go in by PostgreSQL's COPY.
"""

import random
from collections.abc import Iterable
from datetime import timedelta

BATCH = 5000
ENVIRONMENTS = ["PRODUCTION", "PREPRODUCTION"]
INDUSTRIES = ["Retail", "Finance", "Games", "Media", "Healthcare", "Logistics", "Education", "공공", "제조", ""]
OWNERS = [f"{first} {last}" for first in ("Kim", "Lee", "Park", "Choi", "Jung") for last in ("Team A", "Team B")]
WORDS = ["orders", "payments", "search", "catalog", "checkout", "login", "media", "events", "billing", "reports"]
MEMBER, STAFF = "portfolio-member", "portfolio-staff"


def seed_portfolio(count: int, *, password: str, seed: int = 13) -> dict:
    """``count`` workloads as described above; returns the usernames and row counts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from questions.models import Lens
    from reviewapp.bank import load_bank
    from reviewapp.models import (
        Answer,
        ImprovementItem,
        Membership,
        Milestone,
        MilestoneAnswer,
        Review,
        Role,
        Workload,
    )
    from reviewapp.risk import question_risk

    rng = random.Random(seed)
    User = get_user_model()
    hashed = make_password(password)
    member = User.objects.create(username=MEMBER, password=hashed)
    User.objects.create(username=STAFF, password=hashed, is_staff=True)
    lens = Lens.objects.get(slug="serverless")
    bank = load_bank(lens)
    now = timezone.now()

    workloads = Workload.objects.bulk_create(
        [
            Workload(
                name=f"{WORDS[i % len(WORDS)]}-{i:05d}",
                description="A workload of the benchmark portfolio.",
                environment=rng.choice(ENVIRONMENTS),
                regions=["ap-northeast-2"],
                review_owner=rng.choice(OWNERS),
                industry=rng.choice(INDUSTRIES),
                created_by=member,
            )
            for i in range(count)
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [Membership(workload=w, user=member, role=Role.OWNER) for w in workloads], batch_size=BATCH
    )
    reviews = Review.objects.bulk_create(
        [Review(workload=w, lens=lens, created_by=member, revision=len(bank.questions)) for w in workloads],
        batch_size=BATCH,
    )

    answers, selections, items = [], [], []  # rows for COPY
    for review in reviews:
        for revision, q in enumerate(bank.questions, start=1):
            practices = [c for c in q.choices if not c.is_none]
            roll = rng.random()
            applicable, reason, chosen = True, "", []
            if roll < 0.05:
                applicable, reason = False, "OUT_OF_SCOPE"
            elif roll < 0.15:
                pass  # left unanswered
            elif roll < 0.2 and q.none_choice is not None:
                chosen = [q.none_choice]
            else:
                chosen = rng.sample(practices, rng.randint(1, len(practices)))
            risk = question_risk(rules=q.rules, selected=[c.key for c in chosen], is_applicable=applicable)
            version = 1 if (chosen or not applicable) else 0
            answers.append(
                (review.pk, q.question.pk, applicable, reason, "", risk, version, revision, member.pk, now, "{}")
            )
            selections.append(((review.pk, q.question.pk), chosen))
            if risk in ("HIGH_RISK", "MEDIUM_RISK"):
                for choice in practices:
                    if choice not in chosen:
                        status = rng.choices(["open", "in_progress", "done", "wont_do"], [6, 2, 1, 1])[0]
                        owner = member.pk if rng.random() < 0.3 else None
                        items.append((review.pk, choice.pk, status, owner, None, "", None, now))
    answer_fields = ["review_id", "question_id", "is_applicable", "reason", "notes", "risk", "version"]
    copy_rows(Answer, [*answer_fields, "review_revision", "updated_by_id", "updated_at", "choice_na"], answers)
    ids = {
        (review_id, question_id): pk
        for pk, review_id, question_id in Answer.objects.filter(review__workload__created_by=member).values_list(
            "pk", "review_id", "question_id"
        )
    }
    through = Answer.selected_choices.through
    copy_rows(
        through,
        ["answer_id", "choice_id"],
        ((ids[pair], choice.pk) for pair, chosen in selections for choice in chosen),
    )
    item_fields = ["review_id", "choice_id", "status", "owner_id", "due_date", "note", "updated_by_id", "updated_at"]
    copy_rows(ImprovementItem, item_fields, items)

    milestones, copies = [], []
    for review in reviews[::5]:
        for months_ago in (6, 3):
            milestones.append(
                Milestone(
                    review=review, name=f"{months_ago} months ago", lens=lens, review_revision=0, created_by=member
                )
            )
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    for milestone in milestones:
        months_ago = int(milestone.name.split()[0])
        for q in bank.questions:
            # Risks were higher before: each earlier milestone a question is more likely high.
            risk = rng.choices(["HIGH_RISK", "MEDIUM_RISK", "NO_RISK"], [2 + months_ago // 3, 2, 3])[0]
            copies.append((milestone.pk, q.question.pk, risk, "[]", True, "", "", 0, "", None, "{}"))
    copy_fields = ["milestone_id", "question_id", "risk", "selected_keys", "is_applicable", "reason", "notes"]
    copy_rows(MilestoneAnswer, [*copy_fields, "version", "updated_by", "updated_at", "choice_na"], copies)
    for months_ago in (6, 3):
        # created_at is auto_now_add: backdated in one update per age.
        Milestone.objects.filter(name=f"{months_ago} months ago").update(
            created_at=now - timedelta(days=30 * months_ago)
        )
    return {
        "member": MEMBER,
        "staff": STAFF,
        "workloads": len(workloads),
        "answers": len(answers),
        "selected choices": sum(len(chosen) for _a, chosen in selections),
        "improvement items": len(items),
        "milestones": len(milestones),
    }


def copy_rows(model, fields: list[str], rows: Iterable[tuple]) -> None:
    """Rows into the model's table by COPY: every column named, as no column has a database default."""
    from django.db import connection

    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    with connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
