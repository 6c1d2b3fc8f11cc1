"""The REST API under /api/v1/. Each view: access-scoped fetch, a serializer or form, one service call."""

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from questions.interchange import LensImportError, lens_from_aws, lens_to_aws
from questions.models import Choice, Lens, Question, RiskRule

from ..access import get_review_for_user, get_workload_for_user
from ..answers import AnswerConflict, answer_save
from ..aws_answers import AnswerImportError, answers_from_aws
from ..bank import load_bank
from ..forms import AnswerForm, ImprovementItemForm, PlanFilterForm, workload_members
from ..improvements import improvement_plan, improvement_update
from ..milestones import MilestoneError, milestone_create
from ..models import Membership, Milestone, Review, Role, Workload
from ..progress import QuestionState, milestone_records, review_state
from ..views import exports
from ..workloads import SharingError, membership_remove, membership_set, workload_create
from . import serializers as s


def _writing(request) -> bool:
    return request.method not in SAFE_METHODS


def answer_data(q: QuestionState) -> dict:
    return {
        "question": q.item.key,
        "label": q.question.label,
        "pillar": q.item.pillar.key,
        "title": q.question.title,
        "selected_choices": [c.key for c in q.selected_choices],
        "is_applicable": q.answer.is_applicable,
        "reason": q.answer.reason,
        "notes": q.answer.notes,
        "risk": q.risk,
        "version": q.answer.version,
        "updated_by": q.answer.updated_by,
        "updated_at": q.answer.updated_at,
    }


# --- Lenses ---------------------------------------------------------------------------------------


class LensList(generics.ListAPIView):
    """Lenses that reviews can use (published and retired; drafts for staff)."""

    serializer_class = s.LensSerializer

    def get_queryset(self):
        lenses = Lens.objects.order_by("slug", "version", "pk")
        return lenses if self.request.user.is_staff else lenses.exclude(status=Lens.Status.DRAFT)


class LensDetail(generics.RetrieveAPIView):
    """A lens with its pillars, questions, choices and risk rules."""

    serializer_class = s.LensDetailSerializer

    def get_queryset(self):
        questions = Question.objects.order_by("order", "pk").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")),
            Prefetch("risk_rules", queryset=RiskRule.objects.order_by("order", "pk")),
        )
        lenses = Lens.objects.prefetch_related(Prefetch("pillars__questions", queryset=questions))
        return lenses if self.request.user.is_staff else lenses.exclude(status=Lens.Status.DRAFT)


# --- Workloads and members ------------------------------------------------------------------------


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
        workload, role = get_workload_for_user(self.request, self.kwargs["pk"], write=_writing(self.request))
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
        workload, _role = get_workload_for_user(self.request, self.kwargs["pk"], owner=_writing(self.request))
        return workload.memberships.select_related("user").order_by("user__username", "pk")

    def create(self, request, *args, **kwargs):
        workload, _role = get_workload_for_user(request, self.kwargs["pk"], owner=True)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            membership = membership_set(
                workload=workload,
                username=serializer.validated_data["user"]["username"],
                role=serializer.validated_data["role"],
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


# --- Reviews, answers, summaries -------------------------------------------------------------------


class ReviewList(generics.ListAPIView):
    """Reviews of the workloads you can see."""

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
        workload = self.request.query_params.get("workload", "")
        if workload:
            if not workload.isdigit() or len(workload) > 18:
                raise ValidationError({"workload": [_("Give a workload id (a number).")]})
            reviews = reviews.filter(workload_id=int(workload))
        lens = self.request.query_params.get("lens", "").replace("\x00", "")
        return reviews.filter(lens__slug=lens) if lens else reviews


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
                ],  # fmt: skip
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
            answer_data(q) for q in state.questions
            if (not pillar or q.item.pillar.key == pillar) and (not risk or q.risk == risk)
        ]  # fmt: skip
        return Response(answers)


