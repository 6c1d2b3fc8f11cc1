"""Review pages: the overview, a pillar's questions, one question, and saving an answer."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import reswap, retarget
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_review_for_user
from ..answers import answer_save
from ..bank import load_bank
from ..forms import AnswerForm
from ..models import WRITE_ROLES, Answer
from ..progress import review_state
from ..upgrades import newer_version


def _context(request: HttpRequest, review, role, state, **extra) -> dict:
    return {
        "review": review,
        "workload": review.workload,
        "state": state,
        "can_write": role in WRITE_ROLES,
        "role": role,
        "reasons": Answer.Reason.choices,
        "newer_lens": newer_version(review) if not request.htmx else None,
        **extra,
    }


@require_http_methods(["GET"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    state = review_state(review)
    return render(request, "reviewapp/review_detail.html", _context(request, review, role, state))


@require_http_methods(["GET"])
def review_pillar(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    state = review_state(review)
    pillar = state.pillar(key)
    if pillar is None:
        raise Http404("No such pillar in this lens.")
    context = _context(request, review, role, state, current_pillar=pillar, questions=pillar.questions)
    return render(request, "reviewapp/review_pillar.html", context)


@require_http_methods(["GET"])
def review_question(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    state = review_state(review)
    current = state.question(key)
    if current is None:
        raise Http404("No such question in this lens.")
    previous, following = state.neighbours(key)
    context = _context(
        request, review, role, state,
        current=current, current_pillar=state.pillar(current.item.pillar.key),
        previous=previous, following=following,
    )  # fmt: skip
    return render(request, "reviewapp/review_question.html", context)


@require_POST
def answer_save_view(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk, write=True)
    bank = load_bank(review.lens)
    form = AnswerForm(request.POST, bank=bank)
    if not form.is_valid():
        return _answer_refused(request, review, role, bank, form)
    data = form.cleaned_data
    answer_save(
        review=review, item=form.item, user=request.user, selected_keys=data["selected_keys"],
        is_applicable=not data["not_applicable"], reason=data["reason"], notes=data["notes"],
    )  # fmt: skip
    if not request.htmx:
        return redirect(reverse("reviewapp:review_question", args=[review.pk, form.item.key]))
    state = review_state(review, bank)
    current = state.question(form.item.key)
    context = _context(
        request, review, role, state, current=current, current_pillar=state.pillar(current.item.pillar.key)
    )
    return render(request, "reviewapp/answer_saved.html", context)


def _answer_refused(request, review, role, bank, form: AnswerForm) -> HttpResponse:
    """400 with the reason, shown in the question's status box; nothing was saved."""
    state = review_state(review, bank)
    current = state.question(form.item.key) if form.item else None
    context = _context(request, review, role, state, current=current, error=form.error_text())
    if not request.htmx:
        return render(request, "reviewapp/answer_refused.html", context, status=400)
    response = render(request, "reviewapp/answer_refused.html#refused", context, status=400)
    if current is None:  # no question box to show it in: use the page's message area
        response = retarget(response, "#flash")
        response = reswap(response, "innerHTML")
    return response
