"""Reviews, their summaries and answers (with optimistic concurrency), answer exports and AWS answer imports."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ...access import get_review_for_user, get_workload_for_user
from ...answers import AnswerConflict, answer_save
from ...aws_answers import AnswerImportError, answers_from_aws, answers_to_aws
from ...exports import answers_download
from ...models import Milestone, Review, Workload
from ...progress import QuestionState, review_state
from ...review_templates import TemplateError
from ...workloads import review_create
from .. import profile_serializers as ps
from .. import serializers as s
from .common import answer_data, file_refused, if_match_version, query_id


class ReviewList(generics.ListAPIView):
    """Reviews of the workloads you can see. POST starts one (owners and contributors of the workload),
    optionally pre-filled from one of your review templates on the same lens version."""

    serializer_class = s.ReviewSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("workload", int, description="Only this workload's reviews."),
            OpenApiParameter("lens", str, description="Only reviews against this lens slug."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        reviews = (
            Review.objects.filter(workload__in=Workload.objects.for_user(self.request.user))
            .select_related("lens")
            .with_risk_counts()
            .order_by("pk")
        )
        workload = query_id(self.request, "workload", _("Give a workload id (a number)."))
        if workload is not None:
            reviews = reviews.filter(workload_id=workload)
        lens = self.request.query_params.get("lens", "").replace("\x00", "")
        return reviews.filter(lens__slug=lens) if lens else reviews

    @extend_schema(request=ps.ReviewCreateSerializer, responses={201: s.ReviewSerializer})
    def post(self, request):
        serializer = ps.ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        workload, _role = get_workload_for_user(request, data["workload"].pk, write=True)
        template = data.get("template")
        if template is not None and not (request.user.is_staff or template.owner_id == request.user.pk):
            raise ValidationError({"template": [_("Only your own review templates can be applied.")]})
        if Review.objects.filter(workload=workload, lens=data["lens"]).exists():
            raise ValidationError({"lens": [_("The workload already has a review of this lens version.")]})
        try:
            review = review_create(workload=workload, lens=data["lens"], user=request.user, template=template)
        except TemplateError as exc:
            raise ValidationError({"template": exc.problems}) from None
        review = Review.objects.select_related("lens").with_risk_counts().get(pk=review.pk)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewDetail(generics.RetrieveAPIView):
    serializer_class = s.ReviewSerializer

    def get_object(self):
        review, _role = get_review_for_user(self.request, self.kwargs["pk"])
        return Review.objects.select_related("lens").with_risk_counts().get(pk=review.pk)


class ReviewSummary(APIView):
    """Risk counts of the review and of each pillar."""

    @extend_schema(responses=s.ReviewSummarySerializer)
    def get(self, request, pk: int):
        review, _role = get_review_for_user(request, pk)
        state = review_state(review)
        return Response(
            {
                "review": review.pk,
                "revision": review.revision,
                "counts": s.counts_dict(state.counts),
                "pillars": [
                    {
                        "key": p.pillar.key,
                        "short_label": p.pillar.short_label,
                        "name": p.pillar.name,
                        "counts": s.counts_dict(p.counts),
                    }
                    for p in state.pillars
                ],
            }
        )


class AnswerList(APIView):
    """Every question's answer, in pillar and question order; filter by pillar key and risk."""

    @extend_schema(
        responses=s.AnswerSerializer(many=True),
        parameters=[
            OpenApiParameter("pillar", str, description="A pillar key, e.g. security."),
            OpenApiParameter("risk", str, enum=["HIGH_RISK", "MEDIUM_RISK", "NO_RISK", "NOT_APPLICABLE", "UNANSWERED"]),
        ],
    )
    def get(self, request, pk: int):
        review, _role = get_review_for_user(request, pk)
        state = review_state(review)
        pillar = request.query_params.get("pillar", "")
        risk = request.query_params.get("risk", "")
        if pillar and state.pillar(pillar) is None:
            raise ValidationError({"pillar": [_("This lens has no pillar “%(key)s”.") % {"key": pillar}]})
        answers = [
            answer_data(q)
            for q in state.questions
            if (not pillar or q.item.pillar.key == pillar) and (not risk or q.risk == risk)
        ]
        return Response(answers)


