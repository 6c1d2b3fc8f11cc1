"""A person's choices: for each kind of notification, in the list or not and how it is mailed;
and the language of their mails."""

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..models import EmailChoice, NotificationKind, NotificationPreference, PersonalSettings
from .delivery import language_of


def _name(kind: str) -> str:
    return kind.replace(".", "_")


class PreferencesForm(forms.Form):
    """One row per kind (``in_app_<kind>``, ``email_<kind>``) and the mails' language."""

    language = forms.ChoiceField(
        label=_("Language of my mails"), choices=settings.LANGUAGES, help_text=_("Korean or English.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[f"in_app_{_name(kind)}"] = forms.BooleanField(label=_("In the app"), required=False)
            self.fields[f"email_{_name(kind)}"] = forms.ChoiceField(label=_("Email"), choices=EmailChoice.choices)

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """``(kind's label, in-app field, email field)`` for each kind, in the order they are listed."""
        return [(kind.label, self[f"in_app_{_name(kind)}"], self[f"email_{_name(kind)}"]) for kind in NotificationKind]

    def choices(self) -> dict[str, tuple[bool, str]]:
        return {
            kind: (self.cleaned_data[f"in_app_{_name(kind)}"], self.cleaned_data[f"email_{_name(kind)}"])
            for kind in NotificationKind
        }


def preferences_initial(user) -> dict:
    """The form's values for the person: what they chose, the defaults elsewhere."""
    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    initial: dict = {"language": language_of(user)}
    for kind in NotificationKind:
        preference = chosen.get(kind)
        initial[f"in_app_{_name(kind)}"] = preference.in_app if preference else True
        initial[f"email_{_name(kind)}"] = preference.email if preference else EmailChoice.IMMEDIATE
    return initial


@transaction.atomic
def preferences_save(*, user, language: str, choices: dict[str, tuple[bool, str]]) -> None:
    """Store the person's language and their choice for every kind."""
    PersonalSettings.objects.update_or_create(user=user, defaults={"language": language})
    for kind, (in_app, email) in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"in_app": in_app, "email": email}
        )