class AnswerDetail(APIView):
    """One answer. Updates need the version you read (field `version` or header If-Match: "<version>")."""

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

    @extend_schema(request=s.AnswerSerializer, responses={200: s.AnswerSerializer, 409: s.AnswerConflictSerializer})
    def put(self, request, pk: int, key: str):
        return self._update(request, pk, key, partial=False)

    @extend_schema(request=s.AnswerSerializer, responses={200: s.AnswerSerializer, 409: s.AnswerConflictSerializer})
    def patch(self, request, pk: int, key: str):
        return self._update(request, pk, key, partial=True)

    def _update(self, request, pk: int, key: str, *, partial: bool) -> Response:
        review, _role = get_review_for_user(request, pk, write=True)
        state, current = self._current(review, key)
        serializer = s.AnswerSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expected = data.get("version", _if_match(request))
        if expected is None:
            raise ValidationError(
                {"version": [_("Give the version you read (field “version” or an If-Match header).")]}
            )
        merged = {
            "selected_choices": data.get("selected_choices", [] if not partial else list(current.selected_keys)),
            "is_applicable": data.get("is_applicable", True if not partial else current.answer.is_applicable),
            "reason": data.get("reason", "" if not partial else current.answer.reason),
            "notes": data.get("notes", "" if not partial else current.answer.notes),
        }
        form = AnswerForm(
            {
                "question": key, "choices": merged["selected_choices"],
                "not_applicable": "on" if not merged["is_applicable"] else "",
                "reason": merged["reason"], "notes": merged["notes"],
            },
            bank=state.bank,
        )  # fmt: skip
        if not form.is_valid():
            raise ValidationError({_field(k): v for k, v in form.errors.items()})
        try:
            answer_save(
                review=review, item=form.item, user=request.user, selected_keys=form.cleaned_data["selected_keys"],
                is_applicable=not form.cleaned_data["not_applicable"], reason=form.cleaned_data["reason"],
                notes=form.cleaned_data["notes"], expected_version=expected,
            )  # fmt: skip
        except AnswerConflict:
            _state, latest = self._current(review, key)
            response = self._respond(latest, status.HTTP_409_CONFLICT)
            response.data = {
                "error": _("The answer changed since version %(version)s; here is the current one.")
                % {"version": expected},
                "current": answer_data(latest),
            }
            return response
        return self._respond(self._current(review, key)[1])


def _field(name: str) -> str:
    return {"choices": "selected_choices", "not_applicable": "is_applicable"}.get(name, name)


def _if_match(request) -> int | None:
    value = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise ValidationError({"If-Match": [_('Give the answer\'s ETag, e.g. "3".')]})
    return int(value)


# --- Improvement plan ------------------------------------------------------------------------------


class ImprovementPlan(APIView):
    """Questions at high or medium risk with the practices they lack and their tracking items."""

    @extend_schema(
        responses=s.PlanQuestionSerializer(many=True),
        parameters=[
            OpenApiParameter("pillar", str), OpenApiParameter("risk", str, enum=["HIGH_RISK", "MEDIUM_RISK"]),
            OpenApiParameter("status", str, enum=["open", "in_progress", "done", "wont_do"]),
            OpenApiParameter("owner", int, description="User id of a member."),
        ],
    )  # fmt: skip
    def get(self, request, pk: int):
        review, _role = get_review_for_user(request, pk)
        state = review_state(review)
        form = PlanFilterForm(request.query_params, bank=state.bank, workload=review.workload)
        if request.query_params and not form.is_valid():
            raise ValidationError(form.errors)
        plan = improvement_plan(state, form.filters())
        return Response([
            {
                "question": entry.state.item.key, "label": entry.state.question.label,
                "pillar": entry.state.item.pillar.key, "title": entry.state.question.title, "risk": entry.risk,
                "items": [_item_data(p.choice, p.item) for p in entry.practices],
            }
            for entry in plan
        ])  # fmt: skip


def _item_data(choice, item) -> dict:
    return {
        "choice": choice.key, "title": choice.title, "tier": choice.tier,
        "improvement_plan": choice.improvement_plan, "improvement_plan_url": choice.improvement_plan_url,
        "status": item.status if item else "open",
        "owner": item.owner.get_username() if item and item.owner else None,
        "due_date": item.due_date if item else None, "note": item.note if item else "",
    }  # fmt: skip


class ImprovementItemDetail(APIView):
    """Track one missing best practice: status, owner (a member's username), due date, note."""

    @extend_schema(request=s.ImprovementItemSerializer, responses=s.ImprovementItemSerializer)
    def patch(self, request, pk: int, key: str):
        review, _role = get_review_for_user(request, pk, write=True)
        bank = load_bank(review.lens)
        choice = next((c for q in bank.questions for c in q.choices if c.key == key and not c.is_none), None)
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
        return Response(_item_data(choice, item))


