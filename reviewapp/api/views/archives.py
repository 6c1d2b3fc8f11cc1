"""A whole workload as one archive (format wa-workload-archive, version 1): out for owners, in for anyone."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ...access import get_workload_for_user
from ...archives import WorkloadArchiveError, workload_archive, workload_from_archive
from ...models import Role
from .. import serializers as s
from .common import file_refused

ImportResult = inline_serializer(
    "WorkloadArchiveImport",
    {"workload": s.WorkloadSerializer(), "warnings": serializers.ListField(child=serializers.CharField())},
)


class WorkloadArchive(APIView):
    """The workload with everything it holds: fields, members by username and role, and each review (lens slug
    and version) with every answer and its full history, improvement items and milestones. Owners and staff only.
    """

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        workload, _role = get_workload_for_user(request, pk, owner=True)
        return Response(workload_archive(workload))


class WorkloadArchiveImport(APIView):
    """Import a workload archive (the JSON document as the request body) as a new workload you own.

    The lens versions it names must exist here. Members and authors whose usernames do not exist here
    are left out, each listed in ``warnings``. All or nothing: a bad archive answers 400 with every
    problem and its place (e.g. ``reviews[0].answers[3].choices[1]: unknown choice "x"``).
    """

    @extend_schema(request=dict, responses={201: ImportResult})
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"body": [_("Send the archive's JSON object as the request body.")]})
        try:
            result = workload_from_archive(data=dict(request.data), user=request.user)
        except WorkloadArchiveError as exc:
            return file_refused(exc.messages, _("The archive has %(n)d problems."))
        context = {"request": request, "staff": request.user.is_staff, "roles": {result.workload.pk: Role.OWNER}}
        body = {"workload": s.WorkloadSerializer(result.workload, context=context).data, "warnings": result.warnings}
        return Response(body, status=status.HTTP_201_CREATED)
