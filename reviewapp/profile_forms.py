"""The forms of profiles and review templates: picking a profile, answering it, naming a template."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from questions.models import Profile, ProfileQuestion
from questions.profiles import ProfileAnswers, answers_problems

from .models import ReviewTemplate


class ProfilePickForm(forms.Form):
    """Which profile's questions to show (a GET form: the choice is saved only with the answers)."""

    profile = forms.ModelChoiceField(label=_("Profile"), queryset=Profile.objects.none(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = Profile.objects.current()
        self.fields["profile"].label_from_instance = lambda p: (
            _("%(name)s (version %(version)d)")
            % {
                "name": p.name,
                "version": p.version,
            }
        )


def _field_name(question: ProfileQuestion) -> str:
    return f"q_{question.key}"


class ProfileAnswersForm(forms.Form):
    """One field per profile question: a radio list, or checkboxes where several answers are allowed."""

    profile = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, profile: Profile, questions: list[ProfileQuestion], answers: ProfileAnswers, **kwargs):
        kwargs.setdefault("initial", {})["profile"] = profile.pk
        super().__init__(*args, **kwargs)
        self.profile_obj, self.questions = profile, questions
        for question in questions:
            choices = [(choice.key, choice.title) for choice in question.choices.all()]
            chosen = answers.get(question.key, [])
            if question.multiple:
                field = forms.MultipleChoiceField(
                    widget=forms.CheckboxSelectMultiple, choices=choices, required=False, initial=chosen
                )
            else:
                field = forms.ChoiceField(
                    widget=forms.RadioSelect, choices=choices, required=False, initial=chosen[0] if chosen else None
                )
            field.label, field.help_text = question.title, question.description
            self.fields[_field_name(question)] = field

    def clean_profile(self):
        if self.cleaned_data["profile"] != self.profile_obj.pk:
            raise ValidationError(_("The profile changed while you answered: answer it again."), code="stale")
        return self.cleaned_data["profile"]

    def answers(self) -> ProfileAnswers:
        """The answers given, ``{question id: [choice ids]}`` (questions left unanswered are left out)."""
        answers: ProfileAnswers = {}
        for question in self.questions:
            value = self.cleaned_data.get(_field_name(question))
            chosen = value if isinstance(value, list) else ([value] if value else [])
            if chosen:
                answers[question.key] = chosen
        return answers

    def clean(self):
        data = super().clean()
        if not self.errors:
            for problem in answers_problems(self.profile_obj, self.answers(), questions=self.questions):
                self.add_error(None, ValidationError(problem, code="invalid_answers"))
        return data


class TemplateForm(forms.ModelForm):
    """A template's name and description (its answers come from a review, or the API), and, when editing,
    which of its pre-filled answers to leave out from now on."""

    remove = forms.MultipleChoiceField(
        label=_("Leave out these answers"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ReviewTemplate
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, answered: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if answered:
            self.fields["remove"].choices = answered
        else:
            del self.fields["remove"]
