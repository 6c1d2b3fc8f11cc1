"""Checks on one question's choices and rules, shared by the admin forms and publishing.

Each problem is one message that names the place, in the editor's language.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .rules import validate_rules

LANGUAGE_NAMES = dict(settings.LANGUAGES)


@dataclass(frozen=True)
class ChoiceData:
    key: str
    is_none: bool
    titles: dict[str, str]  # language code -> title


def question_problems(*, choices: list[ChoiceData], rules: list[tuple[str, str]]) -> list[str]:
    """Problems of a question's choices and ordered ``(condition, risk)`` rules; empty when valid."""
    problems = []
    for key, count in Counter(c.key for c in choices).items():
        if count > 1:
            problems.append(_("The choice id “%(key)s” is used %(count)d times.") % {"key": key, "count": count})
    nones = [c.key for c in choices if c.is_none]
    if len(nones) > 1:
        problems.append(_("Only one choice can be “None of these”; these are: %(keys)s.") % {"keys": ", ".join(nones)})
    if not [c for c in choices if not c.is_none]:
        problems.append(_("The question has no best practice to choose."))
    for choice in choices:
        # One language is enough: the pages fall back to it, and say so (questions/languages.py).
        if not any((choice.titles.get(lang) or "").strip() for lang in LANGUAGE_NAMES):
            problems.append(_("Choice “%(key)s”: the title is empty in every language.") % {"key": choice.key})
    problems.extend(
        _("Risk rules: %(problem)s") % {"problem": p} for p in validate_rules(rules, [c.key for c in choices])
    )
    return problems
