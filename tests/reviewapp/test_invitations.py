"""Invitations (reviewapp/invitations.py and its pages): owners invite, invitees join, dead links say why."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from reviewapp.invitations import InvitationError, invitation_accept, invitation_create, invitation_find
from reviewapp.models import Invitation, Membership, Role

from ..factories import make_user

PASSWORD = "harbour-lantern-417"


def _create(client, workload, role="contributor", days=7):
    return client.post(reverse("reviewapp:invitation_create", args=[workload.pk]), {"role": role, "valid_days": days})


def _link(response) -> str:
    link = response.context["link"]
    return link[link.index("/invitations/") :]


def test_it_creates_an_invitation_and_shows_its_link_once_storing_only_a_hash(client_for, alice, workload):
    response = _create(client_for(alice), workload, role="viewer", days=3)

    invitation = Invitation.objects.get(workload=workload)
    token = _link(response).split("/")[2]
    assertContains(response, response.context["link"])
    assert invitation.role == Role.VIEWER and invitation.created_by == alice
    assert token not in invitation.token_hash and len(token) >= 40
    assert invitation_find(token) == invitation
    assert timedelta(days=2, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=3)
    page = client_for(alice).get(reverse("reviewapp:workload_detail", args=[workload.pk]))
    assertContains(page, "Waiting")
    assertNotContains(page, token)


def test_it_lets_a_new_person_create_an_account_and_join(client_for, alice, workload):
    link = _link(_create(client_for(alice), workload, role="contributor"))
    visitor = client_for(None)

    page = visitor.get(link)
    assertContains(page, "Join “Shop”")
    response = visitor.post(link, {"username": "dana", "password1": PASSWORD, "password2": PASSWORD})

    assertRedirects(response, reverse("reviewapp:workload_detail", args=[workload.pk]))
    dana = get_user_model().objects.get(username="dana")
    assert dana.check_password(PASSWORD)
    assert Membership.objects.get(workload=workload, user=dana).role == Role.CONTRIBUTOR
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == dana and invitation.state == Invitation.State.ACCEPTED
    assertContains(visitor.get(reverse("reviewapp:workload_detail", args=[workload.pk])), "dana")


def test_it_refuses_a_weak_password_or_a_taken_username_and_creates_nobody(client_for, alice, workload):
    link = _link(_create(client_for(alice), workload))
    visitor = client_for(None)

    weak = visitor.post(link, {"username": "dana", "password1": "12345678", "password2": "12345678"})
    taken = visitor.post(link, {"username": "bob", "password1": PASSWORD, "password2": PASSWORD})

    assertContains(weak, "This password is too common")
    assertContains(taken, "A user with that username already exists")
    assert not get_user_model().objects.filter(username="dana").exists()
    assert Invitation.objects.get().state == Invitation.State.PENDING


def test_it_lets_a_signed_in_person_join_with_one_click(client_for, alice, workload, charlie):
    link = _link(_create(client_for(alice), workload, role="viewer"))
    client = client_for(charlie)

    assertContains(client.get(link), "You are signed in as charlie")
    response = client.post(link)

    assertRedirects(response, reverse("reviewapp:workload_detail", args=[workload.pk]))
    assert Membership.objects.get(workload=workload, user=charlie).role == Role.VIEWER


def test_it_lets_an_existing_account_sign_in_through_the_link_then_join(client_for, alice, workload, charlie):
    link = _link(_create(client_for(alice), workload))
    visitor = client_for(None)

    page = visitor.get(link)
    login_url = page.context["login_url"]
    signed_in = visitor.post(login_url, {"username": "charlie", "password": "pw", "next": link})
    assertRedirects(signed_in, link, fetch_redirect_response=False)
    visitor.post(link)

    assert Membership.objects.get(workload=workload, user=charlie).role == Role.CONTRIBUTOR


def test_it_keeps_a_members_higher_role(alice, workload, bob):
    invitation, _token = invitation_create(workload=workload, role=Role.VIEWER, created_by=alice)

    invitation_accept(invitation=invitation, user=bob)

    assert Membership.objects.get(workload=workload, user=bob).role == Role.CONTRIBUTOR


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda inv: Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now()), "has expired"),
        (lambda inv: Invitation.objects.filter(pk=inv.pk).update(revoked_at=timezone.now()), "was withdrawn"),
        (lambda inv: invitation_accept(invitation=inv, user=make_user("erin")), "already been used"),
    ],
    ids=["expired", "revoked", "used"],
)
def test_it_says_clearly_why_a_dead_link_does_not_work(client_for, alice, workload, charlie, spoil, words):
    invitation, token = invitation_create(workload=workload, role=Role.OWNER, created_by=alice)
    spoil(invitation)
    link = reverse("reviewapp:invitation_accept", args=[token])

    anonymous = client_for(None).get(link)
    joined = client_for(charlie).post(link)
    signup = client_for(None).post(link, {"username": "dana", "password1": PASSWORD, "password2": PASSWORD})

    for response in (anonymous, joined, signup):
        assert response.status_code == 410
        assertContains(response, words, status_code=410)
    assert not Membership.objects.filter(user=charlie).exists()
    assert not get_user_model().objects.filter(username="dana").exists()
    with pytest.raises(InvitationError):
        invitation_accept(invitation=invitation, user=charlie)


def test_it_says_an_unknown_link_is_not_valid(client_for):
    response = client_for(None).get(reverse("reviewapp:invitation_accept", args=["not-a-real-token"]))

    assertContains(response, "This invitation link is not valid", status_code=404)


def test_it_lets_an_owner_withdraw_an_invitation(client_for, alice, workload):
    invitation, token = invitation_create(workload=workload, role=Role.CONTRIBUTOR, created_by=alice)

    response = client_for(alice).post(reverse("reviewapp:invitation_revoke", args=[workload.pk, invitation.pk]))

    assertRedirects(response, reverse("reviewapp:workload_detail", args=[workload.pk]))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    assertContains(
        client_for(None).get(reverse("reviewapp:invitation_accept", args=[token])), "withdrawn", status_code=410
    )


@pytest.mark.parametrize("who", ["bob", "vera"])
def test_it_refuses_invitations_from_contributors_and_viewers(client_for, workload, request, who):
    invitation, _token = invitation_create(workload=workload, role=Role.VIEWER, created_by=workload.created_by)
    client = client_for(request.getfixturevalue(who))

    created = _create(client, workload, role="owner")
    revoked = client.post(reverse("reviewapp:invitation_revoke", args=[workload.pk, invitation.pk]))
    page = client.get(reverse("reviewapp:workload_detail", args=[workload.pk]))

    assert created.status_code == 403 and revoked.status_code == 403
    assert Invitation.objects.count() == 1 and Invitation.objects.get().state == Invitation.State.PENDING
    assertNotContains(page, "Create invitation link")


def test_it_answers_an_outsider_404(client_for, workload, charlie):
    invitation, _token = invitation_create(workload=workload, role=Role.VIEWER, created_by=workload.created_by)
    client = client_for(charlie)

    created = _create(client, workload)
    revoked = client.post(reverse("reviewapp:invitation_revoke", args=[workload.pk, invitation.pk]))

    assert created.status_code == 404 and revoked.status_code == 404
    assert Invitation.objects.count() == 1 and Invitation.objects.get().revoked_at is None
