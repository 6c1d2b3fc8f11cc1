"""The improvement plan and its items, and milestones."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ...access import get_review_for_user
from ...bank import load_bank
from ...forms import ImprovementItemForm, PlanFilterForm, workload_members
from ...improvements import improvement_plan, improvement_update
from ...milestones import MilestoneError, milestone_create
from ...models import Membership, Milestone, TrackerConnection
from ...progress import review_state, state_of
from ...trackers.display import issue_summary
from .. import serializers as s
from .common import answer_data


class ImprovementPlan(APIView):
    """Questions at high or medium risk with the practices they lack and their tracking items."""

    @extend_schema(
        responses=s.PlanQuestionSerializer(many=True),
        parameters=[
            OpenApiParameter("pillar", str),
            OpenApiParameter("risk", str, enum=["HIGH_RISK", "MEDIUM_RISK"]),
            OpenApiParameter("status", str, enum=["open", "in_progress", "done", "wont_do"]),
            OpenApiParameter("owner", int, description="User id of a member."),
        ],
    )
    def get(self, request, pk: int):
        review, _role = get_review_for_user(request, pk)
        state = review_state(review)
        form = PlanFilterForm(request.query_params, bank=state.bank, workload=review.workload)
        if request.query_params and not form.is_valid():
            raise ValidationError(form.errors)
        plan = improvement_plan(state, form.filters())
        tracker = TrackerConnection.objects.filter(workload=review.workload).first()
        return Response(
            [
                {
                    "question": entry.state.item.key,
                    "label": entry.state.question.label,
                    "pillar": entry.state.item.pillar.key,
                    "title": entry.state.question.title,
                    "risk": entry.risk,
                    "items": [_item_data(p.choice, p.item, tracker) for p in entry.practices],
                }
                for entry in plan
            ]
        )


def _item_data(choice, item, tracker: TrackerConnection | None) -> dict:
    tracked = getattr(item, "tracked_issue", None) if tracker else None
    summary = issue_summary(tracked, tracker)
    return {
        "choice": choice.key,
        "title": choice.title,
        "tier": choice.tier,
        "improvement_plan": choice.improvement_plan,
        "improvement_plan_url": choice.improvement_plan_url,
        "status": item.status if item else "open",
        "owner": item.owner.get_username() if item and item.owner else None,
        "due_date": item.due_date if item else None,
        "note": item.note if item else "",
        "tracker_issue": {
            "key": tracked.key,
            "url": tracked.url,
            "state": tracked.state,
            "synced_at": tracked.synced_at,
            "error": tracked.error or None,
            "error_message": summary.error,
        }
        if summary
        else None,
    }


class ImprovementItemDetail(APIView):
    """Track one missing best practice: status, owner (a member's username), due date, note."""

    @extend_schema(request=s.ImprovementItemSerializer, responses=s.ImprovementItemSerializer)
    def patch(self, request, pk: int, key: str):
        review, _role = get_review_for_user(request, pk, write=True)
        bank = load_bank(review.lens)
        choice = bank.practice(key)
        if choice is None:
            raise Http404(_("This lens has no best practice “%(key)s”.") % {"key": key})
        serializer = s.ImprovementItemSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        current = review.improvement_items.select_related("owner").filter(choice=choice).first()
        data = {
            "status": current.status if current else "open",
            "owner": current.owner_id if current and current.owner_id else "",
            "due_date": current.due_date if current else None,
            "note": current.note if current else "",
        }
        incoming = dict(serializer.validated_data)
        if "owner" in incoming:
            owner = incoming.pop("owner")
            member = (
                Membership.objects.filter(workload=review.workload, user__username=owner).first() if owner else None
            )
            if owner and member is None:
                raise ValidationError({"owner": [_("“%(name)s” is not a member of this workload.") % {"name": owner}]})
            data["owner"] = member.user_id if member else ""
        data.update(incoming)
        form = ImprovementItemForm(data, members=workload_members(review.workload))
        if not form.is_valid():
            raise ValidationError(form.errors)
        item = improvement_update(review=review, choice=choice, user=request.user, **form.cleaned_data)
        tracker = TrackerConnection.objects.filter(workload=review.workload).first()
        return Response(_item_data(choice, item, tracker))


class MilestoneList(generics.ListCreateAPIView):
    """Milestones of a review, oldest first. Creating one freezes the review as it is now."""

    serializer_class = s.MilestoneSerializer

    def get_queryset(self):
        review, _role = get_review_for_user(self.request, self.kwargs["pk"])
        return review.milestones.select_related("lens", "created_by").order_by("created_at", "pk")

    def create(self, request, *args, **kwargs):
        review, _role = get_review_for_user(request, self.kwargs["pk"], write=True)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            milestone = milestone_create(review=review, name=serializer.validated_data["name"], user=request.user)
        except MilestoneError as exc:
            raise ValidationError({"name": [str(exc)]} if exc.code == "duplicate_name" else [str(exc)]) from None
        return Response(self.get_serializer(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneDetail(APIView):
    """A milestone with every answer as it was frozen."""

    @extend_schema(responses=s.MilestoneDetailSerializer)
    def get(self, request, pk: int, milestone_pk: int):
        review, _role = get_review_for_user(request, pk)
        milestone = get_object_or_404(
            Milestone.objects.select_related("lens", "created_by"), pk=milestone_pk, review=review
        )
        state = state_of(review, milestone)
        data = s.MilestoneSerializer(milestone).data
        data["counts"] = s.counts_dict(state.counts)
        data["answers"] = [answer_data(q) for q in state.questions]
        return Response(data)
