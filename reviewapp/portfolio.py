"""A lens across every workload a user can see (AWS's consolidated report, as a page): risk counts per
pillar, the best practices most often missing, workloads by number of high risks, improvement items by
status and owner, and high and medium risks across milestones.

Every figure is one aggregate query in SQL over the reviews of the lens (any version) among the
user's workloads, so the page costs the same few queries at 10 workloads or 10,000
(docs/benchmarks.md, "Many workloads"). Names of pillars and practices come from the lens's newest
version.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from questions.models import Lens

from .bank import Bank, load_bank
from .models import Answer, AnswerRisk, ImprovementItem, MilestoneAnswer, Review
from .risk import RISK_ORDER, RiskCounts

MISSING_SHOWN = 10  # best practices listed as most often missing
MOST_HIGH_SHOWN = 10  # workloads listed as having the most high risks
OWNERS_SHOWN = 10
HIGH_BUCKETS = 6  # 0, 1, 2, 3, 4 and "5 or more" high risks
OPEN_STATUSES = (ImprovementItem.Status.OPEN, ImprovementItem.Status.IN_PROGRESS)


@dataclass
class PillarFigure:
    key: str
    short_label: str
    name: str
    counts: RiskCounts


@dataclass
class MissingPractice:
    key: str
    title: str
    question: str  # the question's label, e.g. "OPS 1"
    workloads: int


@dataclass
class WorkloadHighs:
    workload_id: int
    name: str
    high: int
    medium: int


@dataclass
class OwnerItems:
    owner: str  # username, or "" for items nobody owns
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass
class TrendPoint:
    label: str  # "2026-06", or "now"
    milestones: int
    high: int
    medium: int


@dataclass
class Portfolio:
    lens: Lens
    workloads: int
    reviews: int
    pillars: list[PillarFigure]
    missing: list[MissingPractice]
    high_histogram: list[tuple[str, int]]  # ("0", n), ..., ("5+", n): workloads by number of high risks
    most_high: list[WorkloadHighs]
    items_by_status: dict[str, int]
    items_by_owner: list[OwnerItems]
    trend: list[TrendPoint] = field(default_factory=list)

    @property
    def totals(self) -> RiskCounts:
        total = Counter()
        for pillar in self.pillars:
            total.update(pillar.counts.counts)
        return RiskCounts(total)


def portfolio_of(*, workloads: models.QuerySet, slug: str) -> Portfolio | None:
    """The lens's portfolio over the given workloads (those a user can see); None when there is no such lens."""
    lens = Lens.objects.latest_published(slug) or Lens.objects.filter(slug=slug).order_by("-pk").first()
    if lens is None:
        return None
    bank = load_bank(lens)
    reviews = Review.objects.filter(workload__in=workloads, lens__slug=slug)
    sizes = reviews.aggregate(reviews=Count("pk"), workloads=Count("workload_id", distinct=True))
    # Only reviews with a high or medium risk come back: the others are the "0" bucket.
    per_review = list(
        Answer.objects.filter(review__in=reviews, risk__in=(AnswerRisk.HIGH, AnswerRisk.MEDIUM))
        .values("review_id", "review__workload_id", "review__workload__name")
        .annotate(
            high=Count("pk", filter=Q(risk=AnswerRisk.HIGH)),
            medium=Count("pk", filter=Q(risk=AnswerRisk.MEDIUM)),
        )
        .values_list("review__workload_id", "review__workload__name", "high", "medium")
        .order_by()
    )
    histogram = Counter(min(high, HIGH_BUCKETS - 1) for _w, _n, high, _m in per_review)
    histogram[0] += sizes["reviews"] - sum(histogram.values())
    most_high = sorted(per_review, key=lambda row: (-row[2], -row[3], row[1], row[0]))[:MOST_HIGH_SHOWN]
    items_by_status, items_by_owner = _items(reviews)
    return Portfolio(
        lens=lens,
        workloads=sizes["workloads"],
        reviews=sizes["reviews"],
        pillars=_pillars(reviews, bank),
        missing=_missing(reviews, bank),
        high_histogram=[
            (str(n) if n < HIGH_BUCKETS - 1 else f"{n}+", histogram.get(n, 0)) for n in range(HIGH_BUCKETS)
        ],
        most_high=[WorkloadHighs(*row) for row in most_high],
        items_by_status=items_by_status,
        items_by_owner=items_by_owner,
        trend=_trend(reviews, per_review),
    )


