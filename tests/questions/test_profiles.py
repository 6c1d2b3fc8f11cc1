"""Profiles in the bank: answers checked, what they prioritise, versions, and the shipped example."""

import pytest
from django.core.management import call_command
from django.utils import translation

from questions.models import Profile
from questions.profiles import (
    ProfileError,
    answers_problems,
    carried_answers,
    newer_profile,
    prioritised_keys,
    profile_draft_create,
    profile_problems,
    profile_publish,
)
from tests.factories import make_profile


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are compared in English (the site's default language is Korean)."""
    with translation.override("en"):
        yield


def test_it_prioritises_the_questions_the_chosen_answers_name(lens):
    profile = make_profile()
    assert prioritised_keys(profile, {"exposed": ["exposed_yes"], "constraints": ["cost"]}) == {"p1_q1", "p2_q1"}
    assert prioritised_keys(profile, {"exposed": ["exposed_no"]}) == frozenset()
    assert prioritised_keys(None, {"exposed": ["exposed_yes"]}) == frozenset()


def test_it_refuses_answers_that_do_not_fit(lens):
    profile = make_profile()
    assert answers_problems(profile, {"exposed": ["exposed_yes"], "constraints": ["cost", "speed"]}) == []
    problems = answers_problems(
        profile, {"nope": ["x"], "exposed": ["exposed_yes", "exposed_no"], "constraints": ["free"]}
    )
    assert "“nope” is not a question of this profile." in problems
    assert "The question “Is it public?” takes one answer." in problems
    assert "“free” is not a choice of the question “constraints”." in problems
    assert answers_problems(profile, ["exposed_yes"]) == [
        "Answers must be an object of question ids to lists of choice ids."
    ]


def test_it_makes_a_new_version_and_publishing_retires_the_old(lens):
    v1 = make_profile()
    draft = profile_draft_create(profile=v1)
    assert (draft.version, draft.status, draft.name_ko) == (2, "draft", "비즈니스 맥락")
    assert [q.key for q in draft.questions.all()] == ["exposed", "constraints"]
    assert newer_profile(v1) is None  # a draft is nobody's upgrade
    draft.questions.get(key="constraints").choices.get(key="cost").delete()
    profile_publish(profile=draft)
    v1.refresh_from_db()
    assert v1.status == Profile.Status.RETIRED
    assert newer_profile(v1) == draft
    assert carried_answers(draft, {"exposed": ["exposed_no"], "constraints": ["cost", "speed"]}) == {
        "exposed": ["exposed_no"],
        "constraints": ["speed"],
    }
    profile_draft_create(profile=draft)
    with pytest.raises(ProfileError, match="A draft of this profile exists already"):
        profile_draft_create(profile=draft)


def test_it_refuses_to_publish_a_profile_naming_unknown_questions(lens):
    draft = make_profile(status="draft")
    choice = draft.questions.get(key="exposed").choices.get(key="exposed_yes")
    choice.prioritises = ["p1_q1", "p9_q9"]
    choice.save()
    with pytest.raises(ProfileError) as caught:
        profile_publish(profile=draft)
    assert caught.value.problems == ["The choice “exposed_yes” names questions the lens does not have: p9_q9."]
    draft.refresh_from_db()
    assert draft.status == Profile.Status.DRAFT


def test_the_shipped_serverless_profile_is_bilingual_and_names_real_questions(serverless_lens):
    call_command("loaddata", "serverless_profile", verbosity=0)
    profile = Profile.objects.latest_published("serverless-context")
    assert profile.name_ko and profile.name_en and profile.lens_slug == "serverless"
    questions = list(profile.questions.all())
    assert len(questions) >= 3
    for question in questions:
        assert question.title_ko and question.title_en
        for choice in question.choices.all():
            assert choice.title_ko and choice.title_en
    draft = profile_draft_create(profile=profile)
    assert profile_problems(draft) == []
    assert prioritised_keys(profile, {"public_api": ["public_api_yes"]}) == {"sec_q1", "rel_q1"}
