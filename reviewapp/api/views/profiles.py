"""Profiles (read), a workload's profile (set, clear, upgrade), review templates (CRUD, upgrade)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from questions.models import Profile
from questions.profiles import ProfileError, newer_profile

from ...access import get_template_for_user, get_workload_for_user
from ...models import ReviewTemplate
from ...profiles import workload_prioritised_keys, workload_profile_set, workload_profile_upgrade
from ...review_templates import TemplateError, template_create, template_update, template_upgrade
from .. import profile_serializers as ps


class ProfileList(generics.ListAPIView):
    """The profiles a workload can choose: the latest published version of each."""

    serializer_class = ps.ProfileSerializer
    pagination_class = None

    def get_queryset(self):
        return Profile.objects.current()


class ProfileDetail(generics.RetrieveAPIView):
    """A profile version with its questions, choices and the lens questions each choice prioritises."""

    serializer_class = ps.ProfileDetailSerializer

    def get_object(self):
        return get_object_or_404(
            Profile.objects.exclude(status=Profile.Status.DRAFT).prefetch_related("questions__choices"),
            pk=self.kwargs["pk"],
        )


def _workload_profile_data(workload) -> dict:
    newer = newer_profile(workload.profile) if workload.profile_id else None
    return {
        "profile": workload.profile_id,
        "answers": workload.profile_answers,
        "prioritised_questions": sorted(workload_prioritised_keys(workload)),
        "newer_version": newer.pk if newer else None,
    }


class WorkloadProfile(APIView):
    """The workload's profile and answers. Owners and contributors set it (PUT) or clear it (DELETE)."""

    @extend_schema(responses=ps.WorkloadProfileSerializer)
    def get(self, request, pk: int):
        workload, _role = get_workload_for_user(request, pk)
        return Response(_workload_profile_data(workload))

    @extend_schema(request=ps.WorkloadProfileSerializer, responses=ps.WorkloadProfileSerializer)
    def put(self, request, pk: int):
        workload, _role = get_workload_for_user(request, pk, write=True)
        serializer = ps.WorkloadProfileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            workload = workload_profile_set(
                workload=workload,
                profile=serializer.validated_data["profile"],
                answers=serializer.validated_data["answers"],
            )
        except ProfileError as exc:
            raise ValidationError({exc.field: exc.problems}) from None
        return Response(_workload_profile_data(workload))

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        workload, _role = get_workload_for_user(request, pk, write=True)
        workload_profile_set(workload=workload, profile=None, answers={})
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkloadProfileUpgrade(APIView):
    """Move the workload to the newest version of its profile; a milestone of each review is taken first."""

    @extend_schema(request=None, responses=ps.WorkloadProfileUpgradeSerializer)
    def post(self, request, pk: int):
        workload, _role = get_workload_for_user(request, pk, write=True)
        try:
            upgrade = workload_profile_upgrade(workload=workload, user=request.user)
        except ProfileError as exc:
            raise ValidationError({"profile": exc.problems}) from None
        return Response(
            {
                "profile": ps.ProfileSerializer(upgrade.new).data,
                "milestones": [m.pk for m in upgrade.milestones],
                "dropped": upgrade.dropped,
            }
        )


def _states(answers: dict) -> dict:
    return {key: ps.TemplateAnswerSerializer.state_of(data) for key, data in answers.items()}


class TemplateList(generics.ListCreateAPIView):
    """Your review templates (staff: everyone's). Creating one makes you its owner."""

    serializer_class = ps.ReviewTemplateSerializer

    def get_queryset(self):
        return (
            ReviewTemplate.objects.for_user(self.request.user)
            .select_related("lens", "owner")
            .prefetch_related("answers")
            .order_by("name", "pk")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = template_create(
                owner=self.request.user,
                name=data["name"],
                description=data.get("description", ""),
                lens=data["lens"],
                answers=_states(data.get("answers", {})),
            )
        except TemplateError as exc:
            raise ValidationError({"answers": exc.problems}) from None


class TemplateDetail(generics.RetrieveUpdateDestroyAPIView):
    """A review template of yours. A change of ``answers`` replaces them all; the lens changes only by upgrade."""

    serializer_class = ps.ReviewTemplateSerializer

    def get_object(self):
        return get_template_for_user(self.request, self.kwargs["pk"])

    def perform_update(self, serializer):
        data, template = serializer.validated_data, serializer.instance
        if "lens" in data and data["lens"] != template.lens:
            raise ValidationError({"lens": [_("The lens changes only by upgrading the template.")]})
        answers = data.get("answers")
        try:
            serializer.instance = template_update(
                template=template,
                name=data.get("name", template.name),
                description=data.get("description", template.description),
                answers=_states(answers) if answers is not None else None,
            )
        except TemplateError as exc:
            raise ValidationError({"answers": exc.problems}) from None


class TemplateUpgrade(APIView):
    """Move the template to the latest published version of its lens, answers mapped by question and choice ids."""

    @extend_schema(request=None, responses=ps.ReviewTemplateSerializer)
    def post(self, request, pk: int):
        template = get_template_for_user(request, pk)
        try:
            upgrade = template_upgrade(template=template)
        except TemplateError as exc:
            raise ValidationError({"lens": exc.problems}) from None
        return Response(ps.ReviewTemplateSerializer(upgrade.template).data)
