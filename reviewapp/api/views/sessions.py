"""Review sessions over the API: plan and list them, run the clock, read the minutes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ...access import get_review_for_user, get_session_for_user
from ...models import ReviewSession
from ...sessions.minutes import session_minutes
from ...sessions.planning import AgendaEntry, session_plan
from ...sessions.running import STEPS, session_extend
from .. import serializers as s


def _session(request, pk: int, session_pk: int, *, write: bool = False) -> ReviewSession:
    return get_session_for_user(request, pk, session_pk, write=write)[0]


def _refused(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.messages)


class SessionList(generics.ListCreateAPIView):
    """Sessions of a review, newest planned first. Creating one plans it (members who can write)."""

    serializer_class = s.ReviewSessionSerializer
    pagination_class = None

    def get_queryset(self):
        review, _role = get_review_for_user(self.request, self.kwargs["pk"])
        return (
            review.sessions.select_related("facilitator")
            .prefetch_related("expected", "agenda__pillar", "agenda__question")
            .order_by("-planned_start", "-pk")
        )

    def create(self, request, *args, **kwargs):
        review, _role = get_review_for_user(request, self.kwargs["pk"], write=True)
        serializer = s.ReviewSessionSerializer(data=request.data, workload=review.workload)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            session = session_plan(
                review=review,
                user=request.user,
                title=data["title"],
                planned_start=data["planned_start"],
                facilitator=data["facilitator"],
                agenda=[AgendaEntry(target=item["target_key"], minutes=item["minutes"]) for item in data["agenda"]],
                expected=list(data.get("expected", [])),
            )
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(s.ReviewSessionSerializer(session).data, status=status.HTTP_201_CREATED)


class SessionDetail(APIView):
    """One session: its plan and, while it runs, the current item and the seconds left."""

    @extend_schema(responses=s.ReviewSessionSerializer)
    def get(self, request, pk: int, session_pk: int):
        return Response(s.ReviewSessionSerializer(_session(request, pk, session_pk)).data)


class SessionStep(APIView):
    """Run the clock: start, pause, resume, extend (``minutes``), next, end, reopen (its facilitator or an owner)."""

    @extend_schema(request=s.SessionStepSerializer, responses=s.ReviewSessionSerializer)
    def post(self, request, pk: int, session_pk: int):
        session = _session(request, pk, session_pk, write=True)
        step = s.SessionStepSerializer(data=request.data)
        step.is_valid(raise_exception=True)
        action = step.validated_data["action"]
        try:
            if action == "extend":
                session = session_extend(
                    session=session, user=request.user, minutes=step.validated_data.get("minutes", 5)
                )
            else:
                session = STEPS[action](session=session, user=request.user)
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(s.ReviewSessionSerializer(session).data)


class SessionMinutes(APIView):
    """The session's minutes: attendance, time per agenda item, answer changes, risks, discussion, parking lot."""

    @extend_schema(responses=s.MinutesSerializer)
    def get(self, request, pk: int, session_pk: int):
        return Response(session_minutes(_session(request, pk, session_pk)).as_json())
