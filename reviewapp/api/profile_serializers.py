"""What the API shows and takes of profiles, a workload's profile, and review templates."""

from rest_framework import serializers

from questions.models import Lens, Profile, ProfileChoice, ProfileQuestion

from ..answer_state import NO_CHOICE_REASON, AnswerState, ChoiceNA, notes_text
from ..models import NOTES_MAX_LENGTH, ReviewTemplate, Workload
from ..review_templates import current_lens, template_states
from .serializers import ChoiceNASerializer, LensSerializer


class ProfileChoiceSerializer(serializers.ModelSerializer):
    prioritises = serializers.ListField(
        child=serializers.CharField(), help_text="Ids of the lens questions this answer prioritises."
    )

    class Meta:
        model = ProfileChoice
        fields = ["key", "title", "prioritises"]


class ProfileQuestionSerializer(serializers.ModelSerializer):
    choices = ProfileChoiceSerializer(many=True)

    class Meta:
        model = ProfileQuestion
        fields = ["key", "title", "description", "multiple", "choices"]


class ProfileSerializer(serializers.ModelSerializer):
    lens = serializers.CharField(source="lens_slug", help_text="Slug of the lens whose questions it prioritises.")

    class Meta:
        model = Profile
        fields = ["id", "slug", "version", "lens", "name", "description", "status"]


class ProfileDetailSerializer(ProfileSerializer):
    questions = ProfileQuestionSerializer(many=True)

    class Meta(ProfileSerializer.Meta):
        fields = [*ProfileSerializer.Meta.fields, "questions"]


class WorkloadProfileSerializer(serializers.Serializer):
    """A workload's profile and the answers given: ``{profile question id: [choice ids]}``."""

    profile = serializers.PrimaryKeyRelatedField(
        queryset=Profile.objects.all(), allow_null=True, help_text="A published profile's id, or null for none."
    )
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=64), max_length=50),
        required=False,
        default=dict,
    )
    prioritised_questions = serializers.ListField(child=serializers.CharField(), read_only=True)
    newer_version = serializers.IntegerField(read_only=True, allow_null=True)


class WorkloadProfileUpgradeSerializer(serializers.Serializer):
    profile = ProfileSerializer()
    milestones = serializers.ListField(child=serializers.IntegerField(), help_text="The milestones taken first.")
    dropped = serializers.ListField(child=serializers.CharField(), help_text="Profile questions asked again.")


class TemplateAnswerSerializer(serializers.Serializer):
    """A pre-filled answer, with the names the answers API uses."""

    selected_choices = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=100, required=False, default=list
    )
    not_applicable_choices = serializers.ListField(
        child=ChoiceNASerializer(), max_length=100, required=False, default=list
    )
    is_applicable = serializers.BooleanField(required=False, default=True)
    reason = serializers.CharField(allow_blank=True, max_length=32, required=False, default="")
    notes = serializers.CharField(
        allow_blank=True, max_length=NOTES_MAX_LENGTH, required=False, default="", trim_whitespace=False
    )

    def validate_notes(self, value: str) -> str:
        return notes_text(value)

    @staticmethod
    def state_of(data: dict) -> AnswerState:
        return AnswerState(
            choices=frozenset(data.get("selected_choices", ())),
            applicable=data.get("is_applicable", True),
            reason=data.get("reason", ""),
            notes=data.get("notes", ""),
            choice_na=[  # in a partial update DRF leaves an entry's defaults out: taken here
                ChoiceNA(key=e.get("choice", ""), reason=e.get("reason", NO_CHOICE_REASON), notes=e.get("notes", ""))
                for e in data.get("not_applicable_choices", ())
            ],
        )

    @staticmethod
    def data_of(state: AnswerState) -> dict:
        return {
            "selected_choices": sorted(state.choices),
            "not_applicable_choices": [
                {"choice": e.key, "reason": e.reason, "notes": e.notes} for e in state.choice_na
            ],
            "is_applicable": state.applicable,
            "reason": state.reason,
            "notes": state.notes,
        }


class TemplateAnswersField(serializers.DictField):
    """The template's answers by question id: read from its rows, written as a whole."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, value):
        return {key: TemplateAnswerSerializer.data_of(state) for key, state in template_states(value).items()}


class ReviewTemplateSerializer(serializers.ModelSerializer):
    """A review template: pre-filled answers by question id for one lens version. Only its owner sees it."""

    lens = serializers.PrimaryKeyRelatedField(
        queryset=Lens.objects.without_drafts(), help_text="The lens version's id (as in /api/v1/lenses/)."
    )
    lens_detail = LensSerializer(source="lens", read_only=True)
    lens_current = serializers.SerializerMethodField(help_text="False when a newer version of the lens is published.")
    owner = serializers.CharField(source="owner.username", read_only=True)
    answers = TemplateAnswersField(child=TemplateAnswerSerializer(), required=False)

    class Meta:
        model = ReviewTemplate
        fields = [
            "id",
            "name",
            "description",
            "lens",
            "lens_detail",
            "lens_current",
            "owner",
            "answers",
            "created_at",
            "updated_at",
        ]

    def get_lens_current(self, template) -> bool:
        return current_lens(template) is None


class ReviewCreateSerializer(serializers.Serializer):
    workload = serializers.PrimaryKeyRelatedField(queryset=Workload.objects.all())
    lens = serializers.PrimaryKeyRelatedField(queryset=Lens.objects.published())
    template = serializers.PrimaryKeyRelatedField(
        queryset=ReviewTemplate.objects.all(),
        required=False,
        allow_null=True,
        help_text="One of your review templates on this lens version: its answers are applied.",
    )
