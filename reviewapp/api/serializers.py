"""What the API shows and takes. Writes go through the same checks and services as the pages."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from questions.models import Choice, Lens, Pillar, Question

from ..answer_state import EMPTY, AnswerState, ChoiceNA, answer_problems, notes_text
from ..models import (
    CHOICE_NOTES_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    Answer,
    ImprovementItem,
    Invitation,
    Membership,
    Milestone,
    Review,
    ReviewSession,
    Role,
    TrackerConnection,
    Workload,
)
from ..models.sessions import COMMENT_MAX_LENGTH
from ..risk import RiskCounts
from ..sessions.running import remaining_seconds


def counts_dict(counts: RiskCounts) -> dict[str, int]:
    return {**counts.by_risk(), "answered": counts.answered, "total": counts.total}


class RiskCountsSerializer(serializers.Serializer):
    high = serializers.IntegerField()
    medium = serializers.IntegerField()
    none = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    unanswered = serializers.IntegerField()
    answered = serializers.IntegerField()
    total = serializers.IntegerField()


class ChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = [
            "key",
            "title",
            "description",
            "tier",
            "is_none",
            "helpful_resource",
            "helpful_resource_url",
            "improvement_plan",
            "improvement_plan_url",
            "additional_resources",
        ]


class RiskRuleSerializer(serializers.Serializer):
    condition = serializers.CharField()
    risk = serializers.CharField()


class QuestionSerializer(serializers.ModelSerializer):
    choices = ChoiceSerializer(many=True)
    risk_rules = RiskRuleSerializer(many=True)

    class Meta:
        model = Question
        fields = [
            "key",
            "label",
            "title",
            "description",
            "helpful_resource",
            "helpful_resource_url",
            "choices",
            "risk_rules",
        ]


class PillarSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True)

    class Meta:
        model = Pillar
        fields = ["key", "short_label", "name", "questions"]


class LensSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lens
        fields = ["id", "slug", "version", "name", "description", "status"]


class LensDetailSerializer(LensSerializer):
    pillars = PillarSerializer(many=True)

    class Meta(LensSerializer.Meta):
        fields = [*LensSerializer.Meta.fields, "pillars"]


class WorkloadSerializer(serializers.ModelSerializer):
    regions = serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=50)
    role = serializers.SerializerMethodField(help_text="Your role on this workload.")
    reviews = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    lenses = serializers.PrimaryKeyRelatedField(
        many=True,
        write_only=True,
        required=False,
        queryset=Lens.objects.published(),
        help_text="On create: start a review for each of these lenses.",
    )

    class Meta:
        model = Workload
        fields = [
            "id",
            "name",
            "description",
            "environment",
            "regions",
            "review_owner",
            "industry",
            "architecture_diagram_url",
            "notes",
            "role",
            "reviews",
            "lenses",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_lenses(self, lenses: list[Lens]) -> list[Lens]:
        if len({lens.pk for lens in lenses}) != len(lenses):
            raise serializers.ValidationError(_("A lens is named twice; a workload has one review per lens."))
        return lenses

    def get_role(self, workload) -> str | None:
        if self.context.get("staff"):
            return Role.OWNER
        return self.context.get("roles", {}).get(workload.pk)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]
        read_only_fields = ["created_at"]


class ReviewSerializer(serializers.ModelSerializer):
    lens = LensSerializer(read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "workload", "lens", "revision", "counts", "created_at", "updated_at"]

    def get_counts(self, review) -> RiskCountsSerializer:
        return counts_dict(RiskCounts.annotated(review))


class ChoiceNASerializer(serializers.Serializer):
    """A best practice that does not apply to the workload (AWS ``ChoiceUpdates`` with status NOT_APPLICABLE).

    Neither followed nor missing: the risk rules count it as satisfied, and it gets no improvement item."""

    choice = serializers.CharField(max_length=100, help_text="The choice's id, e.g. ops_ops_q1_a2.")
    reason = serializers.ChoiceField(choices=Answer.ChoiceReason.choices, default=Answer.ChoiceReason.NONE)
    notes = serializers.CharField(
        allow_blank=True, max_length=CHOICE_NOTES_MAX_LENGTH, required=False, default="", trim_whitespace=False
    )

    def validate_notes(self, value: str) -> str:
        return notes_text(value)


class AnswerSerializer(serializers.Serializer):
    """One question's answer. On update give `version` (or an If-Match header): a stale one is refused with 409."""

    question = serializers.CharField(read_only=True, help_text="The question's stable id, e.g. ops_q1.")
    label = serializers.CharField(read_only=True)
    pillar = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    selected_choices = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=100, required=False
    )
    not_applicable_choices = serializers.ListField(
        child=ChoiceNASerializer(),
        max_length=100,
        required=False,
        help_text="Best practices that do not apply, each with a reason and a note; "
        "a practice cannot be selected and not applicable at once.",
    )
    is_applicable = serializers.BooleanField(required=False)
    reason = serializers.CharField(allow_blank=True, max_length=32, required=False)
    notes = serializers.CharField(allow_blank=True, max_length=NOTES_MAX_LENGTH, required=False, trim_whitespace=False)
    risk = serializers.CharField(read_only=True)
    version = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    updated_by = serializers.CharField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    # The API's public names of the answer's fields, where they differ from ``AnswerState``'s.
    FIELD_NAMES = {"choices": "selected_choices", "applicable": "is_applicable", "choice_na": "not_applicable_choices"}

    def validate_not_applicable_choices(self, value: list[dict]) -> list[dict]:
        # A partial update makes the entries' fields optional too (DRF passes ``partial`` down): each
        # entry still names its choice, and what it leaves out takes the defaults.
        if any("choice" not in entry for entry in value):
            raise serializers.ValidationError(
                _("Each practice that does not apply needs its “choice”."), code="required"
            )
        value = [
            {"choice": e["choice"], "reason": e.get("reason", Answer.ChoiceReason.NONE), "notes": e.get("notes", "")}
            for e in value
        ]
        keys = [entry["choice"] for entry in value]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise serializers.ValidationError(
                _("“%(value)s” is listed more than once.") % {"value": repeated[0]}, code="duplicate_choice"
            )
        return value

    def validate_notes(self, value: str) -> str:
        return notes_text(value)

    def validate(self, attrs: dict) -> dict:
        """The answer as an ``AnswerState`` (``attrs["state"]``), checked as the page's form checks it.

        The context gives the question (``item``) and, for a partial update, the answer it
        changes (``current``): what the body leaves out stays as it is (a practice marked as not
        applying that the body now selects is followed instead); a full update starts empty.
        """
        base = self.context.get("current", EMPTY) if self.partial else EMPTY
        choices = frozenset(attrs.get("selected_choices", base.choices))
        state = AnswerState(
            choices=choices,
            applicable=attrs.get("is_applicable", base.applicable),
            reason=attrs.get("reason", base.reason),
            notes=attrs.get("notes", base.notes),
            choice_na=(
                [
                    ChoiceNA(key=e["choice"], reason=e["reason"], notes=e["notes"])
                    for e in attrs["not_applicable_choices"]
                ]
                if "not_applicable_choices" in attrs
                # Left out of a partial update: kept, but for the practices now selected (followed, so they apply).
                else [entry for entry in base.choice_na if entry.key not in choices]
            ),
        )
        details: dict[str, list[str]] = {}
        for problem in answer_problems(item=self.context["item"], state=state):
            for field, errors in problem.error_dict.items():
                name = self.FIELD_NAMES.get(field, field)
                details.setdefault(name, []).extend(message for error in errors for message in error.messages)
        if details:
            raise serializers.ValidationError(details)
        return {**attrs, "state": state}