# --- Milestones ----------------------------------------------------------------------------------------


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
            raise ValidationError({"name": [str(exc)]}) from None
        return Response(self.get_serializer(milestone).data, status=status.HTTP_201_CREATED)


class MilestoneDetail(APIView):
    """A milestone with every answer as it was frozen."""

    @extend_schema(responses=s.MilestoneDetailSerializer)
    def get(self, request, pk: int, milestone_pk: int):
        review, _role = get_review_for_user(request, pk)
        milestone = get_object_or_404(
            Milestone.objects.select_related("lens", "created_by"), pk=milestone_pk, review=review
        )
        state = review_state(review, load_bank(milestone.lens), milestone_records(milestone))
        data = s.MilestoneSerializer(milestone).data
        data["counts"] = s.counts_dict(state.counts)
        data["answers"] = [answer_data(q) for q in state.questions]
        return Response(data)


# --- Exports ---------------------------------------------------------------------------------------


class AnswersExport(APIView):
    """A review's answers (or a milestone's, with ?milestone=ID) as CSV (UTF-8 with BOM) or JSON."""

    @extend_schema(
        parameters=[OpenApiParameter("milestone", int, description="Export this milestone instead of now.")],
        responses={(200, "text/csv"): str, (200, "application/json"): dict},
    )
    def get(self, request, pk: int, fmt: str):
        milestone = request.query_params.get("milestone", "")
        if milestone and (not milestone.isdigit() or len(milestone) > 18):
            raise ValidationError({"milestone": [_("Give a milestone id (a number).")]})
        return exports.answers_export(request, pk, fmt, int(milestone) if milestone else None)


class ConsolidatedExport(APIView):
    """Risk counts per workload and pillar, for every workload you can see reviewed against the lens."""

    @extend_schema(responses={(200, "text/csv"): str, (200, "application/json"): dict})
    def get(self, request, slug: str, fmt: str):
        return exports.consolidated_export(request, slug, fmt)


# --- AWS interchange ---------------------------------------------------------------------------------


class LanguageQuery(serializers.Serializer):
    language = serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES])


class LensAwsExport(APIView):
    """The lens in the AWS Well-Architected custom lens format, in one language."""

    @extend_schema(parameters=[LanguageQuery], responses={200: dict})
    def get(self, request, pk: int):
        query = LanguageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lenses = Lens.objects.all() if request.user.is_staff else Lens.objects.exclude(status=Lens.Status.DRAFT)
        lens = get_object_or_404(lenses, pk=pk)
        return Response(lens_to_aws(lens, language=query.validated_data["language"]))


class LensAwsImport(APIView):
    """Import an AWS custom lens file (the JSON document as the request body) as a draft lens.

    Query: language (required), slug and version (optional). Bank editors only. All or
    nothing: a bad file answers 400 with every problem and its place.
    """

    @extend_schema(
        request=dict,
        parameters=[LanguageQuery, OpenApiParameter("slug", str), OpenApiParameter("version", str)],
        responses={201: s.LensSerializer},
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
                dict(request.data), language=query.validated_data["language"],
                slug=request.query_params.get("slug") or None, version=request.query_params.get("version") or None,
            )  # fmt: skip
        except LensImportError as exc:
            return Response({"error": exc.messages[0] if len(exc.messages) == 1 else _("The lens file has %(n)d problems.") % {"n": len(exc.messages)},
                             "problems": exc.messages}, status=status.HTTP_400_BAD_REQUEST)  # fmt: skip
        return Response(s.LensSerializer(lens).data, status=status.HTTP_201_CREATED)


class AnswersAwsImport(APIView):
    """Import answers exported from the AWS Well-Architected Tool API (ListAnswers / GetAnswer JSON)."""

    @extend_schema(request=dict, responses={200: dict})
    def post(self, request, pk: int):
        review, _role = get_review_for_user(request, pk, write=True)
        try:
            summary = answers_from_aws(review=review, data=request.data, user=request.user)
        except AnswerImportError as exc:
            return Response({"error": exc.messages[0] if len(exc.messages) == 1 else _("The answers file has %(n)d problems.") % {"n": len(exc.messages)},
                             "problems": exc.messages}, status=status.HTTP_400_BAD_REQUEST)  # fmt: skip
        return Response({"updated": summary.updated, "unchanged": summary.unchanged,
                         "risks": summary.risks, "warnings": summary.warnings})  # fmt: skip