_COUNTS = {risk: Count("pk", filter=Q(risk=risk)) for risk in RISK_ORDER}


def _pillars(reviews: models.QuerySet, bank: Bank) -> list[PillarFigure]:
    """Risk counts per pillar (by key, so every version of the lens adds up), in the newest version's order."""
    rows = (
        Answer.objects.filter(review__in=reviews)
        .values(key=F("question__pillar__key"))
        .annotate(**{f"n_{i}": count for i, count in enumerate(_COUNTS.values())})
        .order_by()
    )
    counted = {row["key"]: RiskCounts(Counter({risk: row[f"n_{i}"] for i, risk in enumerate(_COUNTS)})) for row in rows}
    known = [PillarFigure(p.key, p.short_label, p.name, counted.pop(p.key, RiskCounts())) for p in bank.pillars]
    return known + [PillarFigure(key, key, key, counts) for key, counts in sorted(counted.items())]


def _missing(reviews: models.QuerySet, bank: Bank) -> list[MissingPractice]:
    """The practices with the most workloads whose improvement item is still open or in progress.

    Items are counted (one per review and practice): a workload reviewed against two versions of the
    lens counts twice, which spares the query a distinct count over every item."""
    rows = (
        ImprovementItem.objects.filter(review__in=reviews, status__in=OPEN_STATUSES, choice__is_none=False)
        .values(key=F("choice__key"))
        .annotate(workloads=Count("pk"))
        .order_by("-workloads", "key")[:MISSING_SHOWN]
    )
    missing = []
    for row in rows:
        question = next((q for q in bank.questions if row["key"] in q.choices_by_key), None)
        title = question.choices_by_key[row["key"]].title if question else row["key"]
        missing.append(
            MissingPractice(row["key"], title, question.question.label if question else "", row["workloads"])
        )
    return missing