class AnswerConflictSerializer(serializers.Serializer):
    error = serializers.CharField()
    current = AnswerSerializer()


class PillarSummarySerializer(serializers.Serializer):
    key = serializers.CharField()
    short_label = serializers.CharField()
    name = serializers.CharField()
    counts = RiskCountsSerializer()


class ReviewSummarySerializer(serializers.Serializer):
    review = serializers.IntegerField()
    revision = serializers.IntegerField()
    counts = RiskCountsSerializer()
    pillars = PillarSummarySerializer(many=True)


class TrackerIssueSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The issue's number (GitHub, GitLab) or key (Jira); empty until created.")
    url = serializers.CharField()
    state = serializers.CharField(help_text="open or closed, as last seen in the tracker.")
    synced_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_null=True, help_text="Why the last sync failed, as a code.")
    error_message = serializers.CharField(help_text="The same in words, saying what to do.")


class ImprovementItemSerializer(serializers.Serializer):
    choice = serializers.CharField(read_only=True, help_text="The missing best practice's id.")
    title = serializers.CharField(read_only=True)
    tier = serializers.CharField(read_only=True)
    improvement_plan = serializers.CharField(read_only=True)
    improvement_plan_url = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=ImprovementItem.Status.choices)
    owner = serializers.CharField(allow_null=True, required=False, max_length=150, help_text="Username of a member.")
    due_date = serializers.DateField(allow_null=True, required=False)
    note = serializers.CharField(allow_blank=True, max_length=2000, required=False)
    tracker_issue = TrackerIssueSerializer(
        read_only=True, allow_null=True, help_text="The item's issue in the workload's tracker, if any."
    )


class TrackerConnectionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    error = serializers.CharField(source="last_error", allow_null=True)
    error_message = serializers.CharField(read_only=True, default="")
    linked_issues = serializers.IntegerField(read_only=True, default=0, help_text="Items linked to an issue.")

    class Meta:
        model = TrackerConnection
        fields = [
            "kind",
            "base_url",
            "project",
            "username",
            "risks",
            "created_by",
            "created_at",
            "last_synced_at",
            "retry_at",
            "error",
            "error_message",
            "linked_issues",
        ]


class TrackerSyncSerializer(serializers.Serializer):
    queued = serializers.BooleanField()


class PlanQuestionSerializer(serializers.Serializer):
    question = serializers.CharField()
    label = serializers.CharField()
    pillar = serializers.CharField()
    title = serializers.CharField()
    risk = serializers.CharField()
    items = ImprovementItemSerializer(many=True)


class MilestoneSerializer(serializers.ModelSerializer):
    lens = LensSerializer(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = Milestone
        fields = ["id", "name", "lens", "review_revision", "created_by", "created_at"]
        read_only_fields = ["review_revision", "created_at"]


class MilestoneDetailSerializer(MilestoneSerializer):
    answers = AnswerSerializer(many=True, read_only=True)
    counts = RiskCountsSerializer(read_only=True)

    class Meta(MilestoneSerializer.Meta):
        fields = [*MilestoneSerializer.Meta.fields, "counts", "answers"]


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation to a workload. ``url`` (the link itself) is in the answer to its creation only."""

    role = serializers.ChoiceField(choices=Role.choices)
    valid_days = serializers.IntegerField(
        write_only=True, min_value=1, max_value=30, default=7, help_text="How many days the link works."
    )
    state = serializers.ChoiceField(choices=Invitation.State.choices, read_only=True)
    accepted_by = serializers.CharField(source="accepted_by.username", read_only=True, allow_null=True, default=None)
    url = serializers.SerializerMethodField(help_text="The invitation link: returned once, when it is created.")

    class Meta:
        model = Invitation
        fields = ["id", "role", "valid_days", "state", "created_at", "expires_at", "accepted_by", "url"]
        read_only_fields = ["created_at", "expires_at"]

    def get_url(self, invitation) -> str | None:
        return self.context.get("urls", {}).get(invitation.pk)


class AgendaItemSerializer(serializers.Serializer):
    target = serializers.RegexField(
        r"^(pillar|question):[A-Za-z0-9_\-]{1,128}\Z",
        source="target_key",
        help_text="`pillar:<key>` or `question:<key>` of the lens.",
    )
    minutes = serializers.IntegerField(min_value=1, max_value=480)


class ReviewSessionSerializer(serializers.ModelSerializer):
    """A review session: its plan, and its state while it runs (``remaining``: seconds left on the item)."""

    facilitator = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.none())
    expected = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.none(), many=True, required=False
    )
    agenda = AgendaItemSerializer(many=True)
    status = serializers.CharField(read_only=True)
    remaining = serializers.SerializerMethodField()

    class Meta:
        model = ReviewSession
        fields = [
            "id",
            "title",
            "planned_start",
            "facilitator",
            "expected",
            "agenda",
            "status",
            "current_index",
            "remaining",
            "deadline",
            "started_at",
            "ended_at",
        ]
        read_only_fields = ["current_index", "deadline", "started_at", "ended_at"]

    def __init__(self, *args, workload=None, **kwargs):
        super().__init__(*args, **kwargs)
        members = workload.members() if workload is not None else get_user_model().objects.none()
        self.fields["facilitator"].queryset = members
        self.fields["expected"].child_relation.queryset = members

    def get_remaining(self, session) -> int:
        return remaining_seconds(session, timezone.now())


class SessionStepSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["start", "pause", "resume", "extend", "next", "end", "reopen"])
    minutes = serializers.IntegerField(min_value=1, max_value=120, required=False, help_text="For `extend`.")


class MinutesAttendeeSerializer(serializers.Serializer):
    username = serializers.CharField()
    expected = serializers.BooleanField()
    joined_at = serializers.DateTimeField(allow_null=True)
    left_at = serializers.DateTimeField(allow_null=True)
    seconds = serializers.IntegerField()
    corrected = serializers.BooleanField()


class MinutesAgendaSerializer(serializers.Serializer):
    target = serializers.CharField()
    label = serializers.CharField()
    planned_minutes = serializers.IntegerField()
    actual_seconds = serializers.IntegerField()


class MinutesChangeSerializer(serializers.Serializer):
    question = serializers.CharField()
    label = serializers.CharField()
    title = serializers.CharField()
    version = serializers.IntegerField()
    who = serializers.CharField()
    at = serializers.DateTimeField()
    risk_before = serializers.CharField()
    risk_after = serializers.CharField()
    added = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
    applicable_before = serializers.BooleanField()
    applicable_after = serializers.BooleanField()
    notes_changed = serializers.BooleanField()
    restored_from = serializers.IntegerField(allow_null=True)
    na_marked = serializers.ListField(
        child=serializers.CharField(), help_text="Practices this change marked as not applying."
    )
    na_cleared = serializers.ListField(child=serializers.CharField(), help_text="Practices that apply again.")


class MinutesPillarSerializer(serializers.Serializer):
    pillar = serializers.CharField()
    name = serializers.CharField()
    high_before = serializers.IntegerField()
    medium_before = serializers.IntegerField()
    high_after = serializers.IntegerField()
    medium_after = serializers.IntegerField()


class MinutesQuestionSerializer(serializers.Serializer):
    question = serializers.CharField()
    label = serializers.CharField()
    title = serializers.CharField()


class MinutesParkingSerializer(serializers.Serializer):
    text = serializers.CharField()
    question = serializers.CharField()
    raised_by = serializers.CharField()
    owner = serializers.CharField()


class MinutesCommentSerializer(serializers.Serializer):
    question = serializers.CharField()
    author = serializers.CharField()
    text = serializers.CharField(help_text="Markdown, as written.")
    at = serializers.DateTimeField()
    mentions = serializers.ListField(child=serializers.CharField())


class MinutesEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField()


class MinutesSerializer(serializers.Serializer):
    """A session's minutes (what ``sessions.minutes.Minutes.as_json`` gives)."""

    title = serializers.CharField()
    status = serializers.CharField()
    facilitator = serializers.CharField()
    planned_start = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    attendees = MinutesAttendeeSerializer(many=True)
    agenda = MinutesAgendaSerializer(many=True)
    changes = MinutesChangeSerializer(many=True)
    risks = MinutesPillarSerializer(many=True)
    discussed = MinutesQuestionSerializer(many=True)
    deferred = MinutesQuestionSerializer(many=True)
    needs_evidence = MinutesQuestionSerializer(many=True)
    parking = MinutesParkingSerializer(many=True)
    comments = MinutesCommentSerializer(many=True)
    events = MinutesEventSerializer(many=True)


class CommentSerializer(serializers.Serializer):
    """A comment on a question (Markdown). ``mentions``: the members named ``@username`` in it."""

    id = serializers.IntegerField(read_only=True)
    question = serializers.CharField(source="question.key", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True, default=None)
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH, trim_whitespace=False)
    mentions = serializers.SerializerMethodField()
    session = serializers.IntegerField(source="session_id", read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    edited_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_mentions(self, comment) -> list[str]:
        return [user.get_username() for user in comment.mentions.all()]
