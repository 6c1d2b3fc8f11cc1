"""Answers out to spreadsheets and other tools: CSV (UTF-8 with BOM, so Excel reads Korean) and JSON."""

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from questions.models import Lens

from .aws_answers import answers_to_aws
from .bank import load_bank
from .models import Answer, AnswerRisk, Milestone, Review
from .progress import ReviewState, state_of

ANSWER_COLUMNS = [
    "pillar",
    "question_id",
    "question_label",
    "question_title",
    "selected_choice_ids",
    "selected_choices",
    "not_applicable_choice_ids",
    "not_applicable_choices",
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
    """One row per question of the state (a review now, or a milestone).

    The practices that do not apply are two columns: their ids, and their titles each with its
    reason and note. (The AWS-shaped export has them one by one, with the reason's code.)
    """
    return [
        {
            "pillar": q.item.pillar.short_label,
            "question_id": q.item.key,
            "question_label": q.question.label,
            "question_title": q.question.title,
            "selected_choice_ids": ";".join(c.key for c in q.selected_choices),
            "selected_choices": "; ".join(c.title for c in q.selected_choices),
            "not_applicable_choice_ids": ";".join(na.key for _title, na in q.na_practices),
            "not_applicable_choices": "; ".join(_na_text(title, na) for title, na in q.na_practices),
            "risk": q.risk,
            "applicable": q.state.applicable,
            "reason": q.state.reason,
            "notes": q.state.notes,
            "updated_by": q.answer.updated_by,
            "updated_at": timezone.localtime(q.answer.updated_at).isoformat() if q.answer.updated_at else "",
        }
        for q in state.questions
    ]


def _na_text(title: str, na) -> str:
    return f"{title} ({na.reason_label}: {na.notes})" if na.notes else f"{title} ({na.reason_label})"


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@dataclass(frozen=True)
class Download:
    """A file to hand over, the same from the pages and from the API."""

    body: bytes | Iterable[bytes]  # bytes, or chunks to stream
    fmt: str
    stem: str

    def response(self) -> HttpResponseBase:
        if isinstance(self.body, bytes):
            response = HttpResponse(self.body, content_type=CONTENT_TYPES[self.fmt])
        else:
            response = StreamingHttpResponse(self.body, content_type=CONTENT_TYPES[self.fmt])
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


def consolidated_download(*, workloads: models.QuerySet, slug: str, fmt: str) -> Download | None:
    """Risk counts per workload and pillar for the lens, as CSV or JSON streamed a few thousand reviews at a
    time (memory stays flat whatever the number of workloads); None when there is no such lens."""
    if not Lens.objects.filter(slug=slug).exists():
        return None
    rows = consolidated_rows(workloads, slug, language=translation.get_language())
    if fmt == "csv":
        return Download(csv_stream(rows, CONSOLIDATED_COLUMNS), fmt, f"{slug}-risks")
    return Download(json_rows_stream({"lens": slug}, "rows", rows), fmt, f"{slug}-risks")


CONSOLIDATED_CHUNK = 2000  # reviews read and counted at a time


def consolidated_rows(workloads: models.QuerySet, lens_slug: str, *, language: str | None = None) -> Iterator[dict]:
    """One row per workload and pillar, for every review of the lens among the given workloads.

    The reviews are read through a database cursor ``CONSOLIDATED_CHUNK`` at a time, and each chunk's
    counts per review and pillar come from one aggregate query: rows are produced as they are read.
    Pillar names are in ``language`` (the request's: a streamed body is read after the view returns).
    """
    with translation.override(language):
        yield from _consolidated_rows(workloads, lens_slug)


def _consolidated_rows(workloads: models.QuerySet, lens_slug: str) -> Iterator[dict]:
    reviews = (
        Review.objects.filter(workload__in=workloads, lens__slug=lens_slug)
        .order_by("workload__name", "workload_id", "lens__version")
        .values_list("pk", "workload_id", "workload__name", "workload__environment", "lens_id")
    )
    lenses: dict[int, Lens] = {}
    for chunk in _chunks(reviews.iterator(chunk_size=CONSOLIDATED_CHUNK), CONSOLIDATED_CHUNK):
        counts = _pillar_counts([review[0] for review in chunk])
        for review_id, workload_id, workload_name, environment, lens_id in chunk:
            if lens_id not in lenses:
                lenses[lens_id] = Lens.objects.get(pk=lens_id)
            lens = lenses[lens_id]
            for pillar in load_bank(lens).pillars:
                by_risk = counts.get((review_id, pillar.pk), {})
                yield {
                    "workload_id": workload_id,
                    "workload": workload_name,
                    "environment": environment,
                    "review_id": review_id,
                    "lens": lens.slug,
                    "lens_version": lens.version,
                    "pillar": pillar.short_label,
                    "pillar_name": pillar.name,
                    **{name: by_risk.get(name, 0) for name in _COUNTED},
                    "questions": by_risk.get("questions", 0),
                }


_COUNTED = {"high": AnswerRisk.HIGH, "medium": AnswerRisk.MEDIUM, "none": AnswerRisk.NONE}
_COUNTED |= {"not_applicable": AnswerRisk.NOT_APPLICABLE, "unanswered": AnswerRisk.UNANSWERED}


def _pillar_counts(review_ids: list[int]) -> dict[tuple[int, int], dict[str, int]]:
    """``{(review id, pillar id): {"high": n, ..., "questions": n}}`` of the reviews, in one query."""
    rows = (
        Answer.objects.filter(review_id__in=review_ids)
        .values("review_id", "question__pillar_id")
        .annotate(questions=Count("pk"), **{name: Count("pk", filter=Q(risk=risk)) for name, risk in _COUNTED.items()})
        .order_by()
    )
    return {(row.pop("review_id"), row.pop("question__pillar_id")): row for row in rows}


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


class _Line:
    """A file-like object that hands back what the csv writer writes, one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_stream(rows: Iterable[dict], columns: list[str]) -> Iterator[bytes]:
    """The bytes of ``to_csv(rows, columns)``, produced a row at a time."""
    writer = csv.DictWriter(_Line(), fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    yield codecs.BOM_UTF8 + writer.writeheader().encode("utf-8")
    for row in rows:
        yield writer.writerow({key: _cell(value) for key, value in row.items()}).encode("utf-8")


_ROW_ENCODER = DjangoJSONEncoder(ensure_ascii=False, indent=2)  # made once: json.dumps makes one a call


def json_rows_stream(head: dict, key: str, rows: Iterable[dict]) -> Iterator[bytes]:
    """The bytes of ``to_json({**head, key: list(rows)})``, produced a row at a time."""
    opening = to_json({**head, key: []}).decode("utf-8")
    prefix = opening[: -len("]\n}")]  # everything up to and with the list's "["
    first = True
    for row in rows:
        text = _ROW_ENCODER.encode(row).replace("\n", "\n    ")
        yield (f"{prefix}\n    {text}" if first else f",\n    {text}").encode("utf-8")
        first = False
    yield (opening if first else "\n  ]\n}").encode("utf-8")
