"""Every input the pages take, validated here; views never read request.POST by hand."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from questions.models import Lens, Question

from .answer_state import AnswerState, ChoiceNA, answer_problems, notes_text
from .bank import Bank, BankQuestion
from .improvements import PlanFilters
from .models import (
    CHOICE_NOTES_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    Answer,
    AnswerRisk,
    ImprovementItem,
    ReviewTemplate,
    Role,
    Workload,
)
from .workload_search import RiskFilter, Sort, WorkloadFilters


def error_messages(form: forms.Form) -> list[str]:
    """Every error of a bound form, field by field, as plain messages for a page or a flash message."""
    return [str(message) for errors in form.errors.values() for message in errors]


class RegionsField(forms.CharField):
    """Regions typed as a comma-separated list, stored as a list."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        regions = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
        for region in regions:
            if len(region) > 100:
                raise ValidationError(_("A region name is at most 100 characters."), code="region_length")
        return regions


def _https_urls(field, **kwargs):
    """Model fields to form fields, a URL typed without a scheme taken as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class WorkloadForm(forms.ModelForm):
    regions = RegionsField(
        label=_("Regions"), required=False, help_text=_("Comma-separated, e.g. ap-northeast-2, us-east-1")
    )

    class Meta:
        model = Workload
        formfield_callback = _https_urls
        fields = [
            "name",
            "description",
            "environment",
            "regions",
            "review_owner",
            "industry",
            "architecture_diagram_url",
            "notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class WorkloadCreateForm(WorkloadForm):
    lenses = forms.ModelMultipleChoiceField(
        label=_("Lenses"),
        queryset=Lens.objects.published(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A review is started for each lens."),
    )

    class Meta(WorkloadForm.Meta):
        fields = [*WorkloadForm.Meta.fields, "lenses"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("lenses", list(self.fields["lenses"].queryset.values_list("pk", flat=True)[:1]))


class ReviewCreateForm(forms.Form):
    lens = forms.ModelChoiceField(label=_("Lens"), queryset=Lens.objects.published())
    template = forms.ModelChoiceField(
        label=_("Review template"), queryset=ReviewTemplate.objects.none(), required=False, empty_label=_("No template")
    )

    def __init__(self, *args, workload: Workload, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lens"].queryset = Lens.objects.published().exclude(reviews__workload=workload)
        if user is not None:
            self.fields["template"].queryset = (
                ReviewTemplate.objects.for_user(user).filter(lens__status=Lens.Status.PUBLISHED).select_related("lens")
            )
            self.fields["template"].label_from_instance = lambda t: f"{t.name} ({t.lens.name} {t.lens.version})"

    def clean(self):
        data = super().clean()
        lens, template = data.get("lens"), data.get("template")
        if lens and template and template.lens_id != lens.pk:
            raise ValidationError(
                _("The template “%(name)s” is for %(lens)s %(version)s: choose that lens, or upgrade the template."),
                code="template_lens",
                params={"name": template.name, "lens": template.lens.name, "version": template.lens.version},
            )
        return data


class ShareForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CONTRIBUTOR)


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CONTRIBUTOR)
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=30,
        initial=7,
        help_text=_("The link works once, for this many days."),
    )


class JoinForm(UserCreationForm):
    """A new account for someone who holds an invitation: a username and a password Django's validators accept."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)


class AnswerPageForm(forms.Form):
    """Which review page an answer's fragments go to: a question page also shows the question list."""

    shown_on = forms.ChoiceField(
        required=False, choices=[("", ""), ("question", "question"), ("pillar", "pillar"), ("review", "review")]
    )


class ChoiceKeysField(forms.MultipleChoiceField):
    """Choice keys as posted: which of them the question has is for ``answer_problems`` to say."""

    def valid_value(self, value) -> bool:
        return True


