"""Review templates: made from a review, applied at review creation (recorded as such), upgraded by ids."""

import pytest
from django.utils import translation

from questions.versions import lens_draft_create, lens_publish
from reviewapp.answer_state import AnswerState, ChoiceNA
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import AnswerChange, AnswerRisk, ReviewTemplate
from reviewapp.review_templates import (
    TemplateError,
    current_lens,
    template_create,
    template_from_review,
    template_states,
    template_update,
    template_upgrade,
)
from reviewapp.workloads import review_create
from tests.factories import make_workload


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are compared in English (the site's default language is Korean)."""
    with translation.override("en"):
        yield


def _answer(review, key, user, **state):
    answer_save(review=review, item=load_bank(review.lens).by_key[key], user=user, state=AnswerState(**state))


def test_it_makes_a_template_from_a_review_and_applies_it_to_a_new_review(review, alice):
    _answer(review, "p1_q1", alice, choices=frozenset({"p1_q1_a1", "p1_q1_a2"}), notes="CloudWatch alarms")
    _answer(review, "p2_q2", alice, applicable=False, reason="OUT_OF_SCOPE")
    template = template_from_review(review=review, owner=alice, name="Our platform")
    assert set(template_states(template)) == {"p1_q1", "p2_q2"}

    other = make_workload(alice, name="Other")
    new = review_create(workload=other, lens=review.lens, user=alice, template=template)
    answers = {a.question.key: a for a in new.answers.select_related("question")}
    assert answers["p1_q1"].notes == "CloudWatch alarms"
    assert set(answers["p1_q1"].selected_choices.values_list("key", flat=True)) == {"p1_q1_a1", "p1_q1_a2"}
    assert answers["p1_q1"].risk == AnswerRisk.MEDIUM
    assert answers["p2_q2"].risk == AnswerRisk.NOT_APPLICABLE
    assert answers["p1_q2"].risk == AnswerRisk.UNANSWERED
    change = AnswerChange.objects.get(answer=answers["p1_q1"])
    assert (change.template, change.template_name, change.changed_by) == (template, "Our platform", alice)


def test_it_refuses_answers_that_do_not_fit_the_lens(lens, alice):
    with pytest.raises(TemplateError) as caught:
        template_create(
            owner=alice,
            name="Bad",
            lens=lens,
            answers={"nope": AnswerState(), "p1_q1": AnswerState(choices=frozenset({"p1_q1_no", "p1_q1_a1"}))},
        )
    assert "“nope” is not a question of this lens version." in caught.value.problems
    assert any("cannot be combined" in p for p in caught.value.problems)
    assert not ReviewTemplate.objects.exists()


def test_names_are_unique_per_owner(lens, alice, bob):
    template_create(owner=alice, name="Std", lens=lens, answers={})
    template_create(owner=bob, name="Std", lens=lens, answers={})
    with pytest.raises(TemplateError, match="already have a template with this name"):
        template_create(owner=alice, name="Std", lens=lens, answers={})
    other = template_create(owner=alice, name="Other", lens=lens, answers={})
    with pytest.raises(TemplateError):
        template_update(template=other, name="Std", description="")
    other.refresh_from_db()
    assert other.name == "Other"


def test_a_template_on_an_older_lens_is_upgraded_by_ids(lens, alice, staff):
    template = template_create(
        owner=alice,
        name="Std",
        lens=lens,
        answers={
            "p1_q1": AnswerState(
                choices=frozenset({"p1_q1_a1", "p1_q1_a3"}),
                notes="n",
                choice_na=(ChoiceNA("p1_q1_a2", "OUT_OF_SCOPE", "batch only"),),
            ),
            "p2_q2": AnswerState(notes="gone"),
        },
    )
    not_applying = template_create(  # a practice marked as not applying that the new version drops
        owner=alice,
        name="Std N/A",
        lens=lens,
        answers={"p1_q1": AnswerState(choices=frozenset({"p1_q1_a1"}), choice_na=(ChoiceNA("p1_q1_a3", "OTHER", ""),))},
    )
    draft = lens_draft_create(lens=lens, user=staff)
    draft.pillars.get(key="p2").questions.get(key="p2_q2").delete()
    question = draft.pillars.get(key="p1").questions.get(key="p1_q1")
    question.choices.get(key="p1_q1_a3").delete()
    question.risk_rules.filter(order=1).update(condition="p1_q1_a1 && p1_q1_a2")
    new_lens = lens_publish(draft=draft, version="2", release_notes={}, user=staff)
    assert current_lens(template) == new_lens

    workload = make_workload(alice, name="New")
    with pytest.raises(TemplateError, match="upgrade the template first"):
        review_create(workload=workload, lens=new_lens, user=alice, template=template)
    assert not workload.reviews.exists()

    upgrade = template_upgrade(template=template)
    template.refresh_from_db()
    assert template.lens == new_lens and current_lens(template) is None
    assert upgrade.dropped_questions == ["p2_q2"] and upgrade.dropped_choices == ["p1_q1_a3"]
    # A practice marked as not applying is kept, with its reason, when the new version still has it.
    assert template_states(template) == {
        "p1_q1": AnswerState(
            choices=frozenset({"p1_q1_a1"}), notes="n", choice_na=(ChoiceNA("p1_q1_a2", "OUT_OF_SCOPE", "batch only"),)
        )
    }
    review = review_create(workload=workload, lens=new_lens, user=alice, template=template)
    answer = review.answers.get(question__key="p1_q1")
    assert answer.choice_na == {"p1_q1_a2": {"reason": "OUT_OF_SCOPE", "notes": "batch only"}}
    assert template_upgrade(template=not_applying).dropped_choices == ["p1_q1_a3"]
    assert template_states(not_applying) == {"p1_q1": AnswerState(choices=frozenset({"p1_q1_a1"}))}


def test_templates_are_their_owners(lens, alice, bob, staff):
    template = template_create(owner=alice, name="Std", lens=lens, answers={})
    assert list(ReviewTemplate.objects.for_user(alice)) == [template]
    assert list(ReviewTemplate.objects.for_user(bob)) == []
    assert list(ReviewTemplate.objects.for_user(staff)) == [template]
