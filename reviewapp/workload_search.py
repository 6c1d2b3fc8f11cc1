"""Finding workloads among many: search, filters, sort and pages, at a cost that does not grow with
the number of workloads.

A page is three queries whatever the count: how many workloads match, the page of them (limit and
offset on indexed columns), and the high and medium risk counts of that page's workloads in one
aggregate query. Sorting by a risk count aggregates the risks of every matching workload in the page
query itself (a count per workload from the answer (review, risk) index).
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .models import Answer, AnswerRisk, ImprovementItem, Review, Workload

PAGE_SIZE = 50


class Sort(models.TextChoices):
    NAME = "name", _("Name (A to Z)")
    NAME_DESC = "-name", _("Name (Z to A)")
    UPDATED_DESC = "-updated", _("Recently updated")
    UPDATED = "updated", _("Least recently updated")
    HIGH_DESC = "-high", _("Most high risks")
    MEDIUM_DESC = "-medium", _("Most medium risks")
    OWNER = "owner", _("Review owner")


class RiskFilter(models.TextChoices):
    HIGH = "high", _("With high risks")
    MEDIUM = "medium", _("With medium risks")
    NONE = "none", _("No high or medium risk")


_ORDER: dict[str, tuple[str, ...]] = {
    Sort.NAME: ("name", "pk"),
    Sort.NAME_DESC: ("-name", "-pk"),
    Sort.UPDATED_DESC: ("-updated_at", "-pk"),
    Sort.UPDATED: ("updated_at", "pk"),
    Sort.HIGH_DESC: ("-high", "name", "pk"),
    Sort.MEDIUM_DESC: ("-medium", "name", "pk"),
    Sort.OWNER: ("review_owner", "name", "pk"),
}


@dataclass(frozen=True)
class WorkloadFilters:
    """What the list is narrowed to and ordered by; every field empty means all workloads by name."""

    q: str = ""  # part of the name, the review owner or the industry
    environment: str = ""
    lens: str = ""  # a lens slug: workloads with a review of any version of it
    risk: str = ""  # a RiskFilter
    missing: str = ""  # a best practice's key: workloads whose improvement item for it is open or in progress
    sort: str = Sort.NAME

    @property
    def active(self) -> bool:
        return bool(self.q or self.environment or self.lens or self.risk or self.missing)


@dataclass
class WorkloadPage:
    """One page of workloads, each with ``high_count`` and ``medium_count`` set over all its reviews."""

    workloads: list[Workload]
    number: int
    pages: int
    total: int
    per_page: int = PAGE_SIZE
    page_numbers: list[int | None] = field(default_factory=list)  # None: a gap, shown as …

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.workloads else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.workloads)


def _has_risk(risk: str) -> Exists:
    return Exists(Answer.objects.filter(review__workload=OuterRef("pk"), risk=risk))


def matching_workloads(user, filters: WorkloadFilters) -> models.QuerySet:
    """The workloads the user can see that match the filters, in the chosen order (not yet evaluated)."""
    workloads = Workload.objects.for_user(user)
    if filters.q:
        q = filters.q
        workloads = workloads.filter(Q(name__icontains=q) | Q(review_owner__icontains=q) | Q(industry__icontains=q))
    if filters.environment:
        workloads = workloads.filter(environment=filters.environment)
    if filters.lens:
        workloads = workloads.filter(Exists(Review.objects.filter(workload=OuterRef("pk"), lens__slug=filters.lens)))
    if filters.risk == RiskFilter.HIGH:
        workloads = workloads.filter(_has_risk(AnswerRisk.HIGH))
    elif filters.risk == RiskFilter.MEDIUM:
        workloads = workloads.filter(_has_risk(AnswerRisk.MEDIUM))
    elif filters.risk == RiskFilter.NONE:
        workloads = workloads.exclude(_has_risk(AnswerRisk.HIGH)).exclude(_has_risk(AnswerRisk.MEDIUM))
    if filters.missing:
        open_items = ImprovementItem.objects.filter(
            review__workload=OuterRef("pk"),
            choice__key=filters.missing,
            status__in=(ImprovementItem.Status.OPEN, ImprovementItem.Status.IN_PROGRESS),
        )
        workloads = workloads.filter(Exists(open_items))
    order = _ORDER.get(filters.sort, _ORDER[Sort.NAME])
    if filters.sort in (Sort.HIGH_DESC, Sort.MEDIUM_DESC):
        risk = AnswerRisk.HIGH if filters.sort == Sort.HIGH_DESC else AnswerRisk.MEDIUM
        workloads = workloads.annotate(**{order[0].lstrip("-"): _risk_count(risk)})
    return workloads.order_by(*order)


def _risk_count(risk: str) -> Coalesce:
    """The workload's answers at the risk over all its reviews: index-only lookups on answer (review, risk)."""
    answers = (
        Answer.objects.filter(review__workload=OuterRef("pk"), risk=risk)
        .order_by()
        .values("review__workload")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(answers), 0)


def workload_search(*, user, filters: WorkloadFilters, page: int = 1, per_page: int = PAGE_SIZE) -> WorkloadPage:
    """One page of the matching workloads with their high and medium risk counts, in three queries.

    A page past the last shows the last one, as Django's ``Paginator.get_page`` does.
    """
    workloads = matching_workloads(user, filters)
    total = workloads.count()
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    offset = (number - 1) * per_page
    listed = list(workloads[offset : offset + per_page]) if total else []
    counts = risk_counts_of([w.pk for w in listed])
    for workload in listed:
        workload.high_count, workload.medium_count = counts.get(workload.pk, (0, 0))
    return WorkloadPage(
        workloads=listed,
        number=number,
        pages=pages,
        total=total,
        per_page=per_page,
        page_numbers=_around(number, pages),
    )


def risk_counts_of(workload_ids: list[int]) -> dict[int, tuple[int, int]]:
    """``{workload id: (high, medium)}`` over every review of the workloads, in one aggregate query."""
    if not workload_ids:
        return {}
    rows = (
        Answer.objects.filter(review__workload_id__in=workload_ids, risk__in=(AnswerRisk.HIGH, AnswerRisk.MEDIUM))
        .values("review__workload_id")
        .annotate(
            high=Count("pk", filter=Q(risk=AnswerRisk.HIGH)),
            medium=Count("pk", filter=Q(risk=AnswerRisk.MEDIUM)),
        )
        .values_list("review__workload_id", "high", "medium")
    )
    return {workload_id: (high, medium) for workload_id, high, medium in rows}


def _around(number: int, pages: int, width: int = 2) -> list[int | None]:
    """The page numbers to offer: the first, the last and ``width`` either side of the current one,
    with None where numbers are left out."""
    near = range(max(1, number - width), min(pages, number + width) + 1)
    shown: list[int | None] = []
    for n in sorted({1, pages, *near}):
        if shown and n - shown[-1] > 1:
            shown.append(None)
        shown.append(n)
    return shown
