"""Downloads of answers (a review or a milestone) and of risk counts across workloads."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from questions.models import Lens

from ..access import get_review_for_user
from ..exports import ANSWER_COLUMNS, CONSOLIDATED_COLUMNS, answer_rows, consolidated_rows, state_for, to_csv, to_json
from ..models import Milestone, Workload

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def download(body: bytes, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"{slugify(stem, allow_unicode=True) or 'export'}-{timezone.localtime():%Y-%m-%d}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@require_http_methods(["GET"])
def answers_export(request: HttpRequest, pk: int, fmt: str, milestone_pk: int | None = None) -> HttpResponse:
    review, _role = get_review_for_user(request, pk)
    milestone = (
        get_object_or_404(Milestone.objects.select_related("lens"), pk=milestone_pk, review=review)
        if milestone_pk
        else None
    )
    rows = answer_rows(state_for(review, milestone))
    stem = f"{review.workload.name}-{milestone.name if milestone else 'answers'}"
    if fmt == "csv":
        return download(to_csv(rows, ANSWER_COLUMNS), fmt, stem)
    lens = milestone.lens if milestone else review.lens
    payload = {
        "workload": {"id": review.workload_id, "name": review.workload.name},
        "review": review.pk, "lens": {"slug": lens.slug, "version": lens.version},
        "milestone": {"id": milestone.pk, "name": milestone.name, "created_at": milestone.created_at} if milestone else None,
        "answers": rows,
    }  # fmt: skip
    return download(to_json(payload), fmt, stem)


@require_http_methods(["GET"])
def consolidated_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if not Lens.objects.filter(slug=slug).exists():
        raise Http404("No such lens.")
    rows = consolidated_rows(Workload.objects.for_user(request.user), slug)
    if fmt == "csv":
        return download(to_csv(rows, CONSOLIDATED_COLUMNS), fmt, f"{slug}-risks")
    return download(to_json({"lens": slug, "rows": rows}), fmt, f"{slug}-risks")
