"""The improvement plan page and updating one of its items."""

from urllib.parse import urlsplit

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_review_for_user
from ..bank import load_bank
from ..forms import ImprovementItemForm, PlanFilterForm, workload_members
from ..improvements import PlanPractice, improvement_plan, improvement_update, plan_status_counts
from ..models import WRITE_ROLES, Role, TrackerConnection
from ..profiles import review_prioritised_keys
from ..progress import review_state
from ..trackers.display import connection_error, issue_summary


@require_http_methods(["GET"])
def plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    state = review_state(review)
    prioritised = review_prioritised_keys(review)
    filter_form = PlanFilterForm(
        request.GET or None, bank=state.bank, workload=review.workload, prioritised=prioritised
    )
    filters = filter_form.filters()
    plan = improvement_plan(state, filters)
    members = workload_members(review.workload)
    tracker = TrackerConnection.objects.filter(workload=review.workload).first()
    for entry in plan:
        for practice in entry.practices:
            practice.form = _item_form(practice, members)
            practice.issue = issue_summary(getattr(practice.item, "tracked_issue", None), tracker)
    context = {
        "review": review,
        "workload": review.workload,
        "state": state,
        "plan": plan,
        "filter_form": filter_form,
        "filters": filters,
        "can_write": role in WRITE_ROLES,
        "status_counts": plan_status_counts(plan),
        "prioritised": prioritised,
        "tracker": tracker,
        "is_owner": role == Role.OWNER,
        "tracker_error": connection_error(tracker) if tracker else "",
    }
    return render(request, "reviewapp/plan.html", context)


def _item_form(practice: PlanPractice, members: list) -> ImprovementItemForm:
    item = practice.item
    initial = (
        {"status": item.status, "owner": item.owner_id, "due_date": item.due_date, "note": item.note}
        if item
        else {"status": "open"}
    )
    return ImprovementItemForm(initial=initial, members=members, prefix=practice.choice.key)


@require_POST
def plan_item_update(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    review, role = get_review_for_user(request, pk, write=True)
    bank = load_bank(review.lens)
    choice = bank.practice(key)
    if choice is None:
        raise Http404("No such best practice in this lens.")
    members = workload_members(review.workload)
    form = ImprovementItemForm(request.POST, members=members, prefix=key)
    practice = PlanPractice(choice=choice, item=None)
    status = 200
    if form.is_valid():
        practice.item = improvement_update(review=review, choice=choice, user=request.user, **form.cleaned_data)
        if not request.htmx:
            return redirect(reverse("reviewapp:plan", args=[review.pk]) + f"#practice-{key}")
        practice.form = _item_form(practice, members)
        saved = True
    else:
        practice.form = form
        status, saved = 400, False
    context = {"review": review, "practice": practice, "can_write": role in WRITE_ROLES, "saved": saved, "oob": True}
    # The counters above the plan follow the edit: counted as the page shows them, with its filters.
    state = review_state(review)
    page_query = QueryDict(urlsplit(request.htmx.current_url or "").query)
    filters = PlanFilterForm(
        page_query or None, bank=state.bank, workload=review.workload, prioritised=review_prioritised_keys(review)
    ).filters()
    context["plan"] = improvement_plan(state, filters)
    context["status_counts"] = plan_status_counts(context["plan"])
    return render(request, "reviewapp/plan.html#item-update", context, status=status)
