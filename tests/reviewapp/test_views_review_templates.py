"""Review template pages: save from a review, list, edit, delete, upgrade, choose on "new review", access."""

from django.urls import reverse

from questions.versions import lens_draft_create, lens_publish
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import ReviewTemplate
from reviewapp.review_templates import template_create, template_states
from tests.factories import make_workload


def test_it_saves_a_template_from_a_review_and_starts_a_review_with_it(review, lens, alice, client_for):
    answer_save(
        review=review,
        item=load_bank(lens).by_key["p1_q1"],
        user=alice,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), notes="X-Ray on every function"),
    )
    client = client_for(alice)
    response = client.post(
        reverse("reviewapp:template_from_review", args=[review.pk]), {"name": "Our platform", "description": ""}
    )
    template = ReviewTemplate.objects.get(owner=alice)
    assert response.status_code == 302 and template.name == "Our platform"
    page = client.get(reverse("reviewapp:template_detail", args=[template.pk])).content.decode()
    assert "X-Ray on every function" in page and "Practice 1" in page
    assert "Our platform" in client.get(reverse("reviewapp:template_list")).content.decode()

    other = make_workload(alice, name="Other")
    detail = client.get(reverse("reviewapp:workload_detail", args=[other.pk])).content.decode()
    assert "Our platform (mini lens 1)" in detail
    response = client.post(reverse("reviewapp:review_add", args=[other.pk]), {"lens": lens.pk, "template": template.pk})
    new = other.reviews.get()
    assert response.status_code == 302
    answer = new.answers.get(question__key="p1_q1")
    assert answer.notes == "X-Ray on every function"
    history = client.get(reverse("reviewapp:answer_history", args=[new.pk, "p1_q1"])).content.decode()
    assert "applied from the template “Our platform”" in history


def test_a_duplicate_name_is_refused_on_the_page(review, lens, alice, client_for):
    template_create(owner=alice, name="Std", lens=lens, answers={})
    response = client_for(alice).post(reverse("reviewapp:template_from_review", args=[review.pk]), {"name": "Std"})
    assert response.status_code == 400
    assert "You already have a template with this name." in response.content.decode()
    assert ReviewTemplate.objects.count() == 1


def test_it_renames_and_deletes_a_template(lens, alice, client_for):
    template = template_create(owner=alice, name="Std", lens=lens, answers={})
    client = client_for(alice)
    client.post(reverse("reviewapp:template_detail", args=[template.pk]), {"name": "Standard", "description": "d"})
    template.refresh_from_db()
    assert (template.name, template.description) == ("Standard", "d")
    assert client.get(reverse("reviewapp:template_delete", args=[template.pk])).status_code == 405
    client.post(reverse("reviewapp:template_delete", args=[template.pk]))
    assert not ReviewTemplate.objects.exists()


def test_templates_are_private_to_their_owner(workload, lens, alice, bob, charlie, staff, client_for):
    template = template_create(owner=alice, name="Std", lens=lens, answers={})
    for user in (bob, charlie):
        assert client_for(user).get(reverse("reviewapp:template_detail", args=[template.pk])).status_code == 404
        assert client_for(user).post(reverse("reviewapp:template_delete", args=[template.pk])).status_code == 404
        assert "Std" not in client_for(user).get(reverse("reviewapp:template_list")).content.decode()
    assert client_for(staff).get(reverse("reviewapp:template_detail", args=[template.pk])).status_code == 200
    # bob (a contributor) cannot start a review with alice's template
    other_lens = lens_publish(draft=lens_draft_create(lens=lens, user=staff), version="2", release_notes={}, user=staff)
    client_for(bob).post(
        reverse("reviewapp:review_add", args=[workload.pk]), {"lens": other_lens.pk, "template": template.pk}
    )
    assert not workload.reviews.filter(lens=other_lens).exists()
    assert ReviewTemplate.objects.filter(pk=template.pk).exists()


def test_a_template_on_an_older_lens_is_marked_and_upgraded(lens, alice, staff, client_for):
    template = template_create(owner=alice, name="Std", lens=lens, answers={"p1_q1": AnswerState(notes="n")})
    new_lens = lens_publish(draft=lens_draft_create(lens=lens, user=staff), version="2", release_notes={}, user=staff)
    client = client_for(alice)
    assert "Lens not current" in client.get(reverse("reviewapp:template_list")).content.decode()
    workload = make_workload(alice, name="New")
    response = client.post(
        reverse("reviewapp:review_add", args=[workload.pk]), {"lens": new_lens.pk, "template": template.pk}
    )
    assert response.status_code == 302 and not workload.reviews.exists()
    client.post(reverse("reviewapp:template_upgrade", args=[template.pk]))
    template.refresh_from_db()
    assert template.lens == new_lens
    assert "Lens not current" not in client.get(reverse("reviewapp:template_list")).content.decode()


def test_it_leaves_out_the_answers_ticked_for_removal(lens, alice, client_for):
    template = template_create(
        owner=alice,
        name="Std",
        lens=lens,
        answers={"p1_q1": AnswerState(notes="keep"), "p2_q1": AnswerState(notes="drop")},
    )
    url = reverse("reviewapp:template_detail", args=[template.pk])
    client = client_for(alice)
    assert 'value="p2_q1"' in client.get(url).content.decode()
    client.post(url, {"name": "Std", "description": "", "remove": ["p2_q1"]})
    assert set(template_states(template)) == {"p1_q1"}
    response = client.post(url, {"name": "Std", "description": "", "remove": ["p9_q9"]})
    assert response.status_code == 400 and set(template_states(template)) == {"p1_q1"}