class AnswerDetail(APIView):
    """One answer. Updates need the version you read (field `version` or header If-Match: "<version>").

    A stale `version` is a 409 and a stale If-Match a 412 (RFC 9110), both with the current answer;
    when both are given they must agree, else 412 and nothing is saved.
    """

    serializer_class = s.AnswerSerializer

    def _current(self, review, key):
        state = review_state(review)
        current = state.question(key)
        if current is None:
            raise Http404(_("This lens has no question “%(key)s”.") % {"key": key})
        return state, current

    def _respond(self, q: QuestionState, code=status.HTTP_200_OK) -> Response:
        response = Response(answer_data(q), status=code)
        response["ETag"] = f'"{q.answer.version}"'
        return response

    @extend_schema(responses=s.AnswerSerializer)
    def get(self, request, pk: int, key: str):
        review, _role = get_review_for_user(request, pk)
        return self._respond(self._current(review, key)[1])

    @extend_schema(
        request=s.AnswerSerializer,
        responses={200: s.AnswerSerializer, 409: s.AnswerConflictSerializer, 412: s.AnswerConflictSerializer},
    )
    def put(self, request, pk: int, key: str):
        return self._update(request, pk, key, partial=False)

    @extend_schema(
        request=s.AnswerSerializer,
        responses={200: s.AnswerSerializer, 409: s.AnswerConflictSerializer, 412: s.AnswerConflictSerializer},
    )
    def patch(self, request, pk: int, key: str):
        return self._update(request, pk, key, partial=True)

    def _update(self, request, pk: int, key: str, *, partial: bool) -> Response:
        review, _role = get_review_for_user(request, pk, write=True)
        _state, current = self._current(review, key)
        serializer = s.AnswerSerializer(
            data=request.data, partial=partial, context={"item": current.item, "current": current.state}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        header = if_match_version(request)
        if header is not None and "version" in data and data["version"] != header:
            response = self._respond(current, status.HTTP_412_PRECONDITION_FAILED)
            response.data = {
                "error": _("If-Match names version %(header)s but the body says version %(body)s; give one version.")
                % {"header": header, "body": data["version"]},
                "current": answer_data(current),
            }
            return response
        expected = data.get("version", header)
        if expected is None:
            raise ValidationError(
                {"version": [_("Give the version you read (field “version” or an If-Match header).")]}
            )
        try:
            answer_save(
                review=review, item=current.item, user=request.user, state=data["state"], expected_version=expected
            )
        except AnswerConflict:
            _state, latest = self._current(review, key)
            stale_header = "version" not in data  # If-Match is a precondition: RFC 9110 answers 412
            code = status.HTTP_412_PRECONDITION_FAILED if stale_header else status.HTTP_409_CONFLICT
            response = self._respond(latest, code)
            response.data = {
                "error": _("The answer changed since version %(version)s; here is the current one.")
                % {"version": expected},
                "current": answer_data(latest),
            }
            return response
        return self._respond(self._current(review, key)[1])


class AnswersAwsImport(APIView):
    """Import answers exported from the AWS Well-Architected Tool API (ListAnswers / GetAnswer JSON)."""

    @extend_schema(request=dict, responses={200: dict})
    def post(self, request, pk: int):
        review, _role = get_review_for_user(request, pk, write=True)
        try:
            summary = answers_from_aws(review=review, data=request.data, user=request.user)
        except AnswerImportError as exc:
            return file_refused(exc.messages, "answers", total=exc.total)
        return Response(
            {
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "risks": summary.risks,
                "warnings": summary.warnings,
            }
        )


class AnswersAwsExport(APIView):
    """A review's answers (or a milestone's, with ?milestone=ID) as the AWS tool's ListAnswers JSON.

    Reads back unchanged with ``answers/import/``; applies to a workload in the AWS tool with
    ``aws wellarchitected update-answer`` (see the README).
    """

    @extend_schema(
        parameters=[OpenApiParameter("milestone", int, description="Export this milestone instead of now.")],
        responses={200: dict},
    )
    def get(self, request, pk: int):
        milestone = query_id(request, "milestone", _("Give a milestone id (a number)."))
        review, _role = get_review_for_user(request, pk)
        found = (
            get_object_or_404(Milestone.objects.select_related("lens"), pk=milestone, review=review)
            if milestone is not None
            else None
        )
        return Response(answers_to_aws(review=review, milestone=found))


class AnswersExport(APIView):
    """A review's answers (or a milestone's, with ?milestone=ID) as CSV (UTF-8 with BOM) or JSON."""

    @extend_schema(
        parameters=[OpenApiParameter("milestone", int, description="Export this milestone instead of now.")],
        responses={(200, "text/csv"): str, (200, "application/json"): dict},
    )
    def get(self, request, pk: int, fmt: str):
        milestone = query_id(request, "milestone", _("Give a milestone id (a number)."))
        review, _role = get_review_for_user(request, pk)
        found = (
            get_object_or_404(Milestone.objects.select_related("lens"), pk=milestone, review=review)
            if milestone is not None
            else None
        )
        return answers_download(review=review, milestone=found, fmt=fmt).response()
