"""An answer's content, the one shape every part of the app passes around.

``AnswerState`` is what a person decides for a question: the choices ticked (by key),
whether the question applies (with the reason when it does not) and the notes. Saving,
merging, history, milestones, progress, imports and exports all speak of it with these
four names; only the API and the export columns keep their own public field names.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from .bank import BankQuestion
from .models import NOTES_MAX_LENGTH, Answer


@dataclass(frozen=True)
class AnswerState:
    choices: frozenset[str] = frozenset()
    applicable: bool = True
    reason: str = ""
    notes: str = ""

    @property
    def reason_label(self) -> str:
        return Answer.Reason(self.reason).label if self.reason else ""

    def as_json(self) -> dict:
        """The form kept in ``AnswerChange.before`` / ``after`` (and sent to the page)."""
        return {
            "choices": sorted(self.choices),
            "applicable": self.applicable,
            "reason": self.reason,
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> "AnswerState":
        data = data or {}
        return cls(
            choices=frozenset(data.get("choices", ())),
            applicable=data.get("applicable", True),
            reason=data.get("reason", ""),
            notes=data.get("notes", ""),
        )


EMPTY = AnswerState()


def answer_state(answer: Answer | None, *, choices: frozenset[str] | None = None) -> AnswerState:
    """The stored answer's content (EMPTY for none). ``choices``: the keys when already loaded."""
    if answer is None:
        return EMPTY
    if choices is None:
        choices = frozenset(answer.selected_choices.order_by().values_list("key", flat=True))
    return AnswerState(choices=choices, applicable=answer.is_applicable, reason=answer.reason, notes=answer.notes)


def notes_text(value: str) -> str:
    """Line breaks as the page has them (a browser posts CRLF): saved text compares equal to the box."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def answer_problems(*, item: BankQuestion, state: AnswerState) -> list[ValidationError]:
    """Why the answer cannot be saved for the question (nothing when it can), each error under its field.

    The one check of an answer, whichever way it comes in (the page's form, the API's
    serializer): the field of each error is a name of ``AnswerState`` ("choices",
    "reason", "notes"); callers rename it to their own input's field where that differs.
    """
    problems: list[ValidationError] = []

    def refuse(field: str, error: ValidationError) -> None:
        problems.append(ValidationError({field: error}))

    for key in sorted(state.choices - set(item.choices_by_key)):
        refuse(
            "choices",
            ValidationError(
                _("“%(value)s” is not a choice of this question."), code="invalid_choice", params={"value": key}
            ),
        )
    none = item.none_choice
    if none and none.key in state.choices and len(state.choices) > 1:
        refuse(
            "choices",
            ValidationError(
                _("“%(none)s” cannot be combined with other choices."),
                code="none_exclusive",
                params={"none": none.title},
            ),
        )
    if state.reason and state.reason not in Answer.Reason.values:
        refuse(
            "reason",
            ValidationError(
                _("Select a valid choice. %(value)s is not one of the available choices."),
                code="invalid_choice",
                params={"value": state.reason},
            ),
        )
    elif state.reason and state.applicable:
        refuse(
            "reason",
            ValidationError(
                _("A reason can only be given when the question does not apply."), code="reason_without_na"
            ),
        )
    for validator in (MaxLengthValidator(NOTES_MAX_LENGTH), ProhibitNullCharactersValidator()):
        try:
            validator(state.notes)
        except ValidationError as error:
            refuse("notes", error)
    return problems
