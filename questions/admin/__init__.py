"""Question bank administration: drafts are edited, published versions are read-only.

Only members of the "Bank editors" group (or superusers) may change the bank; other staff
may read it. Every change is kept by django-simple-history and listed per lens.
"""

from .lens import LensAdmin, PillarAdmin
from .profiles import ProfileAdmin, ProfileQuestionAdmin
from .question import ChoiceAdmin, QuestionAdmin, rule_tester_context

__all__ = [
    "ChoiceAdmin",
    "LensAdmin",
    "PillarAdmin",
    "ProfileAdmin",
    "ProfileQuestionAdmin",
    "QuestionAdmin",
    "rule_tester_context",
]
