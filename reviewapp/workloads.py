"""Creating workloads and reviews, and sharing workloads with other users."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from questions.models import Lens

from .models import Answer, Membership, Review, ReviewTemplate, Role, Workload
from .notifications import events
from .review_templates import template_apply


@transaction.atomic
def workload_create(*, user, lenses: list[Lens], **fields) -> Workload:
    """A new workload owned by its creator, with one review per chosen lens."""
    workload = Workload.objects.create(created_by=user, **fields)
    Membership.objects.create(workload=workload, user=user, role=Role.OWNER)
    for lens in lenses:
        review_create(workload=workload, lens=lens, user=user)
    return workload


@transaction.atomic
def review_create(*, workload: Workload, lens: Lens, user, template: ReviewTemplate | None = None) -> Review:
    """A review of the workload against the lens, with every question unanswered, or pre-filled from a
    review template (which must be on this lens version; ``TemplateError`` otherwise, and no review is made)."""
    review = Review.objects.create(workload=workload, lens=lens, created_by=user)
    questions = lens.pillars.values_list("questions", flat=True)
    Answer.objects.bulk_create(Answer(review=review, question_id=qid) for qid in questions if qid is not None)
    if template is not None:
        template_apply(review=review, template=template, user=user)
    return review


class SharingError(ValueError):
    """A share that cannot be done, with a message for the user."""


@transaction.atomic
def membership_set(*, workload: Workload, username: str, role: str, by=None) -> Membership:
    """Give the named user the role on the workload (adding or changing a member); one added hears of it."""
    User = get_user_model()
    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise SharingError(_("There is no user named “%(username)s”.") % {"username": username}) from None
    existing = Membership.objects.select_for_update().filter(workload=workload, user=user).first()
    if existing and existing.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(workload, user)
    membership, created = Membership.objects.update_or_create(workload=workload, user=user, defaults={"role": role})
    if created:
        events.review_shared(membership=membership, by=by)
    return membership


@transaction.atomic
def membership_remove(*, workload: Workload, membership: Membership) -> None:
    if membership.role == Role.OWNER:
        _ensure_another_owner(workload, membership.user)
    Review.objects.filter(workload=workload, facilitator=membership.user).update(
        facilitator=None, facilitator_question=""
    )
    membership.delete()


def _ensure_another_owner(workload: Workload, user) -> None:
    others = Membership.objects.select_for_update().filter(workload=workload, role=Role.OWNER).exclude(user=user)
    if not others.exists():
        raise SharingError(_("A workload needs at least one owner."))
