"""Plain ``make_*`` functions for test data (no factory_boy in our stack)."""

from django.contrib.auth import get_user_model

from questions.models import Choice, Lens, Pillar, Question, RiskRule
from reviewapp.models import Membership, Review, Role, Workload
from reviewapp.workloads import review_create


def make_user(username: str, *, password: str = "pw", **fields):
    user = get_user_model().objects.create_user(username=username, password=password, **fields)
    return user


def make_lens(*, slug: str = "mini", version: str = "1", pillars: int = 2, questions_per_pillar: int = 2) -> Lens:
    """A small bilingual lens: each question has choices a1 (required), a2, a3 and 'no'."""
    lens = Lens.objects.create(slug=slug, version=version, name_en=f"{slug} lens", name_ko=f"{slug} 렌즈")
    for p in range(1, pillars + 1):
        pillar = Pillar.objects.create(
            lens=lens, key=f"p{p}", short_label=f"P{p}", name_en=f"Pillar {p}", name_ko=f"기둥 {p}", order=p
        )
        for q in range(1, questions_per_pillar + 1):
            key = f"p{p}_q{q}"
            question = Question.objects.create(
                pillar=pillar, key=key, label=f"P{p} {q}", order=q,
                title_en=f"Question {p}.{q}?", title_ko=f"질문 {p}.{q}?",
                description_en="About *this*.", description_ko="이것에 *관하여*.",
            )  # fmt: skip
            for n, tier in enumerate(["required", "good", "best"], start=1):
                Choice.objects.create(
                    question=question, key=f"{key}_a{n}", order=n, tier=tier,
                    title_en=f"Practice {n}", title_ko=f"모범 사례 {n}",
                    improvement_plan_en=f"Do practice {n}.", improvement_plan_ko=f"모범 사례 {n} 적용.",
                )  # fmt: skip
            Choice.objects.create(
                question=question, key=f"{key}_no", order=9, is_none=True,
                title_en="None of these", title_ko="해당 사항 없음",
            )  # fmt: skip
            rules = [
                (f"{key}_a1 && {key}_a2 && {key}_a3", "NO_RISK"),
                (f"{key}_a1", "MEDIUM_RISK"),
                ("default", "HIGH_RISK"),
            ]
            for order, (condition, risk) in enumerate(rules, start=1):
                RiskRule.objects.create(question=question, order=order, condition=condition, risk=risk)
    return lens


def make_workload(owner, *, name: str = "Shop", lens: Lens | None = None, **fields) -> Workload:
    workload = Workload.objects.create(
        name=name, description=fields.pop("description", "A shop."), review_owner="Team", created_by=owner, **fields
    )
    Membership.objects.create(workload=workload, user=owner, role=Role.OWNER)
    if lens is not None:
        review_create(workload=workload, lens=lens, user=owner)
    return workload


def add_member(workload: Workload, user, role: str) -> Membership:
    return Membership.objects.create(workload=workload, user=user, role=role)


def review_of(workload: Workload) -> Review:
    return workload.reviews.get()
