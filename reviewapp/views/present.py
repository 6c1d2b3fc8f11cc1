"""The presentation view: one question in large type for a projector, kept fresh by the live poll."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..access import get_review_for_user
from ..progress import review_state
from .reviews import review_context


class PresentForm(forms.Form):
    question = forms.CharField(required=False, max_length=128)


@require_GET
def review_present(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    state = review_state(review)
    if not state.questions:
        raise Http404("This lens has no question.")
    form = PresentForm(request.GET)
    asked = form.cleaned_data["question"] if form.is_valid() else ""
    leading = bool(review.facilitator_id and state.question(review.facilitator_question))
    # The facilitator's question while someone leads the workshop, else the one asked for, else the first.
    current = state.question(review.facilitator_question) if leading else state.question(asked) or state.questions[0]
    previous, following = state.neighbours(current.item.key)
    context = review_context(
        request,
        review,
        role,
        state,
        current=current,
        current_pillar=state.pillar(current.item.pillar.key),
        page=f"question:{current.item.key}",
        previous=None if leading else previous,
        following=None if leading else following,
        leading=leading,
        can_write=False,  # a screen to look at: nothing on it changes the review
    )
    return render(request, "reviewapp/review_present.html", context)
