"""Workloads (reviewapp/workloads.py and its pages): create, edit, share, remove members, list."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from questions.models import Lens
from reviewapp.models import Answer, AnswerRisk, Membership, Review, Role, Workload
from reviewapp.workloads import SharingError, membership_remove, membership_set, review_create, workload_create

from ..factories import add_member, make_lens, make_user, make_workload, workload_snapshot

FORM = {
    "name": "Payments",
    "description": "Card payments API.",
    "environment": "PREPRODUCTION",
    "regions": "ap-northeast-2, us-east-1",
    "review_owner": "Payments team",
    "industry": "Finance",
    "architecture_diagram_url": "https://example.com/diagram.png",
    "notes": "First review.",
}


def _detail(workload):
    return reverse("reviewapp:workload_detail", args=[workload.pk])


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Create ------------------------------------------------------------------------------------


def test_it_creates_a_workload_owned_by_its_creator_with_a_review_per_lens(client_for, alice, lens):
    second = make_lens(slug="second", pillars=1, questions_per_pillar=3)

    response = client_for(alice).post(reverse("reviewapp:workload_create"), {**FORM, "lenses": [lens.pk, second.pk]})

    workload = Workload.objects.get()
    assertRedirects(response, _detail(workload), fetch_redirect_response=False)
    assert (workload.name, workload.environment, workload.created_by) == ("Payments", "PREPRODUCTION", alice)
    assert workload.regions == ["ap-northeast-2", "us-east-1"]
    assert list(workload.memberships.values_list("user__username", "role")) == [("alice", Role.OWNER)]
    reviews = {review.lens.slug: review for review in workload.reviews.select_related("lens")}
    assert set(reviews) == {"mini", "second"}
    for slug, questions in (("mini", 4), ("second", 3)):
        answers = reviews[slug].answers.all()
        assert answers.count() == questions
        assert {a.question.pillar.lens.slug for a in answers} == {slug}
        assert {(a.risk, a.version, a.updated_by_id) for a in answers} == {(AnswerRisk.UNANSWERED, 0, None)}
        assert reviews[slug].created_by == alice
    assert Answer.objects.count() == 7


def test_it_offers_the_published_lenses_with_the_first_ticked(client_for, alice, lens):
    Lens.objects.create(slug="old", version="0", name_en="Old lens", name_ko="옛 렌즈", status=Lens.Status.RETIRED)

    response = client_for(alice).get(reverse("reviewapp:workload_create"))

    assert list(response.context["form"].fields["lenses"].queryset) == [lens]
    assert response.context["form"].initial["lenses"] == [lens.pk]
    assertContains(response, "mini lens")
    assertNotContains(response, "Old lens")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"description": ""}, "description", "This field is required."),
        ({"review_owner": ""}, "review_owner", "This field is required."),
        ({"lenses": []}, "lenses", "This field is required."),
        ({"environment": "MOON"}, "environment", "Select a valid choice. MOON is not one of the available choices."),
        ({"architecture_diagram_url": "javascript:alert(1)"}, "architecture_diagram_url", "Enter a valid URL."),
        ({"regions": "x" * 101}, "regions", "A region name is at most 100 characters."),
    ],
)
def test_it_re_renders_an_invalid_form_with_its_errors_and_creates_nothing(
    client_for, alice, lens, change, field, message
):
    data = {**FORM, "lenses": [lens.pk], **change}

    response = client_for(alice).post(reverse("reviewapp:workload_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assertContains(response, f'<p class="error">{message}</p>', html=False)
    assertContains(response, "Card payments API." if field == "name" else 'value="Payments"')  # typed text is kept
    assert not Workload.objects.exists()
    assert not Membership.objects.exists()
    assert not Review.objects.exists()


def test_it_refuses_a_lens_that_is_not_published(client_for, alice, lens):
    draft = make_lens(slug="draft")
    Lens.objects.filter(pk=draft.pk).update(status=Lens.Status.DRAFT)

    response = client_for(alice).post(reverse("reviewapp:workload_create"), {**FORM, "lenses": [draft.pk]})

    assert response.status_code == 200
    assert "lenses" in response.context["form"].errors
    assert not Workload.objects.exists()


# --- Edit --------------------------------------------------------------------------------------


def test_it_edits_a_workload_and_stores_typed_regions_as_a_list(client_for, bob, workload):
    data = {**FORM, "regions": " ap-northeast-2,  us-east-1 ,\neu-west-1, "}

    response = client_for(bob).post(reverse("reviewapp:workload_edit", args=[workload.pk]), data)

    assertRedirects(response, _detail(workload), fetch_redirect_response=False)
    workload.refresh_from_db()
    assert workload.regions == ["ap-northeast-2", "us-east-1", "eu-west-1"]
    assert (workload.name, workload.industry, workload.notes) == ("Payments", "Finance", "First review.")


def test_it_shows_stored_regions_as_typed_text(client_for, alice, workload):
    Workload.objects.filter(pk=workload.pk).update(regions=["ap-northeast-2", "us-east-1"])

    edit = client_for(alice).get(reverse("reviewapp:workload_edit", args=[workload.pk]))
    detail = client_for(alice).get(_detail(workload))

    assertContains(edit, 'value="ap-northeast-2, us-east-1"')
    assertContains(detail, "<dd>ap-northeast-2, us-east-1</dd>")


def test_it_stores_no_regions_as_an_empty_list(client_for, alice, workload):
    client_for(alice).post(reverse("reviewapp:workload_edit", args=[workload.pk]), {**FORM, "regions": " , "})

    workload.refresh_from_db()
    assert workload.regions == []


def test_it_keeps_the_workload_when_an_edit_is_invalid(client_for, alice, workload):
    before = workload_snapshot(workload)

    response = client_for(alice).post(reverse("reviewapp:workload_edit", args=[workload.pk]), {**FORM, "name": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["This field is required."]
    assertContains(response, "Edit workload")
    assertContains(response, 'value="ap-northeast-2, us-east-1"')  # what was typed is kept
    assert workload_snapshot(workload) == before


# --- Sharing -----------------------------------------------------------------------------------


def _share(client, workload, username, role):
    return client.post(
        reverse("reviewapp:member_share", args=[workload.pk]), {"username": username, "role": role}, follow=True
    )


def test_it_shares_a_workload_by_username_with_a_role(client_for, alice, workload):
    make_user("dave")

    response = _share(client_for(alice), workload, "dave", Role.CONTRIBUTOR)

    assertRedirects(response, _detail(workload))
    assert Membership.objects.get(workload=workload, user__username="dave").role == Role.CONTRIBUTOR
    assert _messages(response) == ["dave is now Contributor."]
    assertContains(response, "<span>dave</span>")


def test_it_changes_the_role_of_an_existing_member(client_for, alice, workload):
    response = _share(client_for(alice), workload, "bob", Role.VIEWER)

    assert Membership.objects.get(workload=workload, user__username="bob").role == Role.VIEWER
    assert workload.memberships.count() == 3
    assert _messages(response) == ["bob is now Viewer."]


@pytest.mark.parametrize(
    ("username", "role", "message"),
    [
        ("nobody", Role.VIEWER, "There is no user named “nobody”."),
        ("", Role.VIEWER, "This field is required."),
        ("bob", "admin", "Select a valid choice. admin is not one of the available choices."),
    ],
)
def test_it_refuses_a_share_with_a_message_and_changes_nothing(client_for, alice, workload, username, role, message):
    before = workload_snapshot(workload)

    response = _share(client_for(alice), workload, username, role)

    assert _messages(response) == [message]
    assertContains(response, message)
    assert workload_snapshot(workload) == before


def test_it_does_not_share_with_an_inactive_user(client_for, alice, workload):
    make_user("gone", is_active=False)

    response = _share(client_for(alice), workload, "gone", Role.VIEWER)

    assert _messages(response) == ["There is no user named “gone”."]
    assert not Membership.objects.filter(user__username="gone").exists()


def test_it_keeps_the_last_owner_from_being_demoted(client_for, alice, workload):
    before = workload_snapshot(workload)

    response = _share(client_for(alice), workload, "alice", Role.CONTRIBUTOR)

    assert _messages(response) == ["A workload needs at least one owner."]
    assert Membership.objects.get(workload=workload, user=alice).role == Role.OWNER
    assert workload_snapshot(workload) == before


def test_it_keeps_the_last_owner_from_being_removed(client_for, alice, workload):
    membership = Membership.objects.get(workload=workload, user=alice)
    before = workload_snapshot(workload)

    response = client_for(alice).post(
        reverse("reviewapp:member_remove", args=[workload.pk, membership.pk]), follow=True
    )

    assert _messages(response) == ["A workload needs at least one owner."]
    assert workload_snapshot(workload) == before


def test_it_lets_an_owner_step_down_once_there_is_another(client_for, alice, bob, workload):
    client = client_for(alice)
    _share(client, workload, "bob", Role.OWNER)

    response = _share(client, workload, "alice", Role.VIEWER)
    removal = client_for(bob).post(
        reverse("reviewapp:member_remove", args=[workload.pk, workload.memberships.get(user=alice).pk]), follow=True
    )

    assert _messages(response) == ["alice is now Viewer."]
    assert _messages(removal) == ["alice no longer has access."]
    assert sorted(workload.memberships.values_list("user__username", "role")) == [
        ("bob", Role.OWNER),
        ("vera", Role.VIEWER),
    ]


def test_it_removes_a_member(client_for, alice, vera, workload):
    membership = Membership.objects.get(workload=workload, user=vera)

    response = client_for(alice).post(
        reverse("reviewapp:member_remove", args=[workload.pk, membership.pk]), follow=True
    )

    assert _messages(response) == ["vera no longer has access."]
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client_for(vera).get(_detail(workload)).status_code == 404


def test_it_does_not_remove_a_membership_of_another_workload(client_for, alice, charlie, workload):
    other = make_workload(charlie, name="Lab")
    add_member(other, alice, Role.VIEWER)
    theirs = Membership.objects.get(workload=other, user=charlie)

    response = client_for(alice).post(reverse("reviewapp:member_remove", args=[workload.pk, theirs.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_it_enforces_the_last_owner_rule_in_the_service(workload, alice):
    with pytest.raises(SharingError):
        membership_remove(workload=workload, membership=workload.memberships.get(user=alice))
    with pytest.raises(SharingError):
        membership_set(workload=workload, username="alice", role=Role.VIEWER)

    assert workload.memberships.get(user=alice).role == Role.OWNER


# --- Reviews of a workload ---------------------------------------------------------------------


def test_it_starts_a_review_of_another_lens(client_for, bob, workload):
    other = make_lens(slug="other", pillars=1, questions_per_pillar=1)

    response = client_for(bob).post(reverse("reviewapp:review_add", args=[workload.pk]), {"lens": other.pk})

    review = Review.objects.get(workload=workload, lens=other)
    assertRedirects(response, reverse("reviewapp:review_detail", args=[review.pk]), fetch_redirect_response=False)
    assert list(review.answers.values_list("question__key", "risk")) == [("p1_q1", AnswerRisk.UNANSWERED)]


def test_it_refuses_a_second_review_of_the_same_lens(client_for, alice, workload, lens):
    response = client_for(alice).post(
        reverse("reviewapp:review_add", args=[workload.pk]), {"lens": lens.pk}, follow=True
    )

    assert workload.reviews.count() == 1
    assert _messages(response) == ["Select a valid choice. That choice is not one of the available choices."]


# --- The list ----------------------------------------------------------------------------------


def _set_risks(review, risks: dict[str, str]) -> None:
    for key, risk in risks.items():
        Answer.objects.filter(review=review, question__key=key).update(risk=risk)


def _row(html: str, name: str) -> str:
    match = re.search(rf"<tr>\s*<td><a [^>]*>{re.escape(name)}</a></td>.*?</tr>", html, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def _row_counts(html: str, name: str) -> tuple[int, int]:
    row = _row(html, name)
    high = re.search(r'<span class="count high">(\d+)</span>', row).group(1)
    medium = re.search(r'<span class="count medium">(\d+)</span>', row).group(1)
    return int(high), int(medium)


def test_it_counts_high_and_medium_risks_per_workload_on_the_list(
    client_for, alice, bob, vera, staff, workload, review
):
    _set_risks(review, {"p1_q1": AnswerRisk.HIGH, "p1_q2": AnswerRisk.HIGH, "p2_q1": AnswerRisk.MEDIUM})
    second_lens = make_lens(slug="second", pillars=1, questions_per_pillar=2)
    second_review = review_create(workload=workload, lens=second_lens, user=alice)
    _set_risks(second_review, {"p1_q1": AnswerRisk.HIGH, "p1_q2": AnswerRisk.NOT_APPLICABLE})
    calm = workload_create(user=alice, lenses=[second_lens], name="Calm", description="d", review_owner="T")
    _set_risks(calm.reviews.get(), {"p1_q1": AnswerRisk.NONE, "p1_q2": AnswerRisk.MEDIUM})
    make_workload(alice, name="Empty")

    for user in (alice, bob, vera, staff):
        response = client_for(user).get(reverse("reviewapp:workload_list"))
        html = response.content.decode()
        counts = {w.name: (w.high_count, w.medium_count) for w in response.context["workloads"]}

        assert _row_counts(html, "Shop") == counts["Shop"] == (3, 1), user
        if user in (alice, staff):
            assert _row_counts(html, "Calm") == counts["Calm"] == (0, 1), user
            assert _row_counts(html, "Empty") == counts["Empty"] == (0, 0), user
        else:
            assert set(counts) == {"Shop"}


def test_it_lists_the_members_of_a_workload_by_username(workload, charlie):
    from reviewapp.models import Membership

    Membership.objects.create(workload=workload, user=charlie, role="viewer")

    assert [u.username for u in workload.members()] == ["alice", "bob", "charlie", "vera"]
    assert [(m.user.username, m.role) for m in workload.listed_memberships()] == [
        ("alice", "owner"),
        ("bob", "contributor"),
        ("charlie", "viewer"),
        ("vera", "viewer"),
    ]
