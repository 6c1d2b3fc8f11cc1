"""Review pages: the overview, a pillar's questions and one question."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ..access import get_review_for_user
from ..comments import question_comments
from ..models import CHOICE_NOTES_MAX_LENGTH, NOTES_MAX_LENGTH, WRITE_ROLES, Answer, DiscussionState, Role
from ..profiles import review_prioritised_keys
from ..progress import PillarState, ReviewState, review_state
from ..risk import RiskCounts
from ..sessions.bar import session_bar
from ..sessions.discussion import question_in_session
from ..sessions.planning import sessions_listed
from ..upgrades import newer_version


def review_context(request: HttpRequest, review, role, state, *, prioritised=None, **extra) -> dict:
    """What every review page and fragment needs besides its own parts."""
    return {
        "review": review,
        "workload": review.workload,
        "state": state,
        "can_write": role in WRITE_ROLES,
        "role": role,
        "reasons": Answer.Reason.choices,
        "choice_reasons": Answer.ChoiceReason.choices,
        "choice_notes_max": CHOICE_NOTES_MAX_LENGTH,
        "newer_lens": newer_version(review) if not request.htmx else None,
        "lead_question": review.facilitator_question if review.facilitator_id else "",
        "notes_max": NOTES_MAX_LENGTH,
        "live": session_bar(review),
        "prioritised": review_prioritised_keys(review) if prioritised is None else prioritised,
        **extra,
    }


@require_http_methods(["GET"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    state = review_state(review)
    prioritised, only_prioritised = prioritised_filter(request, review)
    context = review_context(
        request,
        review,
        role,
        state,
        page="review",
        members=review_members(review, role),
        sessions=sessions_listed(review),
        pillars=prioritised_pillars(state, prioritised) if only_prioritised else state.pillars,
        prioritised=prioritised,
        only_prioritised=only_prioritised,
        prioritised_counts=RiskCounts.of(q.risk for q in state.questions if q.item.key in prioritised),
    )
    return render(request, "reviewapp/review_detail.html", context)


@require_http_methods(["GET"])
def review_pillar(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    state = review_state(review)
    pillar = state.pillar(key)
    if pillar is None:
        raise Http404("No such pillar in this lens.")
    prioritised, only_prioritised = prioritised_filter(request, review)
    context = review_context(
        request,
        review,
        role,
        state,
        current_pillar=pillar,
        questions=[q for q in pillar.questions if q.item.key in prioritised] if only_prioritised else pillar.questions,
        prioritised=prioritised,
        only_prioritised=only_prioritised,
        page=f"pillar:{pillar.pillar.key}",
        members=review_members(review, role),
    )
    return render(request, "reviewapp/review_pillar.html", context)


@require_http_methods(["GET"])
def review_question(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    state = review_state(review)
    current = state.question(key)
    if current is None:
        raise Http404("No such question in this lens.")
    previous, following = state.neighbours(key)
    context = review_context(
        request,
        review,
        role,
        state,
        current=current,
        current_pillar=state.pillar(current.item.pillar.key),
        previous=previous,
        following=following,
        page=f"question:{key}",
        members=review_members(review, role),
        in_session=question_in_session(review, key),
        comments=question_comments(review, key),
        discussion_states=DiscussionState.choices,
    )
    return render(request, "reviewapp/review_question.html", context)


def prioritised_filter(request: HttpRequest, review) -> tuple[frozenset[str], bool]:
    """The review's prioritised question ids, and whether the page shows only them (``?prioritised=1``)."""
    keys = review_prioritised_keys(review)
    return keys, bool(keys) and request.GET.get("prioritised") == "1"


def prioritised_pillars(state: ReviewState, keys: frozenset[str]) -> list[PillarState]:
    """The pillars with only their prioritised questions (pillars left with none are left out)."""
    pillars = [
        PillarState(pillar=p.pillar, questions=[q for q in p.questions if q.item.key in keys]) for p in state.pillars
    ]
    return [p for p in pillars if p.questions]


def review_members(review, role: str) -> list:
    """The workload's members, for the owner's choice of facilitator: read only when that choice is
    shown (to an owner, while nobody leads)."""
    if role != Role.OWNER or review.facilitator_id:
        return []
    return list(review.workload.listed_memberships())
