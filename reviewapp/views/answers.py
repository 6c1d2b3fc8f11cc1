"""Saving an answer from the review page, its history, and restoring an earlier version."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from ..access import get_review_for_user
from ..answer_state import AnswerState, ChoiceNA
from ..answers import AnswerConflict, SavedAs, answer_save
from ..bank import load_bank
from ..forms import AnswerForm, AnswerPageForm
from ..merging import notes_both
from ..models import NOTES_MAX_LENGTH, WRITE_ROLES, Answer, AnswerChange
from ..progress import review_state
from .reviews import review_context


@require_POST
def answer_save_view(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk, write=True)
    bank = load_bank(review.lens)
    form = AnswerForm(request.POST, bank=bank)
    if not form.is_valid():
        return _answer_refused(request, review, role, bank, form)
    data = form.cleaned_data
    mine = data["state"]
    try:
        answer = answer_save(
            review=review,
            item=form.item,
            user=request.user,
            state=mine,
            base_version=data["version"],
            idempotency_key=data["idem"],
            keep_both=data["keep"] == "both",
        )
    except AnswerConflict as conflict:
        return _answer_conflict(request, review, role, bank, form.item.key, mine, conflict)
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return _answer_refused(request, review, role, bank, form)
    if not request.htmx:
        return redirect(reverse("reviewapp:review_question", args=[review.pk, form.item.key]))
    return _answer_saved(
        request, review, role, bank, form.item.key, sent=mine, page=data["shown_on"], saved_as=answer.saved_as
    )


def _answer_saved(
    request, review, role, bank, key: str, *, sent: AnswerState | None, page: str, saved_as: SavedAs | None = None
) -> HttpResponse:
    """The question's new status and its answer's data, plus out-of-band updates of everything the save moved.

    The form's own fields are never swapped: the page's script lays the saved answer over
    them, keeping whatever the person typed since the save was sent. When the answer has
    moved past the version this save produced (someone saved after it, or the save was a
    retry of one that landed earlier), the status also carries that version and the answer
    at it, which is what the page rebases onto.
    """
    state = review_state(review, bank)
    current = state.question(key)
    merged = sent is not None and sent != current.state
    behind = saved_as is not None and saved_as.version != current.answer.version
    context = review_context(
        request,
        review,
        role,
        state,
        current=current,
        current_pillar=state.pillar(current.item.pillar.key),
        merged=merged,
        with_nav=page == "question",
        saved_as=saved_as if behind else None,
    )
    response = render(request, "reviewapp/answer_saved.html", context)
    return reswap(retarget(response, f"#status-{key}"), "outerHTML")


def _answer_conflict(request, review, role, bank, key, mine: AnswerState, conflict: AnswerConflict) -> HttpResponse:
    """409: both versions side by side; the person picks one (or both texts). Nothing was saved."""
    state = review_state(review, bank)
    current = state.question(key)
    choices = {c.key: c.title for c in current.item.choices}
    theirs = current.state
    both = ""
    if mine.notes and theirs.notes and mine.notes != theirs.notes:
        both = notes_both(
            theirs=theirs.notes,
            theirs_author=current.answer.updated_by or "—",
            mine=mine.notes,
            my_author=request.user.get_username(),
        )
    context = review_context(
        request,
        review,
        role,
        state,
        current=current,
        mine=mine,
        mine_titles=[choices[k] for k in sorted(mine.choices) if k in choices],
        theirs_titles=[c.title for c in current.selected_choices],
        mine_na=_na_rows(mine, choices),
        theirs_na=_na_rows(theirs, choices),
        conflict_fields=conflict.fields,
        both_notes=both if len(both) <= NOTES_MAX_LENGTH else "",
        both_too_long=len(both) > NOTES_MAX_LENGTH,
        with_data=request.htmx,
    )
    status = 409
    if not request.htmx:
        return render(request, "reviewapp/answer_conflict_page.html", context, status=status)
    response = render(request, "reviewapp/answer_conflict.html", context, status=status)
    return reswap(retarget(response, f"#conflict-{key}"), "innerHTML")


def _answer_refused(request, review, role, bank, form: AnswerForm) -> HttpResponse:
    """400 with the reason, shown in the question's status box; nothing was saved."""
    state = review_state(review, bank)
    current = state.question(form.item.key) if form.item else None
    context = review_context(request, review, role, state, current=current, error=form.error_text())
    if not request.htmx:
        return render(request, "reviewapp/answer_refused.html", context, status=400)
    response = render(request, "reviewapp/answer_refused.html#refused", context, status=400)
    if current is None:  # no question box to show it in: use the page's message area
        response = retarget(response, "#flash")
        response = reswap(response, "innerHTML")
    return response


@require_http_methods(["GET"])
def answer_history(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    bank = load_bank(review.lens)
    item = bank.by_key.get(key)
    if item is None:  # before any query: a key the bank lacks (say with a NUL) never reaches the database
        raise Http404("No such question in this lens.")
    answer = get_object_or_404(Answer.objects.select_related("question"), review=review, question=item.question)
    titles = {c.key: c.title for c in item.choices}
    changes = [
        {
            "change": change,
            "before": [titles.get(k, k) for k in change.before.get("choices", [])],
            "after": [titles.get(k, k) for k in change.after.get("choices", [])],
            "before_na": _na_rows(AnswerState.from_json(change.before), titles),
            "after_na": _na_rows(AnswerState.from_json(change.after), titles),
        }
        for change in AnswerChange.objects.filter(answer=answer).select_related("changed_by").order_by("-version")[:50]
    ]
    context = {"review": review, "key": key, "changes": changes, "answer": answer, "can_write": role in WRITE_ROLES}
    return render(request, "reviewapp/answer_history.html", context)


def _na_rows(state: AnswerState, titles: dict[str, str]) -> list[tuple[str, ChoiceNA]]:
    """``(title, entry)`` of each practice that does not apply, for the history and the conflict panel."""
    return [(titles.get(entry.key, entry.key), entry) for entry in state.choice_na]


@require_POST
def answer_restore(request: HttpRequest, pk: int, key: str, version: int) -> HttpResponse:
    """Bring back the answer as it was after a version: a new change like any other."""
    review, role = get_review_for_user(request, pk, write=True)
    bank = load_bank(review.lens)
    item = bank.by_key.get(key)
    if item is None:
        raise Http404("No such question in this lens.")
    change = get_object_or_404(AnswerChange, answer__review=review, answer__question__key=key, version=version)
    known = AnswerState.from_json(change.after).kept_in(item)
    answer_save(review=review, item=item, user=request.user, state=known, restored_from=version)
    if not request.htmx:
        return redirect(reverse("reviewapp:review_question", args=[review.pk, key]))
    return _answer_saved(request, review, role, bank, key, sent=None, page=_shown_on(request.POST))


@require_http_methods(["GET"])
def answer_fields(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """The question as it is now, fields included (used by "Keep theirs")."""
    review, role = get_review_for_user(request, pk)
    bank = load_bank(review.lens)
    if key not in bank.by_key:
        raise Http404("No such question in this lens.")
    return _answer_saved(request, review, role, bank, key, sent=None, page=_shown_on(request.GET))


def _shown_on(data) -> str:
    form = AnswerPageForm(data)
    return form.cleaned_data["shown_on"] if form.is_valid() else ""
