"""Downloading the PDF report of a review or of one of its milestones.

A report already rendered for the review's current state is served at once; otherwise the page
says it is being prepared (a background job renders it once, whoever else is waiting) and
fetches it when it is ready.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from ..access import get_review_for_user
from ..forms import ReportForm
from ..models import Milestone, ReportRender
from ..report_jobs import requested_report
from ..reports import ReportRequest, report_sessions


@require_http_methods(["GET", "POST"])
def report_download(request: HttpRequest, pk: int, milestone_pk: int | None = None) -> HttpResponse:
    review, _role = get_review_for_user(request, pk)
    milestone = get_object_or_404(Milestone, pk=milestone_pk, review=review) if milestone_pk else None
    form = ReportForm(request.GET)
    form.is_valid()  # a bad option falls back to its default; the good ones stay
    options = form.cleaned_data
    report = ReportRequest(
        review=review,
        milestone=milestone,
        language=options.get("lang") or request.LANGUAGE_CODE,
        page_size=options.get("size") or "a4",
        sessions=report_sessions(review) if options.get("sessions") and milestone is None else (),
    )
    if request.method == "POST":  # "Try again" after a failed render
        requested_report(report, retry=True)
        return redirect(request.get_full_path())
    etag = report.etag()
    # Django's own evaluation of If-None-Match (and If-Match): 304 for a report the browser has.
    response = get_conditional_response(request, etag=etag)
    if response is None:
        outcome = requested_report(report)
        if outcome.pdf is None or request.htmx:
            return _progress(request, review, outcome.render)
        response = HttpResponse(outcome.pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=report.filename())
    if response.status_code != 412:
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
    return response


def _progress(request: HttpRequest, review, render_row: ReportRender | None) -> HttpResponse:
    """The page (or, polled by htmx, its status part) of a report being prepared or ready."""
    template = "reviewapp/report_progress.html" + ("#status" if request.htmx else "")
    context = {"review": review, "render": render_row, "Status": ReportRender.Status, "url": request.get_full_path()}
    response = render(request, template, context, status=200 if render_row is None else 202)
    response["Cache-Control"] = "no-store"
    return response
