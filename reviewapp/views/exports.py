"""Downloads of answers (a review or a milestone) and of risk counts across workloads."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from ..access import get_review_for_user
from ..exports import answers_download, aws_answers_download, consolidated_download
from ..models import Milestone, Workload


@require_http_methods(["GET"])
def answers_export(request: HttpRequest, pk: int, fmt: str, milestone_pk: int | None = None) -> HttpResponse:
    review, _role = get_review_for_user(request, pk)
    milestone = (
        get_object_or_404(Milestone.objects.select_related("lens"), pk=milestone_pk, review=review)
        if milestone_pk
        else None
    )
    return answers_download(review=review, milestone=milestone, fmt=fmt).response()


@require_http_methods(["GET"])
def aws_answers_export(request: HttpRequest, pk: int, milestone_pk: int | None = None) -> HttpResponse:
    review, _role = get_review_for_user(request, pk)
    milestone = (
        get_object_or_404(Milestone.objects.select_related("lens"), pk=milestone_pk, review=review)
        if milestone_pk
        else None
    )
    return aws_answers_download(review=review, milestone=milestone).response()


@require_http_methods(["GET"])
def consolidated_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    download = consolidated_download(workloads=Workload.objects.for_user(request.user), slug=slug, fmt=fmt)
    if download is None:
        raise Http404("No such lens.")
    return download.response()