def _items(reviews: models.QuerySet) -> tuple[dict[str, int], list[OwnerItems]]:
    """Improvement items by status, and by owner (the owners with most items first, then nobody's)."""
    by_status = dict.fromkeys(ImprovementItem.Status.values, 0)
    owners: dict[str, dict[str, int]] = {}
    for status, owner, n in (
        ImprovementItem.objects.filter(review__in=reviews)
        .values_list("status", "owner__username")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_status[status] = by_status.get(status, 0) + n
        owners.setdefault(owner or "", dict.fromkeys(ImprovementItem.Status.values, 0))[status] += n
    ranked = sorted(
        (OwnerItems(owner, counts) for owner, counts in owners.items() if owner),
        key=lambda o: (-o.total, o.owner),
    )[:OWNERS_SHOWN]
    if "" in owners:
        ranked.append(OwnerItems("", owners[""]))
    return by_status, ranked


def _trend(reviews: models.QuerySet, per_review: list[tuple]) -> list[TrendPoint]:
    """High and medium risks of the milestones taken each month (summed), then now."""
    rows = (
        MilestoneAnswer.objects.filter(milestone__review__in=reviews)
        .annotate(month=TruncMonth("milestone__created_at"))
        .values("month")
        .annotate(
            milestones=Count("milestone", distinct=True),
            high=Count("pk", filter=Q(risk=AnswerRisk.HIGH)),
            medium=Count("pk", filter=Q(risk=AnswerRisk.MEDIUM)),
        )
        .order_by("month")
    )
    points = [TrendPoint(_month(row["month"]), row["milestones"], row["high"], row["medium"]) for row in rows]
    now = TrendPoint("now", 0, sum(row[2] for row in per_review), sum(row[3] for row in per_review))
    return [*points, now] if points else []


def _month(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m") if timezone.is_aware(moment) else moment.strftime("%Y-%m")


def portfolio_data(portfolio: Portfolio) -> dict:
    """The portfolio's figures as the JSON file and the API give them."""
    return {
        "lens": {"slug": portfolio.lens.slug, "version": portfolio.lens.version, "name": portfolio.lens.name},
        "workloads": portfolio.workloads,
        "reviews": portfolio.reviews,
        "totals": portfolio.totals.by_risk(),
        "pillars": [
            {"key": p.key, "label": p.short_label, "name": p.name, **p.counts.by_risk(), "questions": p.counts.total}
            for p in portfolio.pillars
        ],
        "missing_practices": [
            {"rank": rank, "key": m.key, "title": m.title, "question": m.question, "workloads": m.workloads}
            for rank, m in enumerate(portfolio.missing, start=1)
        ],
        "workloads_by_high_risks": [{"high": label, "workloads": n} for label, n in portfolio.high_histogram],
        "most_high_risks": [
            {"workload_id": w.workload_id, "workload": w.name, "high": w.high, "medium": w.medium}
            for w in portfolio.most_high
        ],
        "improvement_items": {
            "by_status": portfolio.items_by_status,
            "by_owner": [{"owner": o.owner or None, **o.by_status} for o in portfolio.items_by_owner],
        },
        "trend": [
            {"month": t.label, "milestones": t.milestones, "high": t.high, "medium": t.medium} for t in portfolio.trend
        ],
    }


PORTFOLIO_COLUMNS = ["figure", "key", "label", "measure", "value"]


def portfolio_rows(portfolio: Portfolio) -> list[dict]:
    """The same figures as rows of a CSV: which figure, the thing counted, its label, what is counted, how many."""
    data = portfolio_data(portfolio)
    rows = [{"figure": "workloads", "key": "", "label": "", "measure": "count", "value": data["workloads"]}]
    rows += [{"figure": "reviews", "key": "", "label": "", "measure": "count", "value": data["reviews"]}]
    for p in data["pillars"]:
        for measure in ("high", "medium", "none", "not_applicable", "unanswered", "questions"):
            rows.append(
                {"figure": "pillar", "key": p["key"], "label": p["name"], "measure": measure, "value": p[measure]}
            )
    for m in data["missing_practices"]:
        rows.append(
            {
                "figure": "missing_practice",
                "key": m["key"],
                "label": m["title"],
                "measure": "workloads",
                "value": m["workloads"],
            }
        )
    for h in data["workloads_by_high_risks"]:
        rows.append(
            {
                "figure": "workloads_by_high_risks",
                "key": h["high"],
                "label": "",
                "measure": "workloads",
                "value": h["workloads"],
            }
        )
    for w in data["most_high_risks"]:
        for measure in ("high", "medium"):
            rows.append(
                {
                    "figure": "most_high_risks",
                    "key": w["workload_id"],
                    "label": w["workload"],
                    "measure": measure,
                    "value": w[measure],
                }
            )
    for status, n in data["improvement_items"]["by_status"].items():
        rows.append({"figure": "improvement_items", "key": status, "label": "", "measure": "items", "value": n})
    for o in data["improvement_items"]["by_owner"]:
        for status in ImprovementItem.Status.values:
            rows.append(
                {
                    "figure": "improvement_items_by_owner",
                    "key": o["owner"] or "",
                    "label": "",
                    "measure": status,
                    "value": o[status],
                }
            )
    for t in data["trend"]:
        for measure in ("milestones", "high", "medium"):
            rows.append({"figure": "trend", "key": t["month"], "label": "", "measure": measure, "value": t[measure]})
    return rows
