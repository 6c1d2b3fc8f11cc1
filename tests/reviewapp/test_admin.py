"""The Django admin (reviewapp/admin.py): answers are shown, never changed; their history and milestone copies are not there.

Answers change only through answer_save (risk, version, history, plan items and the review's
revision together); a superuser's POST to the admin changes nothing.
"""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from reviewapp.milestones import milestone_create
from reviewapp.models import Answer, AnswerChange, MilestoneAnswer, Review, Workload

from ..factories import answer_snapshot, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def answered(review, client_for, alice):
    url = reverse("reviewapp:answer_save", args=[review.pk])
    response = client_for(alice).post(
        url, {"question": "p1_q1", "version": 0, "choices": ["p1_q1_a1"], "notes": "from alice"}, **HTMX
    )
    assert response.status_code == 200, response.content
    milestone_create(review=review, name="First", user=alice)
    return Answer.objects.get(review=review, question__key="p1_q1")


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:reviewapp_{model._meta.model_name}_{view}", args=args)


def test_it_refuses_a_superusers_change_to_an_answer(answered, review, client_for, root):
    before = answer_snapshot(review)
    revision = Review.objects.get(pk=review.pk).revision

    response = client_for(root).post(
        _admin_url(Answer, "change", answered.pk),
        {"review": review.pk, "question": answered.question_id, "is_applicable": "", "notes": "from the admin"},
    )

    assert response.status_code == 403
    assert answer_snapshot(review) == before
    assert Review.objects.get(pk=review.pk).revision == revision
    assert AnswerChange.objects.filter(answer=answered).count() == 1


def test_it_refuses_to_add_or_delete_one_answer_in_the_admin(answered, client_for, root):
    model = Answer
    row = model.objects.first()
    as_root = client_for(root)

    assert as_root.post(_admin_url(model, "add"), {}).status_code == 403
    assert as_root.post(_admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    response = as_root.post(
        _admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )

    assert model.objects.filter(pk=row.pk).exists()
    assertNotContains(as_root.get(_admin_url(model, "changelist")), "delete_selected")
    assert response.status_code in (200, 302)


def test_it_still_shows_answers_in_the_admin(answered, client_for, root):
    model = Answer
    row = model.objects.first()
    as_root = client_for(root)

    changelist = as_root.get(_admin_url(model, "changelist"))
    detail = as_root.get(_admin_url(model, "change", row.pk))

    assertContains(changelist, f'href="{_admin_url(model, "change", row.pk)}"')
    assertContains(changelist, "alice")
    assertContains(detail, "alice")
    assertNotContains(detail, 'name="_save"')


def test_it_still_deletes_a_workload_with_its_answers_in_the_admin(answered, workload, client_for, root):
    response = client_for(root).post(_admin_url(Workload, "delete", workload.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Workload.objects.filter(pk=workload.pk).exists()
    assert not Answer.objects.exists() and not AnswerChange.objects.exists() and not MilestoneAnswer.objects.exists()


@pytest.mark.parametrize("model", [AnswerChange, MilestoneAnswer])
def test_it_keeps_answer_history_and_milestone_copies_out_of_the_admin(answered, client_for, root, model):
    assert model.objects.exists()
    assert client_for(root).get(f"/admin/reviewapp/{model._meta.model_name}/").status_code == 404
