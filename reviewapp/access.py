"""The one way views fetch a workload or a review: scoped to what the user may see.

A stranger gets 404 (the object's existence is not revealed); a member whose role
cannot write gets 403 when ``write=True``. Staff may see and change everything.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest
from django.utils.crypto import constant_time_compare

from .models import WRITE_ROLES, Membership, Review, ReviewSession, ReviewTemplate, Role, Workload
from .review_relations import STAMPS, with_relations


def role_of(user, workload: Workload) -> str | None:
    """The user's role on the workload (staff count as owners), or None for a stranger."""
    if user.is_staff:
        return staff_or_member_role(is_staff=True, member_role=None)
    return staff_or_member_role(is_staff=False, member_role=_membership_roles(workload.pk, user.pk).first())


def _membership_roles(workload_id, user_id):
    """The role of one user on one workload, without the default ordering's join to the user table."""
    return Membership.objects.filter(workload_id=workload_id, user_id=user_id).order_by().values_list("role", flat=True)


def staff_or_member_role(*, is_staff: bool, member_role: str | None) -> str | None:
    """The one rule: staff count as owners of every workload; others have their membership's role."""
    return Role.OWNER if is_staff else member_role


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
    """The review (with its workload and lens) and the user's role, or 404 / 403, in one query:
    the caller's membership is read with the review; its workload, lens and facilitator are
    those this process keeps while they are current (``review_relations``)."""
    user = request.user
    review = _review_read(pk, None if user.is_staff else user.pk)
    if review is None:
        raise Http404("Not found.")
    role = staff_or_member_role(is_staff=user.is_staff, member_role=getattr(review, "member_role", None))
    role = _check(user, None, role, write=write, owner=False)
    return with_relations(review), role


def live_review(pk: int) -> Review:
    """The review for a live refresh, whose access ``live_access`` has just checked."""
    review = _review_read(pk, None)
    if review is None:
        raise Http404("Not found.")
    return with_relations(review)


def _review_read(pk: int, member_id: int | None) -> Review | None:
    """The review with the ``STAMPS`` of what it refers to and, given a user, that user's role.

    Every review request starts here, so the statement is compiled once per process (with
    stand-in values swapped for the real ones) rather than built by the ORM each time.
    """
    sql, params = _review_statement(member_id is not None)
    params = [pk if p == _REVIEW else member_id if p == _USER else p for p in params]
    found = list(Review.objects.raw(sql, params))
    return found[0] if found else None


@cache
def _review_statement(with_role: bool) -> tuple[str, tuple]:
    reviews = Review.objects.annotate(**STAMPS)
    if with_role:
        reviews = reviews.annotate(member_role=Subquery(_membership_roles(OuterRef("workload_id"), _USER)[:1]))
    return reviews.filter(pk=_REVIEW).order_by().query.sql_with_params()


def get_session_for_user(
    request: HttpRequest, pk: int, session_pk: int, *, write: bool = False
) -> tuple[ReviewSession, str]:
    """A session of the review (with the review, workload and lens) and the user's role, or 404 / 403."""
    review, role = get_review_for_user(request, pk, write=write)
    try:
        session = ReviewSession.objects.select_related("facilitator").get(pk=session_pk, review=review)
    except ReviewSession.DoesNotExist:
        raise Http404("Not found.") from None
    session.review = review
    return session, role


def get_template_for_user(request: HttpRequest, pk: int) -> ReviewTemplate:
    """A review template of the user's own (staff: anyone's), or 404: templates are private to their owner."""
    try:
        return ReviewTemplate.objects.for_user(request.user).select_related("lens", "owner").get(pk=pk)
    except ReviewTemplate.DoesNotExist:
        raise Http404("Not found.") from None


@dataclass(frozen=True)
class LiveAccess:
    """What the live poll needs to know about the caller and the review, read in one query."""

    user_id: int
    username: str
    role: str
    revision: int
    facilitator_id: int | None
    facilitator_question: str
    live_session_id: int | None
    session_version: int | None


def live_access(request: HttpRequest, pk: int) -> LiveAccess | None:
    """The caller's access to the review's live view, checking the session as ``auth.get_user`` does.

    The poll skips the authentication middleware's user query: the account (active, as
    ``ModelBackend.get_user`` requires), the caller's membership and the review's live fields are
    read together. The session must name an installed backend and carry the hash of the account's
    password under ``SECRET_KEY`` or one of ``SECRET_KEY_FALLBACKS`` (a fallback hash is replaced
    by the current one, as Django does). Returns None for someone signed out (the session is then
    flushed, as Django does), raises 404 for a stranger or a review that does not exist.
    """
    user_model = get_user_model()
    try:
        user_id = user_model._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    sql, params = _live_statement()
    params = [pk if p == _REVIEW else user_id if p == _USER else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    row = dict(zip(_LIVE_FIELDS, found, strict=True)) if found else None
    if row is None:
        raise Http404("Not found.")
    if row["account_password"] is None:
        return None  # no such active account: ModelBackend.get_user answers None
    if not _session_verified(request, user_model(pk=user_id, password=row["account_password"])):
        return None
    role = _check(
        None,
        None,
        staff_or_member_role(is_staff=row["account_staff"], member_role=row["member_role"]),
        write=False,
        owner=False,
    )
    return LiveAccess(
        user_id=user_id,
        username=row["account_name"],
        role=role,
        revision=row["revision"],
        facilitator_id=row["facilitator_id"],
        facilitator_question=row["facilitator_question"],
        live_session_id=row["live_session_id"],
        session_version=row["session_version"],
    )


# Stand-in values compiled into the live statement, swapped for the real ones at each call (no
# review or account has a negative id, and the statement's only other parameter is ``True``).
_REVIEW, _USER = -2_000_000_001, -2_000_000_002  # within the range of any integer key
_LIVE_FIELDS = (
    "revision",
    "facilitator_id",
    "facilitator_question",
    "live_session_id",
    "session_version",
    "member_role",
    "account_password",
    "account_staff",
    "account_name",
)


@cache
def _live_statement() -> tuple[str, tuple]:
    """The live poll's one query, compiled by the ORM once per process rather than on every poll.

    The review, the caller's membership and the account (active, as ``ModelBackend.get_user``
    requires) in one statement; building and compiling its four subqueries cost more than running it.
    """
    users = get_user_model().objects.filter(pk=_USER, is_active=True).order_by()
    statement = (
        Review.objects.filter(pk=_REVIEW)
        .order_by()
        .annotate(
            member_role=Subquery(_membership_roles(OuterRef("workload_id"), _USER)[:1]),
            account_password=Subquery(users.values("password")[:1]),
            account_staff=Subquery(users.values("is_staff")[:1]),
            account_name=Subquery(users.values("username")[:1]),
            session_version=Subquery(
                ReviewSession.objects.filter(pk=OuterRef("live_session_id")).order_by().values("version")
            ),
        )
        .values(*_LIVE_FIELDS)[:1]
    )
    sql, params = statement.query.sql_with_params()
    if params.count(_REVIEW) != 1 or params.count(_USER) != 4:
        raise RuntimeError("the live statement's placeholders were not kept as given")
    return sql, params


def _session_verified(request: HttpRequest, account) -> bool:
    """The session-hash check of ``django.contrib.auth.get_user``, on an account read elsewhere."""
    session_hash = request.session.get(HASH_SESSION_KEY)
    current = account.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return True
    if session_hash and any(
        constant_time_compare(session_hash, old) for old in account.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[HASH_SESSION_KEY] = current
        return True
    request.session.flush()
    return False
