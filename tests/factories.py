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
                pillar=pillar,
                key=key,
                label=f"P{p} {q}",
                order=q,
                title_en=f"Question {p}.{q}?",
                title_ko=f"질문 {p}.{q}?",
                description_en="About *this*.",
                description_ko="이것에 *관하여*.",
            )
            for n, tier in enumerate(["required", "good", "best"], start=1):
                Choice.objects.create(
                    question=question,
                    key=f"{key}_a{n}",
                    order=n,
                    tier=tier,
                    title_en=f"Practice {n}",
                    title_ko=f"모범 사례 {n}",
                    improvement_plan_en=f"Do practice {n}.",
                    improvement_plan_ko=f"모범 사례 {n} 적용.",
                )
            Choice.objects.create(
                question=question,
                key=f"{key}_no",
                order=9,
                is_none=True,
                title_en="None of these",
                title_ko="따르는 모범 사례 없음",
            )
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


# --- The AWS Serverless Lens reference (shared/ sits next to the repository) -------------------

REFERENCE_NAME = "serverless-lens-aws-ids.json"
TIER_OF_REFERENCE = {"Required": "required", "Good": "good", "Best": "best", None: ""}


def reference_path():
    """Where ``shared/reference/serverless-lens-aws-ids.json`` is, locally and in CI (a sibling of the repo)."""
    from pathlib import Path

    from django.conf import settings

    return Path(settings.BASE_DIR).parent / "shared" / "reference" / REFERENCE_NAME


def load_reference() -> dict | None:
    """The reference file as a dict, or None when the shared folder is missing."""
    import json

    path = reference_path()
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def reference_questions() -> list[dict]:
    """The reference questions, each with ``practices`` (not "None of these"), ``required`` and ``none`` keys."""
    reference = load_reference()
    if reference is None:
        return []
    questions = []
    for question in reference["questions"]:
        practices = [c["id"] for c in question["choices"] if not c["id"].endswith("_no")]
        questions.append(
            {
                **question,
                "practices": practices,
                "required": [c["id"] for c in question["choices"] if c["tier"] == "Required"],
                "none": next(c["id"] for c in question["choices"] if c["id"].endswith("_no")),
            }
        )
    return questions


def reference_params(build, *, width: int = 1):
    """``pytest.param`` rows built by ``build(question)`` for every reference question, or one skipped row.

    ``width`` is the number of parameters of each row (the skipped row needs as many).
    """
    import pytest

    questions = reference_questions()
    if not questions:
        skip = pytest.mark.skip(reason=f"the AWS reference file is missing: {reference_path()}")
        return [pytest.param(*[None] * width, marks=skip, id="no-reference")]
    return [param for question in questions for param in build(question)]


def answer_snapshot(review: Review) -> dict:
    """Everything a save may change in a review: each answer's fields and choices, and the revision."""
    review.refresh_from_db()
    answers = {
        answer.question.key: (
            answer.risk,
            answer.version,
            answer.is_applicable,
            answer.reason,
            answer.notes,
            answer.updated_by_id,
            answer.updated_at,
            frozenset(answer.selected_choices.values_list("key", flat=True)),
            answer.choice_na,
        )
        for answer in review.answers.select_related("question")
    }
    return {"revision": review.revision, "answers": answers}


def workload_snapshot(workload: Workload) -> dict:
    """A workload's own fields, its members, its reviews and all their answers."""
    workload.refresh_from_db()
    fields = {
        name: getattr(workload, name)
        for name in (
            "name",
            "description",
            "environment",
            "regions",
            "review_owner",
            "industry",
            "notes",
            "profile_id",
            "profile_answers",
        )
    }
    return {
        "fields": fields,
        "members": sorted(workload.memberships.values_list("user__username", "role")),
        "reviews": {review.lens.slug: answer_snapshot(review) for review in workload.reviews.select_related("lens")},
    }


def answer_data_in(response, key: str) -> dict | None:
    """The answer a fragment hands to the page's script (``#answer-data-KEY``), decoded; None when absent."""
    import html
    import json
    import re

    match = re.search(rf'id="answer-data-{re.escape(key)}"[^>]*data-answer="([^"]*)"', response.content.decode())
    return json.loads(html.unescape(match.group(1))) if match else None


def make_profile(*, slug: str = "ctx", lens_slug: str = "mini", version: int = 1, status: str = "published"):
    """A bilingual profile of two questions for the mini lens: 'exposed' (one answer: yes prioritises p1_q1,
    no nothing) and 'constraints' (several answers: cost → p2_q1, speed → p2_q2 and p1_q1)."""
    from questions.models import Profile, ProfileChoice, ProfileQuestion

    profile = Profile.objects.create(
        slug=slug,
        lens_slug=lens_slug,
        version=version,
        status=status,
        name_en="Business context",
        name_ko="비즈니스 맥락",
    )
    exposed = ProfileQuestion.objects.create(
        profile=profile, key="exposed", order=1, title_en="Is it public?", title_ko="공개되어 있습니까?"
    )
    ProfileChoice.objects.create(
        question=exposed, key="exposed_yes", order=1, title_en="Yes", title_ko="예", prioritises=["p1_q1"]
    )
    ProfileChoice.objects.create(question=exposed, key="exposed_no", order=2, title_en="No", title_ko="아니요")
    constraints = ProfileQuestion.objects.create(
        profile=profile,
        key="constraints",
        order=2,
        multiple=True,
        title_en="What constrains it?",
        title_ko="무엇이 제약입니까?",
    )
    ProfileChoice.objects.create(
        question=constraints, key="cost", order=1, title_en="Cost", title_ko="비용", prioritises=["p2_q1"]
    )
    ProfileChoice.objects.create(
        question=constraints,
        key="speed",
        order=2,
        title_en="Speed",
        title_ko="속도",
        prioritises=["p2_q2", "p1_q1"],
    )
    return profile
