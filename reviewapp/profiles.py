"""A workload's profile: choosing one and its answers, what it prioritises, and moving to a newer version.

A workload answers at most one profile (a published version). Its answers mark questions of
the profile's lens as prioritised in every review of the workload on that lens; the pages flag
them, can be filtered to them and count their risks apart.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from questions.models import Profile
from questions.profiles import (
    ProfileAnswers,
    ProfileError,
    answers_problems,
    carried_answers,
    newer_profile,
    prioritised_keys,
    profile_questions,
)

from .milestones import milestone_create
from .models import Answer, Milestone, Review, Workload


def workload_prioritised_keys(workload: Workload) -> frozenset[str]:
    """The ids of the lens questions the workload's profile answers prioritise (none without a profile)."""
    if workload.profile_id is None:
        return frozenset()
    return prioritised_keys(workload.profile, workload.profile_answers)


def review_prioritised_keys(review: Review) -> frozenset[str]:
    """The prioritised question ids for a review: only when the profile is about the review's lens."""
    workload = review.workload
    if workload.profile_id is None or workload.profile.lens_slug != review.lens.slug:
        return frozenset()
    return workload_prioritised_keys(workload)


def prioritised_questions(workload: Workload) -> set[int]:
    """The ids of the questions, in every review of the workload on the profile's lens, that are prioritised."""
    keys = workload_prioritised_keys(workload)
    if not keys:
        return set()
    answers = Answer.objects.filter(
        review__workload=workload, review__lens__slug=workload.profile.lens_slug, question__key__in=keys
    )
    return set(answers.order_by().values_list("question_id", flat=True))


@transaction.atomic
def workload_profile_set(*, workload: Workload, profile: Profile | None, answers: ProfileAnswers) -> Workload:
    """Give the workload a profile (the current published version) and its answers, or none (``profile=None``).

    Raises ``ProfileError`` and changes nothing when the profile cannot be chosen or the answers do not fit.
    """
    workload = Workload.objects.select_for_update().get(pk=workload.pk)
    if profile is None:
        workload.profile, workload.profile_answers = None, {}
    else:
        keeping = profile.pk == workload.profile_id
        if profile.status != Profile.Status.PUBLISHED and not keeping:
            raise ProfileError([_("Only a published profile can be chosen.")], field="profile")
        problems = answers_problems(profile, answers)
        if problems:
            raise ProfileError(problems)
        workload.profile, workload.profile_answers = profile, {k: sorted(set(v)) for k, v in answers.items() if v}
    workload.save(update_fields=["profile", "profile_answers", "updated_at"])
    return workload


@dataclass
class ProfileUpgrade:
    workload: Workload
    old: Profile
    new: Profile
    milestones: list[Milestone]
    dropped: list[str]  # the profile question ids whose answers did not carry over


def _milestone_name(review: Review, profile: Profile) -> str:
    base = _("Before profile upgrade to version %(version)d") % {"version": profile.version}
    name, n = base, 2
    while Milestone.objects.filter(review=review, name=name).exists():
        name, n = f"{base} ({n})", n + 1
    return name[:100]


@transaction.atomic
def workload_profile_upgrade(*, workload: Workload, user) -> ProfileUpgrade:
    """Move the workload to the newest version of its profile, milestone first.

    Every review of the workload on the profile's lens is frozen in a milestone (so the
    priorities the answers had are kept with them), then the answers carry over by question and
    choice ids; answers to questions the new version dropped or changed go.
    """
    workload = Workload.objects.select_for_update(of=("self",)).select_related("profile").get(pk=workload.pk)
    old = workload.profile
    new = newer_profile(old)
    if old is None or new is None:
        raise ProfileError([_("The workload already uses the newest version of its profile.")], field="profile")
    milestones = [
        milestone_create(review=review, name=_milestone_name(review, new), user=user, bounded=False)
        for review in workload.reviews.filter(lens__slug=old.lens_slug).select_related("lens", "workload")
    ]
    answers = carried_answers(new, workload.profile_answers)
    dropped = sorted(k for k, v in workload.profile_answers.items() if v and answers.get(k) != sorted(set(v)))
    workload.profile, workload.profile_answers = new, answers
    workload.save(update_fields=["profile", "profile_answers", "updated_at"])
    return ProfileUpgrade(workload=workload, old=old, new=new, milestones=milestones, dropped=dropped)


@dataclass
class ProfileSummary:
    """What the workload page shows of its profile: the answers given, in the profile's words."""

    profile: Profile
    answers: list[tuple[str, list[str]]]  # (question title, chosen choice titles), in order
    prioritised_count: int
    newer: Profile | None


def profile_summary(workload: Workload) -> ProfileSummary | None:
    if workload.profile_id is None:
        return None
    profile = workload.profile
    rows = []
    for question in profile_questions(profile):
        chosen = set(workload.profile_answers.get(question.key, ()))
        titles = [choice.title for choice in question.choices.all() if choice.key in chosen]
        rows.append((question.title, titles))
    return ProfileSummary(
        profile=profile,
        answers=rows,
        prioritised_count=len(workload_prioritised_keys(workload)),
        newer=newer_profile(profile),
    )
