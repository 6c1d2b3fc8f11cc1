"""A workload's issue tracker connection: read it (members; never the token), sync it now (owners)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from ...access import get_workload_for_user
from ...models import TrackerConnection
from ...trackers.display import connection_error
from ...trackers.sync import queue_workload_sync
from .. import serializers as s


def _connection(request, pk: int, *, owner: bool = False) -> TrackerConnection:
    workload, _role = get_workload_for_user(request, pk, owner=owner)
    connection = TrackerConnection.objects.filter(workload=workload).select_related("created_by").first()
    if connection is None:
        raise Http404(_("This workload is not connected to an issue tracker."))
    return connection


class TrackerConnectionDetail(APIView):
    """Where the workload's improvement items are synced as issues, and how the last sync went."""

    @extend_schema(responses=s.TrackerConnectionSerializer)
    def get(self, request, pk: int):
        connection = _connection(request, pk)
        data = s.TrackerConnectionSerializer(connection).data
        data["error_message"] = connection_error(connection)
        data["linked_issues"] = connection.issues.exclude(key="").count()
        return Response(data)


class TrackerSync(APIView):
    """Queue a sync of every item both ways (owners only)."""

    @extend_schema(request=None, responses={202: s.TrackerSyncSerializer})
    def post(self, request, pk: int):
        connection = _connection(request, pk, owner=True)
        queue_workload_sync(connection)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)
