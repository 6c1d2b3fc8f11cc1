"""Profiles: the answers a workload gives, what they prioritise, and a profile's versions.

A profile's answers are ``{profile question key: [choice keys]}``; they prioritise the
lens questions (by stable id) that the chosen choices name. A published version is fixed;
bank editors copy it into a new draft version, change that and publish it.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Lens, Profile, ProfileChoice, ProfileQuestion

ProfileAnswers = dict[str, list[str]]


class ProfileError(ValueError):
    """Answers or a version that cannot be taken; ``problems`` says why, one message each, and ``field``
    whether the profile itself ("profile") or the answers given to it ("answers") are at fault."""

    def __init__(self, problems: list[str], *, field: str = "answers"):
        super().__init__("; ".join(problems))
        self.problems = problems
        self.field = field


_QUESTIONS: dict[int, list[ProfileQuestion]] = {}
_QUESTIONS_MAX = 64


def profile_questions(profile: Profile) -> list[ProfileQuestion]:
    """The profile's questions with their choices, in order, in two queries.

    A published or retired version never changes, so its questions are kept in this process
    (as the lens banks are, ``BANK_CACHE``): flagging prioritised questions costs no query.
    """
    if profile.status == Profile.Status.DRAFT or not getattr(settings, "BANK_CACHE", True):
        return _read_questions(profile)
    questions = _QUESTIONS.get(profile.pk)
    if questions is None:
        if len(_QUESTIONS) >= _QUESTIONS_MAX:
            _QUESTIONS.clear()
        questions = _QUESTIONS[profile.pk] = _read_questions(profile)
    return questions


def _read_questions(profile: Profile) -> list[ProfileQuestion]:
    return list(
        ProfileQuestion.objects.filter(profile=profile)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("choices", queryset=ProfileChoice.objects.order_by("order", "pk")))
    )


def answers_problems(profile: Profile, answers: ProfileAnswers, *, questions=None) -> list[str]:
    """Why the answers do not fit the profile (nothing when they do). Unanswered questions are allowed."""
    questions = {q.key: q for q in (questions if questions is not None else profile_questions(profile))}
    problems: list[str] = []
    if not isinstance(answers, dict):
        return [_("Answers must be an object of question ids to lists of choice ids.")]
    for key, chosen in answers.items():
        question = questions.get(key)
        if question is None:
            problems.append(_("“%(key)s” is not a question of this profile.") % {"key": key})
            continue
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            problems.append(_("The answer to “%(key)s” must be a list of choice ids.") % {"key": key})
            continue
        valid = {choice.key for choice in question.choices.all()}
        for choice in chosen:
            if choice not in valid:
                problems.append(
                    _("“%(choice)s” is not a choice of the question “%(key)s”.") % {"choice": choice, "key": key}
                )
        if not question.multiple and len(set(chosen)) > 1:
            problems.append(_("The question “%(question)s” takes one answer.") % {"question": question.title})
    return problems


def prioritised_keys(profile: Profile | None, answers: ProfileAnswers, *, questions=None) -> frozenset[str]:
    """The lens question ids the chosen answers prioritise (answers no longer in the profile count for nothing)."""
    if profile is None:
        return frozenset()
    keys: set[str] = set()
    for question in questions if questions is not None else profile_questions(profile):
        chosen = set(answers.get(question.key, ()))
        for choice in question.choices.all():
            if choice.key in chosen:
                keys.update(choice.prioritises)
    return frozenset(keys)


def carried_answers(profile: Profile, answers: ProfileAnswers) -> ProfileAnswers:
    """The answers as they map onto another version of the profile: same question and choice ids carry over."""
    carried: ProfileAnswers = {}
    for question in profile_questions(profile):
        valid = [c.key for c in question.choices.all()]
        chosen = [c for c in answers.get(question.key, ()) if c in valid]
        if chosen and not question.multiple:
            chosen = chosen[:1]
        if chosen:
            carried[question.key] = chosen
    return carried


def newer_profile(profile: Profile | None) -> Profile | None:
    """The latest published version of the profile when it is newer than this one."""
    if profile is None:
        return None
    latest = Profile.objects.latest_published(profile.slug)
    if latest is None or latest.version <= profile.version:
        return None
    return latest


def profile_problems(profile: Profile) -> list[str]:
    """Why the profile cannot be published: no questions, a question without choices, unknown lens ids."""
    problems: list[str] = []
    questions = profile_questions(profile)
    lens_keys = set(
        Lens.objects.without_drafts()
        .filter(slug=profile.lens_slug)
        .values_list("pillars__questions__key", flat=True)
        .distinct()
    )
    if not lens_keys:
        problems.append(_("There is no published lens “%(slug)s”.") % {"slug": profile.lens_slug})
    if not questions:
        problems.append(_("A profile needs at least one question."))
    for question in questions:
        choices = list(question.choices.all())
        if not choices:
            problems.append(_("The question “%(key)s” has no choices.") % {"key": question.key})
        for choice in choices:
            unknown = sorted(set(choice.prioritises) - lens_keys) if lens_keys else []
            if unknown:
                problems.append(
                    _("The choice “%(key)s” names questions the lens does not have: %(unknown)s.")
                    % {"key": choice.key, "unknown": ", ".join(unknown)}
                )
    return problems


@transaction.atomic
def profile_publish(*, profile: Profile) -> Profile:
    """Publish a draft; the version it replaces is retired (workloads on it are told to upgrade)."""
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != Profile.Status.DRAFT:
        raise ProfileError([_("Only a draft can be published.")])
    problems = profile_problems(profile)
    if problems:
        raise ProfileError(problems)
    Profile.objects.filter(slug=profile.slug, status=Profile.Status.PUBLISHED).update(status=Profile.Status.RETIRED)
    profile.status = Profile.Status.PUBLISHED
    profile.save(update_fields=["status"])
    return profile


def _copied(row, **overrides) -> dict:
    values = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key}
    values.update(overrides)
    return values


@transaction.atomic
def profile_draft_create(*, profile: Profile) -> Profile:
    """A draft of the profile's next version, a copy of this one with the same ids throughout."""
    if Profile.objects.filter(slug=profile.slug, status=Profile.Status.DRAFT).exists():
        raise ProfileError([_("A draft of this profile exists already: edit or delete it first.")])
    version = (Profile.objects.filter(slug=profile.slug).aggregate(v=Max("version"))["v"] or 0) + 1
    draft = Profile.objects.create(
        **_copied(profile, version=version, status=Profile.Status.DRAFT, created_at=timezone.now())
    )
    for question in profile_questions(profile):
        new_question = ProfileQuestion.objects.create(**_copied(question, profile_id=draft.pk))
        ProfileChoice.objects.bulk_create(
            ProfileChoice(**_copied(choice, question_id=new_question.pk)) for choice in question.choices.all()
        )
    return draft
