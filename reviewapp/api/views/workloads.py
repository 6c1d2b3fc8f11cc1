"""Workloads and their members, and risk counts across workloads."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ...access import get_workload_for_user
from ...exports import consolidated_download
from ...models import Membership, Role, Workload
from ...portfolio import portfolio_data, portfolio_of
from ...workloads import SharingError, membership_remove, membership_set, workload_create
from .. import serializers as s
from .common import writing


class WorkloadList(generics.ListCreateAPIView):
    """Workloads you are a member of (staff: all). Creating one makes you its owner."""

    serializer_class = s.WorkloadSerializer

    @extend_schema(parameters=[OpenApiParameter("search", str, description="Part of the name.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        workloads = Workload.objects.for_user(self.request.user).prefetch_related("reviews").order_by("name", "pk")
        search = self.request.query_params.get("search", "").replace("\x00", "")
        return workloads.filter(name__icontains=search) if search else workloads

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["staff"] = user.is_staff
        context["roles"] = dict(Membership.objects.filter(user=user).values_list("workload_id", "role"))
        return context

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        lenses = data.pop("lenses", [])
        serializer.instance = workload_create(user=self.request.user, lenses=lenses, **data)
        serializer.context["roles"][serializer.instance.pk] = Role.OWNER


class WorkloadDetail(generics.RetrieveUpdateAPIView):
    """A workload. Owners and contributors may change it; viewers only read."""

    serializer_class = s.WorkloadSerializer

    def get_object(self):
        workload, role = get_workload_for_user(self.request, self.kwargs["pk"], write=writing(self.request))
        self.role = role
        return workload

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["staff"] = self.request.user.is_staff
        if hasattr(self, "role"):
            context["roles"] = {self.kwargs["pk"]: self.role}
        return context

    def perform_update(self, serializer):
        serializer.validated_data.pop("lenses", None)
        serializer.save()


class MemberList(generics.ListCreateAPIView):
    """The workload's members. Owners add a user (or change their role) by username."""

    serializer_class = s.MembershipSerializer
    pagination_class = None

    def get_queryset(self):
        workload, _role = get_workload_for_user(self.request, self.kwargs["pk"], owner=writing(self.request))
        return workload.listed_memberships()

    def create(self, request, *args, **kwargs):
        workload, _role = get_workload_for_user(request, self.kwargs["pk"], owner=True)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            membership = membership_set(
                workload=workload,
                username=serializer.validated_data["user"]["username"],
                role=serializer.validated_data["role"],
                by=request.user,
            )
        except SharingError as exc:
            raise ValidationError({"username": [str(exc)]}) from None
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetail(APIView):
    """Remove a member (owners only; the last owner stays)."""

    serializer_class = s.MembershipSerializer

    def delete(self, request, pk: int, member_pk: int):
        workload, _role = get_workload_for_user(request, pk, owner=True)
        membership = get_object_or_404(Membership, pk=member_pk, workload=workload)
        try:
            membership_remove(workload=workload, membership=membership)
        except SharingError as exc:
            raise ValidationError([str(exc)]) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsolidatedExport(APIView):
    """Risk counts per workload and pillar, for every workload you can see reviewed against the lens."""

    @extend_schema(responses={(200, "text/csv"): str, (200, "application/json"): dict})
    def get(self, request, slug: str, fmt: str):
        download = consolidated_download(workloads=Workload.objects.for_user(request.user), slug=slug, fmt=fmt)
        if download is None:
            raise Http404("No such lens.")
        return download.response()


class LensPortfolio(APIView):
    """The lens across every workload you can see: risk counts per pillar, the best practices most often
    missing, workloads by number of high risks, improvement items by status and owner, and high and medium
    risks across milestones (the portfolio page's figures)."""

    @extend_schema(responses={200: dict})
    def get(self, request, slug: str):
        portfolio = portfolio_of(workloads=Workload.objects.for_user(request.user), slug=slug)
        if portfolio is None:
            raise Http404("No such lens.")
        return Response(portfolio_data(portfolio))
