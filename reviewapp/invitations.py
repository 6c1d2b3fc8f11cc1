"""Invitations: an owner makes a single-use, expiring link; whoever opens it joins the workload with its role.

The link's secret is shown once to the owner and stored only as a SHA-256 hash, like API tokens.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Invitation, Membership, Role, Workload

DEFAULT_VALID_DAYS = 7
RANK = {Role.VIEWER: 0, Role.CONTRIBUTOR: 1, Role.OWNER: 2}


class InvitationError(ValueError):
    """An invitation that cannot be used (used, revoked or expired), with a message for the user."""

    def __init__(self, invitation: Invitation):
        self.invitation = invitation
        super().__init__(invitation_problem(invitation))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_problem(invitation: Invitation) -> str:
    """Why the invitation cannot be used, in words for the person holding the link ("" when it can)."""
    return {
        Invitation.State.ACCEPTED: _(
            "This invitation link has already been used. Ask the workload's owner for a new one."
        ),
        Invitation.State.REVOKED: _("This invitation link was withdrawn by the workload's owner."),
        Invitation.State.EXPIRED: _("This invitation link has expired. Ask the workload's owner for a new one."),
    }.get(invitation.state, "")


def invitation_find(token: str) -> Invitation | None:
    """The invitation the link's token names, whatever its state, or None."""
    return Invitation.objects.select_related("workload").filter(token_hash=_hash(token)).first()


@transaction.atomic
def invitation_create(
    *, workload: Workload, role: str, created_by, valid_days: int = DEFAULT_VALID_DAYS
) -> tuple[Invitation, str]:
    """A new invitation to the workload; returns it with the only copy of its token."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workload=workload,
        role=role,
        created_by=created_by,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(days=valid_days),
    )
    return invitation, token


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Make the user a member with the invitation's role (a member keeps a higher role), and use the invitation up."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != Invitation.State.PENDING:
        raise InvitationError(invitation)
    membership = Membership.objects.select_for_update().filter(workload=invitation.workload, user=user).first()
    if membership is None:
        membership = Membership.objects.create(workload=invitation.workload, user=user, role=invitation.role)
    elif RANK[Role(invitation.role)] > RANK[Role(membership.role)]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    return membership


@transaction.atomic
def invitation_accept_new_account(*, invitation: Invitation, username: str, password: str):
    """A new account for the invitee, made a member through the invitation; returns the user."""
    user = get_user_model().objects.create_user(username=username, password=password)
    invitation_accept(invitation=invitation, user=user)
    return user


def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw an invitation that has not been used; a used one stays as the record of who joined."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
