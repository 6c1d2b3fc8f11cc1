"""The one way views fetch a workload or a review: scoped to what the user may see.

A stranger gets 404 (the object's existence is not revealed); a member whose role
cannot write gets 403 when ``write=True``. Staff may see and change everything.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .models import WRITE_ROLES, Membership, Review, Role, Workload


def role_of(user, workload: Workload) -> str | None:
    """The user's role on the workload (staff count as owners), or None for a stranger."""
    if user.is_staff:
        return Role.OWNER
    membership = Membership.objects.filter(workload=workload, user=user).only("role").first()
    return membership.role if membership else None


def _check(user, workload: Workload, role: str | None, *, write: bool, owner: bool) -> str:
    if role is None:
        raise Http404("Not found.")  # the same words whether it exists or not
    if owner and role != Role.OWNER:
        raise PermissionDenied("Only an owner of this workload may do that.")
    if write and role not in WRITE_ROLES:
        raise PermissionDenied("Viewers cannot change this workload.")
    return role


def get_workload_for_user(
    request: HttpRequest, pk: int, *, write: bool = False, owner: bool = False
) -> tuple[Workload, str]:
    """The workload and the user's role on it, or 404 / 403."""
    try:
        workload = Workload.objects.get(pk=pk)
    except Workload.DoesNotExist:
        raise Http404("Not found.") from None
    role = _check(request.user, workload, role_of(request.user, workload), write=write, owner=owner)
    return workload, role


def get_review_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> tuple[Review, str]:
    """The review (with its workload and lens) and the user's role, or 404 / 403."""
    try:
        review = Review.objects.select_related("workload", "lens", "facilitator").get(pk=pk)
    except Review.DoesNotExist:
        raise Http404("Not found.") from None
    role = _check(request.user, review.workload, role_of(request.user, review.workload), write=write, owner=False)
    return review, role
