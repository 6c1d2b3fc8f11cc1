"""Facilitator mode: who leads a review's workshop, and who may start or stop it.

The facilitator's page becomes the review's current question (views/live.py records it), and
followers are sent there. An owner of the workload (staff count as owners) chooses a member to
lead, themselves included; the owner or the facilitator stops it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .access import role_of
from .models import Review, Role


@transaction.atomic
def review_facilitator_set(*, review: Review, user, facilitator) -> None:
    """``user`` makes ``facilitator`` (a member of the workload) lead the review, or stops it with None.

    Raises PermissionDenied when ``user`` may not, ValidationError when ``facilitator`` is not a member.
    """
    role = role_of(user, review.workload)
    if facilitator is None:
        if role != Role.OWNER and review.facilitator_id != user.pk:
            raise PermissionDenied("Only the owner or the facilitator can stop facilitator mode.")
    else:
        if role != Role.OWNER:
            raise PermissionDenied("Only an owner of the workload chooses the facilitator.")
        if not review.workload.members().filter(pk=facilitator.pk).exists():
            raise ValidationError(_("Choose a member of this workload to lead the workshop."), code="not_member")
    Review.objects.filter(pk=review.pk).update(facilitator=facilitator, facilitator_question="")
    review.facilitator, review.facilitator_question = facilitator, ""
