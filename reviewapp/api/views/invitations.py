"""Invitations to a workload, for its owners: list, create (the link is returned once), withdraw."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ...access import get_workload_for_user
from ...invitations import invitation_create, invitation_revoke
from ...models import Invitation
from .. import serializers as s


class InvitationList(generics.ListCreateAPIView):
    """A workload's invitations (owners only). Creating one returns its link once, in ``url``."""

    serializer_class = s.InvitationSerializer
    pagination_class = None

    def get_queryset(self):
        workload, _role = get_workload_for_user(self.request, self.kwargs["pk"], owner=True)
        return workload.invitations.select_related("accepted_by").order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        workload, _role = get_workload_for_user(request, self.kwargs["pk"], owner=True)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, token = invitation_create(
            workload=workload,
            role=serializer.validated_data["role"],
            created_by=request.user,
            valid_days=serializer.validated_data["valid_days"],
        )
        link = request.build_absolute_uri(reverse("reviewapp:invitation_accept", args=[token]))
        context = {**self.get_serializer_context(), "urls": {invitation.pk: link}}
        return Response(s.InvitationSerializer(invitation, context=context).data, status=status.HTTP_201_CREATED)


class InvitationDetail(APIView):
    """Withdraw an invitation that has not been used (owners only)."""

    serializer_class = s.InvitationSerializer

    def delete(self, request, pk: int, invitation_pk: int):
        workload, _role = get_workload_for_user(request, pk, owner=True)
        invitation_revoke(invitation=get_object_or_404(Invitation, pk=invitation_pk, workload=workload))
        return Response(status=status.HTTP_204_NO_CONTENT)
