"""Answers out to spreadsheets and other tools: CSV (UTF-8 with BOM, so Excel reads Korean) and JSON."""

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from questions.models import Lens

from .aws_answers import answers_to_aws
from .bank import load_bank
from .models import Answer, Milestone, Review, Workload
from .progress import ReviewState, state_of
from .risk import RiskCounts

ANSWER_COLUMNS = [
    "pillar",
    "question_id",
    "question_label",
    "question_title",
    "selected_choice_ids",
    "selected_choices",
    "risk",
    "applicable",
    "reason",
    "notes",
    "updated_by",
    "updated_at",
]
CONSOLIDATED_COLUMNS = [
    "workload_id",
    "workload",
    "environment",
    "review_id",
    "lens",
    "lens_version",
    "pillar",
    "pillar_name",
    "high",
    "medium",
    "none",
    "not_applicable",
    "unanswered",
    "questions",
]


def answer_rows(state: ReviewState) -> list[dict]:
    """One row per question of the state (a review now, or a milestone)."""
    return [
        {
            "pillar": q.item.pillar.short_label,
            "question_id": q.item.key,
            "question_label": q.question.label,
            "question_title": q.question.title,
            "selected_choice_ids": ";".join(c.key for c in q.selected_choices),
            "selected_choices": "; ".join(c.title for c in q.selected_choices),
            "risk": q.risk,
            "applicable": q.state.applicable,
            "reason": q.state.reason,
            "notes": q.state.notes,
            "updated_by": q.answer.updated_by,
            "updated_at": timezone.localtime(q.answer.updated_at).isoformat() if q.answer.updated_at else "",
        }
        for q in state.questions
    ]


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@dataclass(frozen=True)
class Download:
    """A file to hand over, the same from the pages and from the API."""

    body: bytes
    fmt: str
    stem: str

    def response(self) -> HttpResponse:
        response = HttpResponse(self.body, content_type=CONTENT_TYPES[self.fmt])
        filename = f"{slugify(self.stem, allow_unicode=True) or 'export'}-{timezone.localtime():%Y-%m-%d}.{self.fmt}"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response


def answers_download(*, review: Review, milestone: Milestone | None, fmt: str) -> Download:
    """The review's answers now (or at the milestone) as CSV or JSON."""
    rows = answer_rows(state_of(review, milestone))
    stem = f"{review.workload.name}-{milestone.name if milestone else 'answers'}"
    if fmt == "csv":
        return Download(to_csv(rows, ANSWER_COLUMNS), fmt, stem)
    lens = milestone.lens if milestone else review.lens
    payload = {
        "workload": {"id": review.workload_id, "name": review.workload.name},
        "review": review.pk,
        "lens": {"slug": lens.slug, "version": lens.version},
        "milestone": {"id": milestone.pk, "name": milestone.name, "created_at": milestone.created_at}
        if milestone
        else None,
        "answers": rows,
    }
    return Download(to_json(payload), fmt, stem)


def aws_answers_download(*, review: Review, milestone: Milestone | None) -> Download:
    """The review's answers (now or at the milestone) as the AWS tool's ListAnswers JSON."""
    stem = f"{review.workload.name}-{milestone.name if milestone else 'answers'}-aws"
    return Download(to_json(answers_to_aws(review=review, milestone=milestone)), "json", stem)


def consolidated_download(*, workloads: Iterable[Workload], slug: str, fmt: str) -> Download | None:
    """Risk counts per workload and pillar for the lens, as CSV or JSON; None when there is no such lens."""
    if not Lens.objects.filter(slug=slug).exists():
        return None
    rows = consolidated_rows(workloads, slug)
    if fmt == "csv":
        return Download(to_csv(rows, CONSOLIDATED_COLUMNS), fmt, f"{slug}-risks")
    return Download(to_json({"lens": slug, "rows": rows}), fmt, f"{slug}-risks")


def consolidated_rows(workloads: Iterable[Workload], lens_slug: str) -> list[dict]:
    """One row per workload and pillar, for every review of the lens among the given workloads."""
    reviews = (
        Review.objects.filter(workload__in=workloads, lens__slug=lens_slug)
        .select_related("workload", "lens")
        .order_by("workload__name", "workload_id", "lens__version")
    )
    pairs: dict[int, list[tuple[int, str]]] = {}
    for review_id, pillar_id, risk in Answer.objects.filter(review__in=reviews).values_list(
        "review_id", "question__pillar_id", "risk"
    ):
        pairs.setdefault(review_id, []).append((pillar_id, risk))
    banks = {}
    rows = []
    for review in reviews:
        bank = banks.setdefault(review.lens_id, load_bank(review.lens))
        for pillar in bank.pillars:
            counts = RiskCounts.of(risk for pid, risk in pairs.get(review.pk, []) if pid == pillar.pk)
            rows.append(
                {
                    "workload_id": review.workload_id,
                    "workload": review.workload.name,
                    "environment": review.workload.environment,
                    "review_id": review.pk,
                    "lens": review.lens.slug,
                    "lens_version": review.lens.version,
                    "pillar": pillar.short_label,
                    "pillar_name": pillar.name,
                    **counts.by_risk(),
                    "questions": counts.total,
                }
            )
    return rows


# OWASP "CSV Injection": a cell a spreadsheet may read as a formula starts with one of these, possibly
# after spaces, tabs or line breaks (which spreadsheets skip), or with a full-width form of = + - @
# (which some spreadsheets fold to the ASCII sign).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _cell(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and (value.startswith(_FORMULA_STARTS) or value.lstrip().startswith(_FORMULA_STARTS)):
        return "'" + value
    return value


def to_csv(rows: list[dict], columns: list[str]) -> bytes:
    """CSV with a byte-order mark, so Excel opens Korean text correctly."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_json(payload) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")
