"""Lenses: list, read, and the AWS custom lens format out and in."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from questions.interchange import LensAlreadyImported, LensImportError, lens_from_aws, lens_to_aws
from questions.models import Choice, Lens, Question, RiskRule

from .. import serializers as s
from .common import LanguageQuery, file_refused


class LensList(generics.ListAPIView):
    """Lenses that reviews can use (published and retired; drafts for staff)."""

    serializer_class = s.LensSerializer

    def get_queryset(self):
        return Lens.objects.for_user(self.request.user).order_by("slug", "version", "pk")


class LensDetail(generics.RetrieveAPIView):
    """A lens with its pillars, questions, choices and risk rules."""

    serializer_class = s.LensDetailSerializer

    def get_queryset(self):
        questions = Question.objects.order_by("order", "pk").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")),
            Prefetch("risk_rules", queryset=RiskRule.objects.order_by("order", "pk")),
        )
        return Lens.objects.for_user(self.request.user).prefetch_related(
            Prefetch("pillars__questions", queryset=questions)
        )


class LensAwsExport(APIView):
    """The lens in the AWS Well-Architected custom lens format, in one language."""

    @extend_schema(parameters=[LanguageQuery], responses={200: dict})
    def get(self, request, pk: int):
        query = LanguageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lens = get_object_or_404(Lens.objects.for_user(request.user), pk=pk)
        return Response(lens_to_aws(lens, language=query.validated_data["language"]))


class LensAwsImport(APIView):
    """Import an AWS custom lens file (the JSON document as the request body) as a draft lens.

    Query: language (required), slug and version (optional), force (optional: import even
    when a version of the lens already has the same content; without it that answers 409
    naming the version). Bank editors only. All or nothing: a bad file answers 400 with
    every problem and its place.
    """

    @extend_schema(
        request=dict,
        parameters=[
            LanguageQuery,
            OpenApiParameter("slug", str),
            OpenApiParameter("version", str),
            OpenApiParameter("force", bool, description="Import even when a version with the same content exists."),
        ],
        responses={201: s.LensSerializer, 409: dict},
    )
    def post(self, request):
        if not request.user.has_perm("questions.add_lens"):
            raise PermissionDenied(_("Only bank editors may import lenses."))
        query = LanguageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        if not isinstance(request.data, dict):
            raise ValidationError({"body": [_("Send the lens file's JSON object as the request body.")]})
        try:
            lens = lens_from_aws(
                dict(request.data),
                language=query.validated_data["language"],
                slug=request.query_params.get("slug") or None,
                version=request.query_params.get("version") or None,
                force=request.query_params.get("force", "").lower() in ("1", "true", "yes", "on"),
            )
        except LensAlreadyImported as exc:
            body = {
                "detail": _("Version %(version)s of this lens already has this content: nothing was imported.")
                % {"version": exc.lens.version},
                "lens": s.LensSerializer(exc.lens).data,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        except LensImportError as exc:
            return file_refused(exc.messages, "lens", total=exc.total)
        return Response(s.LensSerializer(lens).data, status=status.HTTP_201_CREATED)
