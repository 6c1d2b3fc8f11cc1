"""A workload's profile: choosing it, the prioritised questions, and upgrading milestone first."""

import pytest
from django.utils import translation

from questions.models import Profile
from questions.profiles import ProfileError, profile_draft_create, profile_publish
from reviewapp.models import Milestone
from reviewapp.profiles import (
    prioritised_questions,
    review_prioritised_keys,
    workload_profile_set,
    workload_profile_upgrade,
)
from tests.factories import make_profile


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are compared in English (the site's default language is Korean)."""
    with translation.override("en"):
        yield


def test_it_sets_a_profile_and_flags_the_questions_it_prioritises(workload, review):
    profile = make_profile()
    workload_profile_set(workload=workload, profile=profile, answers={"exposed": ["exposed_yes"], "constraints": []})
    workload.refresh_from_db()
    assert workload.profile == profile
    assert workload.profile_answers == {"exposed": ["exposed_yes"]}
    assert review_prioritised_keys(review) == {"p1_q1"}
    assert prioritised_questions(workload) == {review.lens.pillars.get(key="p1").questions.get(key="p1_q1").pk}


def test_it_refuses_bad_answers_and_keeps_what_was_saved(workload):
    profile = make_profile()
    workload_profile_set(workload=workload, profile=profile, answers={"exposed": ["exposed_yes"]})
    with pytest.raises(ProfileError):
        workload_profile_set(workload=workload, profile=profile, answers={"exposed": ["exposed_yes", "exposed_no"]})
    workload.refresh_from_db()
    assert workload.profile_answers == {"exposed": ["exposed_yes"]}


def test_it_refuses_a_draft_profile_and_clears_a_profile(workload):
    with pytest.raises(ProfileError, match="Only a published profile"):
        workload_profile_set(workload=workload, profile=make_profile(status="draft"), answers={})
    workload_profile_set(workload=workload, profile=make_profile(slug="other"), answers={"exposed": ["exposed_yes"]})
    workload_profile_set(workload=workload, profile=None, answers={})
    workload.refresh_from_db()
    assert (workload.profile, workload.profile_answers, prioritised_questions(workload)) == (None, {}, set())


def test_a_profile_of_another_lens_prioritises_nothing_here(workload, review):
    workload_profile_set(
        workload=workload, profile=make_profile(lens_slug="serverless"), answers={"exposed": ["exposed_yes"]}
    )
    assert review_prioritised_keys(review) == frozenset()
    assert prioritised_questions(workload) == set()


def test_it_upgrades_the_profile_after_a_milestone(workload, review, alice):
    v1 = make_profile()
    workload_profile_set(workload=workload, profile=v1, answers={"exposed": ["exposed_yes"], "constraints": ["cost"]})
    with pytest.raises(ProfileError, match="newest version"):
        workload_profile_upgrade(workload=workload, user=alice)
    draft = profile_draft_create(profile=v1)
    draft.questions.get(key="constraints").choices.get(key="cost").delete()
    profile_publish(profile=draft)
    upgrade = workload_profile_upgrade(workload=workload, user=alice)
    workload.refresh_from_db()
    assert workload.profile == draft and workload.profile.status == Profile.Status.PUBLISHED
    assert workload.profile_answers == {"exposed": ["exposed_yes"]}
    assert upgrade.dropped == ["constraints"]
    milestone = Milestone.objects.get(review=review)
    assert milestone.name == "Before profile upgrade to version 2"
    assert upgrade.milestones == [milestone]
