"""The signed-in person's notifications over the API: the list, and marking them read."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from ...models import Notification
from ...notifications.delivery import absolute_url
from ...notifications.inbox import listed, notification_mark_read, unread_count
from ...notifications.texts import describe, excerpt


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="What happened, in the request's language.")
    excerpt = serializers.SerializerMethodField(help_text="The comment's words, for comments and mentions.")
    url = serializers.SerializerMethodField(help_text="The page it is about.")
    actor = serializers.SerializerMethodField(help_text="Who caused it (null for scheduled notices).")
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "excerpt", "url", "actor", "created_at", "read_at", "read"]

    def get_text(self, obj: Notification) -> str:
        return describe(obj)

    def get_excerpt(self, obj: Notification) -> str:
        return excerpt(obj)

    def get_url(self, obj: Notification) -> str:
        return absolute_url(obj.link)

    def get_actor(self, obj: Notification) -> str | None:
        return obj.actor.get_username() if obj.actor else None

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="The notifications to mark read (others' ids are ignored).",
    )
    all = serializers.BooleanField(required=False, default=False, help_text="true: mark every notification read.")

    def validate(self, attrs: dict) -> dict:
        if ("ids" in attrs) == attrs["all"]:
            raise serializers.ValidationError("Give either ids or all: true.", code="ids_or_all")
        return attrs


class MarkReadResult(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class NotificationList(ListAPIView):
    """My notifications, newest first (``?unread=true`` for the unread ones only)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        notifications = listed(self.request.user)
        if self.request.query_params.get("unread") in ("true", "1"):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications


class NotificationsRead(APIView):
    """Mark my notifications read: the listed ``ids``, or all of them (``{"all": true}``)."""

    @extend_schema(request=MarkReadSerializer, responses=MarkReadResult)
    def post(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notification_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked, "unread": unread_count(request.user)})
