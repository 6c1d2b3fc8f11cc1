"""Invitations through the API (/api/v1/workloads/{id}/invitations/): owners list, create and withdraw them."""

import pytest
from django.urls import reverse

from reviewapp.invitations import invitation_create, invitation_find
from reviewapp.models import Invitation, Role


def _list_url(workload) -> str:
    return reverse("api:invitation-list", args=[workload.pk])


def test_it_creates_an_invitation_and_returns_its_link_once(workload, api_for, alice, client_for, charlie):
    api = api_for(alice)

    created = api.post(_list_url(workload), {"role": "viewer", "valid_days": 2}, content_type="application/json")
    listed = api.get(_list_url(workload))

    assert created.status_code == 201
    body = created.json()
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    assert (body["role"], body["state"], body["accepted_by"]) == ("viewer", "pending", None)
    assert invitation_find(token) == Invitation.objects.get(pk=body["id"])
    assert listed.json() == [{**body, "url": None}]
    client_for(charlie).post(body["url"].split("testserver", 1)[1])
    assert workload.memberships.get(user=charlie).role == Role.VIEWER


def test_it_withdraws_an_invitation(workload, api_for, alice):
    invitation, _token = invitation_create(workload=workload, role=Role.CONTRIBUTOR, created_by=alice)

    response = api_for(alice).delete(reverse("api:invitation-detail", args=[workload.pk, invitation.pk]))

    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED


def test_it_refuses_a_role_that_does_not_exist(workload, api_for, alice):
    response = api_for(alice).post(_list_url(workload), {"role": "king"}, content_type="application/json")

    assert response.status_code == 400 and "role" in response.json()["details"]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("bob", 403), ("vera", 403), ("charlie", 404)])
def test_it_keeps_invitations_to_owners(workload, api_for, alice, request, who, status):
    invitation, _token = invitation_create(workload=workload, role=Role.OWNER, created_by=alice)
    api = api_for(request.getfixturevalue(who))

    listed = api.get(_list_url(workload))
    created = api.post(_list_url(workload), {"role": "owner"}, content_type="application/json")
    deleted = api.delete(reverse("api:invitation-detail", args=[workload.pk, invitation.pk]))

    assert (listed.status_code, created.status_code, deleted.status_code) == (status, status, status)
    assert Invitation.objects.count() == 1 and Invitation.objects.get().revoked_at is None
