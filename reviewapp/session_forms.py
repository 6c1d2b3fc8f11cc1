"""Forms of review sessions: the plan (with its agenda rows), the clock, attendance, discussion, parking."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .bank import Bank
from .models import DiscussionState, Workload
from .models.sessions import COMMENT_MAX_LENGTH, PARKING_MAX_LENGTH, TITLE_MAX_LENGTH
from .sessions.planning import MAX_ITEMS, MAX_MINUTES, AgendaEntry

AGENDA_ROWS_FREE = 4  # empty agenda rows offered below the filled ones


def agenda_choices(bank: Bank) -> list:
    """Each pillar, then its questions, as the agenda's select offers them."""
    choices: list = [("", "—")]
    for pillar in bank.pillars:
        group = [(f"pillar:{pillar.key}", f"{pillar.short_label} · {pillar.name} ({_('whole pillar')})")]
        group += [
            (f"question:{q.key}", f"{q.question.label} {q.question.title}")
            for q in bank.questions
            if q.pillar.pk == pillar.pk
        ]
        choices.append((pillar.name, group))
    return choices


class SessionPlanForm(forms.Form):
    """A session's title, time, facilitator and expected attendees; the agenda comes as parallel rows."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    planned_start = forms.DateTimeField(
        label=_("Planned start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    facilitator = forms.ModelChoiceField(
        label=_("Facilitator"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose a member of this workload to facilitate.")},
    )
    expected = forms.ModelMultipleChoiceField(
        label=_("Expected attendees"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Expected attendees must be members of this workload.")},
    )

    def __init__(self, *args, workload: Workload, bank: Bank, agenda: list[AgendaEntry] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        members = workload.members()
        self.fields["facilitator"].queryset = members
        self.fields["expected"].queryset = members
        self.target_choices = agenda_choices(bank)
        self.initial_agenda = agenda or []

    def agenda_rows(self) -> list[tuple[str, str]]:
        """(target, minutes) rows to show: what was sent (or planned), then a few empty ones."""
        if self.is_bound:
            rows = list(zip(self.data.getlist("target"), self.data.getlist("minutes"), strict=False))
        else:
            rows = [(entry.target, str(entry.minutes)) for entry in self.initial_agenda]
        return [*rows, *[("", "")] * AGENDA_ROWS_FREE][: MAX_ITEMS + AGENDA_ROWS_FREE]

    def clean(self):
        cleaned = super().clean()
        targets, minutes = self.data.getlist("target"), self.data.getlist("minutes")
        if len(targets) != len(minutes):
            raise ValidationError(_("Every agenda row needs its minutes."), code="agenda_rows")
        agenda = []
        for number, (target, text) in enumerate(zip(targets, minutes, strict=True), 1):
            if not target and not text.strip():
                continue  # an empty row
            try:
                value = int(text)
            except ValueError:
                raise ValidationError(
                    _("Item %(number)d: give between 1 and %(max)d minutes.") % {"number": number, "max": MAX_MINUTES},
                    code="agenda_minutes",
                ) from None
            agenda.append(AgendaEntry(target=target, minutes=value))
        cleaned["agenda"] = agenda
        return cleaned


class SessionStepForm(forms.Form):
    """One move of the facilitator's clock."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("start", "pause", "resume", "extend", "next", "end", "reopen")],
        error_messages={"invalid_choice": _("Unknown session action.")},
    )
    minutes = forms.IntegerField(required=False, min_value=1, max_value=120)


class AttendanceForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        error_messages={"invalid_choice": _("Only members of this workload can attend.")},
    )
    minutes = forms.IntegerField(label=_("Minutes present"), min_value=0, max_value=24 * 60)

    def __init__(self, *args, workload: Workload, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = workload.members()


class DiscussionForm(forms.Form):
    question = forms.CharField(max_length=128)
    state = forms.ChoiceField(
        label=_("Discussion"),
        choices=DiscussionState.choices,
        error_messages={"invalid_choice": _("Choose a discussion state.")},
    )


class ParkingForm(forms.Form):
    text = forms.CharField(label=_("Park for later"), max_length=PARKING_MAX_LENGTH)
    question = forms.CharField(max_length=128, required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("The owner must be a member of this workload.")},
    )

    def __init__(self, *args, workload: Workload, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = workload.members()


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown. Mention a member with @username."),
    )
