"""Milestones: list with the trend, take one, open one read-only, compare two states."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import get_review_for_user
from ..charts import trend_chart
from ..forms import CompareForm, MilestoneForm
from ..milestones import MilestoneError, compare, milestone_create
from ..models import WRITE_ROLES, AnswerRisk, Milestone, MilestoneAnswer
from ..progress import review_state, state_of
from ..risk import RiskCounts

MILESTONES_PER_PAGE = 20
TREND_POINTS = 20  # the chart shows the most recent milestones, then now


@require_http_methods(["GET", "POST"])
def milestone_list(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk, write=request.method == "POST")
    form = MilestoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = milestone_create(review=review, name=form.cleaned_data["name"], user=request.user)
        except MilestoneError as exc:
            form.add_error("name" if exc.code == "duplicate_name" else None, str(exc))
        else:
            messages.success(request, _("Milestone “%(name)s” saved.") % {"name": milestone.name})
            return redirect("reviewapp:milestone_list", pk=review.pk)
    milestones = review.milestones.select_related("created_by", "lens").order_by("created_at", "pk")
    paginator = Paginator(milestones, MILESTONES_PER_PAGE)
    # Oldest first, and without ?page the newest page: the milestones a team took last.
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    recent = list(milestones.reverse()[:TREND_POINTS])[::-1]
    counts = _milestone_counts([*page.object_list, *recent])
    now = review_state(review).counts
    points = [(m.name, counts[m.pk].high, counts[m.pk].medium) for m in recent]
    points.append((_("Now"), now.high, now.medium))
    rows = [(m, counts[m.pk]) for m in page.object_list]
    context = {
        "review": review,
        "workload": review.workload,
        "form": form,
        "rows": rows,
        "now": now,
        "page": page,
        "chart": trend_chart(points, labels=(str(AnswerRisk.HIGH.label), str(AnswerRisk.MEDIUM.label))),
        "chart_is_recent": paginator.count > TREND_POINTS,
        "trend_points": TREND_POINTS,
        "can_write": role in WRITE_ROLES,
        "compare_form": CompareForm(milestones=review.milestones.order_by("created_at", "pk")),
    }
    status = 400 if form.errors else 200
    return render(request, "reviewapp/milestone_list.html", context, status=status)


def _milestone_counts(milestones: list[Milestone]) -> dict[int, RiskCounts]:
    grouped: dict[int, list[str]] = {m.pk: [] for m in milestones}
    for milestone_id, risk in MilestoneAnswer.objects.filter(milestone__in=list(grouped)).values_list(
        "milestone_id", "risk"
    ):
        grouped[milestone_id].append(risk)
    return {pk: RiskCounts.of(risks) for pk, risks in grouped.items()}


@require_http_methods(["GET"])
def milestone_detail(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    milestone = get_object_or_404(
        Milestone.objects.select_related("lens", "created_by"), pk=milestone_pk, review=review
    )
    state = state_of(review, milestone)
    context = {"review": review, "workload": review.workload, "milestone": milestone, "state": state}
    return render(request, "reviewapp/milestone_detail.html", context)


@require_http_methods(["GET"])
def milestone_compare(request: HttpRequest, pk: int) -> HttpResponse:
    review, role = get_review_for_user(request, pk)
    milestones = list(review.milestones.select_related("lens").order_by("created_at", "pk"))
    initial_before = str(milestones[-1].pk) if milestones else "current"
    form = CompareForm(request.GET or {"before": initial_before, "after": "current"}, milestones=milestones)
    pillars, names = [], ("", "")
    if form.is_valid():
        by_pk = {str(m.pk): m for m in milestones}
        states = [state_of(review, by_pk.get(form.cleaned_data[side])) for side in ("before", "after")]
        pillars = compare(states[0], states[1])
        names = tuple(
            by_pk[form.cleaned_data[s]].name if form.cleaned_data[s] in by_pk else _("Now") for s in ("before", "after")
        )
    context = {
        "review": review,
        "workload": review.workload,
        "form": form,
        "pillars": pillars,
        "before_name": names[0],
        "after_name": names[1],
    }
    return render(request, "reviewapp/milestone_compare.html", context, status=200 if form.is_valid() else 400)