class AnswerForm(AnswerPageForm):
    """One question's answer as the review page posts it.

    Refuses a question the lens lacks; the answer itself is checked by ``answer_problems``
    (the same check as the API's). ``cleaned_data["state"]`` is the answer as an ``AnswerState``.
    """

    question = forms.CharField(max_length=Question._meta.get_field("key").max_length)
    choices = ChoiceKeysField(required=False)
    not_applicable = forms.BooleanField(required=False)
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *Answer.Reason.choices], required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=NOTES_MAX_LENGTH, strip=False)
    # The practices that do not apply (their keys), each with ``na_reason-KEY`` and ``na_notes-KEY``.
    choice_na = ChoiceKeysField(required=False)
    version = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)  # the version the page started from
    # The page's own save machinery: a key per save (a retry carries the same one) and
    # the "Keep both" answer to a conflict.
    idem = forms.RegexField(required=False, regex=r"^[A-Za-z0-9_\-]{8,64}$")
    keep = forms.ChoiceField(required=False, choices=[("", ""), ("both", "both")])

    def __init__(self, *args, bank: Bank, **kwargs):
        super().__init__(*args, **kwargs)
        self.bank = bank
        self.item: BankQuestion | None = bank.by_key.get(str(self.data.get("question", "")))
        for choice in self.item.choices if self.item else ():
            if not choice.is_none:
                self.fields[f"na_reason-{choice.key}"] = forms.ChoiceField(
                    label=_("Why does “%(choice)s” not apply?") % {"choice": choice.title},
                    choices=[("", "---------"), *Answer.ChoiceReason.choices],
                    required=False,
                )
                self.fields[f"na_notes-{choice.key}"] = forms.CharField(
                    label=_("Note on “%(choice)s”") % {"choice": choice.title},
                    required=False,
                    max_length=CHOICE_NOTES_MAX_LENGTH,
                    strip=False,
                )

    def clean_notes(self) -> str:
        return notes_text(self.cleaned_data["notes"])

    def clean_question(self) -> str:
        key = self.cleaned_data["question"]
        if self.item is None:
            raise ValidationError(
                _("This lens has no question “%(key)s”."), code="unknown_question", params={"key": key}
            )
        return key

    def clean(self):
        data = super().clean()
        if self.item is None:  # the question error says it all; its choices cannot be judged
            self.errors.pop("choices", None)
            return data
        state = AnswerState(
            choices=frozenset(data.get("choices") or ()),
            applicable=not data.get("not_applicable"),
            reason=data.get("reason") or "",
            notes=data.get("notes") or "",
            choice_na=[
                ChoiceNA(
                    key=key,
                    reason=data.get(f"na_reason-{key}") or Answer.ChoiceReason.NONE,
                    notes=notes_text(data.get(f"na_notes-{key}") or ""),
                )
                for key in dict.fromkeys(data.get("choice_na") or ())
            ],
        )
        for problem in answer_problems(item=self.item, state=state):
            self.add_error(None, problem)
        data["state"] = state
        return data

    def error_text(self) -> str:
        """All errors as one sentence for the review page's error box."""
        return " ".join(error_messages(self))


class DateInput(forms.DateInput):
    input_type = "date"


def workload_members(workload: Workload) -> list:
    """The workload's members as users, by username: the choices of an item's owner."""
    return list(workload.members())


class ImprovementItemForm(forms.Form):
    """Tracking of one missing practice. ``members`` is loaded once per page, not once per form."""

    status = forms.ChoiceField(label=_("Status"), choices=ImprovementItem.Status.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {user.pk: user for user in members}
        self.fields["owner"].choices = [("", _("Nobody"))] + [(user.pk, user.get_username()) for user in members]

    def clean_owner(self):
        pk = self.cleaned_data["owner"]
        return self.members[pk] if pk is not None else None


class PlanFilterForm(forms.Form):
    pillar = forms.ChoiceField(label=_("Pillar"), required=False)
    risk = forms.ChoiceField(
        label=_("Risk"),
        required=False,
        choices=[("", _("High and medium")), (AnswerRisk.HIGH, _("High risk")), (AnswerRisk.MEDIUM, _("Medium risk"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ImprovementItem.Status.choices]
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False, empty_label=_("Anyone"))
    prioritised = forms.BooleanField(label=_("Prioritised questions only"), required=False)

    def __init__(self, *args, bank: Bank, workload: Workload, prioritised: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].choices = [("", _("All pillars"))] + [
            (p.key, f"{p.short_label} · {p.name}") for p in bank.pillars
        ]
        self.fields["owner"].queryset = workload.members()
        self.prioritised_keys = prioritised
        if not prioritised:
            del self.fields["prioritised"]  # no profile, or it prioritises nothing here: nothing to filter by

    def filters(self) -> PlanFilters:
        """The valid filters; a bad one is dropped without losing the others."""
        if not self.is_bound:
            return PlanFilters()
        self.is_valid()
        data = self.cleaned_data
        owner = data.get("owner")
        return PlanFilters(
            pillar=data.get("pillar", ""),
            risk=data.get("risk", ""),
            status=data.get("status", ""),
            owner=owner.pk if owner else None,
            only=self.prioritised_keys if data.get("prioritised") else None,
        )


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("Milestone name"), max_length=100)


class CompareForm(forms.Form):
    """Two states of a review: 'current' or the id of one of its milestones."""

    before = forms.ChoiceField(label=_("Before"))
    after = forms.ChoiceField(label=_("After"))

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("current", _("Now"))] + [(str(m.pk), m.name) for m in milestones]
        self.fields["before"].choices = choices
        self.fields["after"].choices = choices
        # By default the latest milestone against now: what changed since the last workshop.
        latest = list(milestones)[-1:] if milestones else []
        self.fields["before"].initial = str(latest[0].pk) if latest else "current"
        self.fields["after"].initial = "current"


class ReportForm(forms.Form):
    lang = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, required=False)
    size = forms.ChoiceField(
        label=_("Paper"), choices=[("a4", "A4"), ("letter", _("Letter"))], required=False, initial="a4"
    )
    sessions = forms.BooleanField(label=_("With session minutes"), required=False)


