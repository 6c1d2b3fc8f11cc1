"""Downloading the PDF report of a review or of one of its milestones."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from ..access import get_review_for_user
from ..forms import ReportForm
from ..models import Milestone
from ..reports import ReportRequest, report_pdf


@require_http_methods(["GET"])
def report_download(request: HttpRequest, pk: int, milestone_pk: int | None = None) -> HttpResponse:
    review, _role = get_review_for_user(request, pk)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, review=review) if milestone_pk else None
    form = ReportForm(request.GET)
    options = form.cleaned_data if form.is_valid() else {}
    report = ReportRequest(
        review=review,
        milestone=milestone,
        language=options.get("lang") or request.LANGUAGE_CODE,
        page_size=options.get("size") or "a4",
    )
    etag = report.etag()
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=report.filename())
    return response