class FacilitatorForm(forms.Form):
    """Who leads the review's workshop: one of the workload's members, or nobody to stop."""

    facilitator = forms.ModelChoiceField(
        label=_("Facilitator"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Choose a member of this workload to lead the workshop.")},
    )

    def __init__(self, *args, workload: Workload, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = workload.members()


class LivePollForm(forms.Form):
    """What a live page sends with each poll. A value the poll cannot use counts as none sent:
    the page is then the overview, or behind (and brought up to date)."""

    page = forms.RegexField(regex=r"^(review|(question|pillar):[A-Za-z0-9_\-]{1,128})\Z", required=False)
    rev = forms.IntegerField(min_value=0, max_value=2**63 - 1, required=False)
    seen = forms.CharField(required=False, strip=False)
    lead = forms.CharField(required=False, strip=False)
    by = forms.CharField(required=False, strip=False)  # who leads, as the page last heard
    sess = forms.CharField(required=False, strip=False)  # the running session's step, as the page last heard
    follow = forms.CharField(required=False)


@dataclass(frozen=True)
class LivePoll:
    page: str
    rev: int
    seen: str
    lead: str
    by: str
    sess: str
    follow: bool

    @classmethod
    def of(cls, data) -> "LivePoll":
        form = LivePollForm(data)
        form.is_valid()  # each invalid field is dropped alone, as if not sent
        values = form.cleaned_data
        return cls(
            page=values.get("page") or "review",
            rev=values["rev"] if values.get("rev") is not None else -1,
            seen=values.get("seen", ""),
            lead=values.get("lead", ""),
            by=values.get("by", ""),
            sess=values.get("sess", ""),
            follow=values.get("follow") == "1",
        )


class WorkloadListForm(forms.Form):
    """The workload list's search, filters, sort and page, all read from the URL."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, owner or industry")}),
    )
    environment = forms.ChoiceField(
        label=_("Environment"), required=False, choices=[("", _("Any environment")), *Workload.Environment.choices]
    )
    lens = forms.ChoiceField(label=_("Lens"), required=False)
    risk = forms.ChoiceField(label=_("Risk"), required=False, choices=[("", _("Any risk")), *RiskFilter.choices])
    missing = forms.CharField(
        label=_("Missing best practice"),
        required=False,
        max_length=100,
        widget=forms.HiddenInput,  # set by the portfolio's links, shown as a note above the list
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=Sort.choices)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=10**6, widget=forms.HiddenInput)

    def __init__(self, *args, lenses: list[Lens], **kwargs):
        super().__init__(*args, **kwargs)
        names = {}
        for lens in lenses:  # one entry per slug: a review of any version of the lens matches
            names.setdefault(lens.slug, lens.name)
        self.fields["lens"].choices = [("", _("Any lens")), *names.items()]

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "")

    def filters(self) -> tuple[WorkloadFilters, int]:
        """The valid filters and page; a bad value is dropped (and shown as an error) without losing the others."""
        if not self.is_bound:
            return WorkloadFilters(), 1
        self.is_valid()
        data = self.cleaned_data
        filters = WorkloadFilters(
            q=data.get("q") or "",
            environment=data.get("environment") or "",
            lens=data.get("lens") or "",
            risk=data.get("risk") or "",
            missing=data.get("missing") or "",
            sort=data.get("sort") or Sort.NAME,
        )
        return filters, data.get("page") or 1
