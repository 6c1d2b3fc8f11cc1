"""An answer's content, the one shape every part of the app passes around.

``AnswerState`` is what a person decides for a question: the choices ticked (by key),
whether the question applies (with the reason when it does not), the notes, and the best
practices that do not apply to the workload (``choice_na``, each with a reason and a short
note: AWS's ``ChoiceUpdates`` with status ``NOT_APPLICABLE``). Saving, merging, history,
milestones, progress, imports and exports all speak of it with these five names; only the
API and the export columns keep their own public field names.

A practice that does not apply is neither followed nor missing: the risk rules count it as
satisfied (``risk_keys``), and the improvement plan leaves it out.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from .bank import BankQuestion
from .models import CHOICE_NOTES_MAX_LENGTH, NOTES_MAX_LENGTH, Answer

NO_CHOICE_REASON = Answer.ChoiceReason.NONE


@dataclass(frozen=True)
class ChoiceNA:
    """One best practice that does not apply: its choice key, why, and a short note."""

    key: str
    reason: str = NO_CHOICE_REASON
    notes: str = ""

    @property
    def reason_label(self) -> str:
        return Answer.ChoiceReason(self.reason).label if self.reason in Answer.ChoiceReason.values else self.reason


def choice_na_from(data: Mapping | Iterable[ChoiceNA] | None) -> tuple[ChoiceNA, ...]:
    """The practices that do not apply, by key order, from the stored / JSON shape
    (``{key: {"reason": …, "notes": …}}``) or from ``ChoiceNA`` values."""
    if not data:
        return ()
    if isinstance(data, Mapping):
        entries = [
            ChoiceNA(
                key=str(key),
                reason=(value or {}).get("reason") or NO_CHOICE_REASON,
                notes=(value or {}).get("notes", ""),
            )
            for key, value in data.items()
        ]
    else:
        entries = list(data)
    return tuple(sorted(entries, key=lambda entry: entry.key))


@dataclass(frozen=True)
class AnswerState:
    choices: frozenset[str] = frozenset()
    applicable: bool = True
    reason: str = ""
    notes: str = ""
    choice_na: tuple[ChoiceNA, ...] = field(default=())

    def __post_init__(self) -> None:
        # Read once here, from the stored shape ({key: {...}}) or ChoiceNA values, in one order
        # whatever the caller gave: equal answers compare equal.
        object.__setattr__(self, "choice_na", choice_na_from(self.choice_na))

    @property
    def reason_label(self) -> str:
        return Answer.Reason(self.reason).label if self.reason else ""

    @property
    def na_keys(self) -> frozenset[str]:
        """The keys of the practices that do not apply."""
        return frozenset(entry.key for entry in self.choice_na)

    @property
    def na_by_key(self) -> dict[str, ChoiceNA]:
        return {entry.key: entry for entry in self.choice_na}

    @property
    def risk_keys(self) -> frozenset[str]:
        """What the risk rules (and the improvement plan) see as satisfied: the practices followed
        and those that do not apply."""
        return self.choices | self.na_keys

    def kept_in(self, item: BankQuestion) -> "AnswerState":
        """This answer on the given question (another version of it, or the same one later): only its
        practices stay ticked, and only its practices, never "None of these", keep "does not apply"."""
        known = item.choices_by_key
        return replace(
            self,
            choices=self.choices.intersection(known),
            choice_na=tuple(e for e in self.choice_na if e.key in known and not known[e.key].is_none),
        )

    def choice_na_json(self) -> dict[str, dict[str, str]]:
        """The practices that do not apply as stored on ``Answer.choice_na``."""
        return {entry.key: {"reason": entry.reason, "notes": entry.notes} for entry in self.choice_na}

    def as_json(self) -> dict:
        """The form kept in ``AnswerChange.before`` / ``after`` (and sent to the page).

        ``choice_na`` only when some practice does not apply: history written before there
        was such a thing reads the same as history written since.
        """
        data = {
            "choices": sorted(self.choices),
            "applicable": self.applicable,
            "reason": self.reason,
            "notes": self.notes,
        }
        if self.choice_na:
            data["choice_na"] = self.choice_na_json()
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> "AnswerState":
        data = data or {}
        return cls(
            choices=frozenset(data.get("choices", ())),
            applicable=data.get("applicable", True),
            reason=data.get("reason", ""),
            notes=data.get("notes", ""),
            choice_na=data.get("choice_na"),  # none before per-practice "does not apply"; read in __post_init__
        )


EMPTY = AnswerState()


def answer_state(answer: Answer | None, *, choices: frozenset[str] | None = None) -> AnswerState:
    """The stored answer's content (EMPTY for none). ``choices``: the keys when already loaded."""
    if answer is None:
        return EMPTY
    if choices is None:
        choices = frozenset(answer.selected_choices.order_by().values_list("key", flat=True))
    return AnswerState(
        choices=choices,
        applicable=answer.is_applicable,
        reason=answer.reason,
        notes=answer.notes,
        choice_na=answer.choice_na,
    )


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
    problems.extend(_choice_na_problems(item=item, state=state))
    return problems


def _choice_na_problems(*, item: BankQuestion, state: AnswerState) -> list[ValidationError]:
    """Why the practices marked as not applying cannot be saved (under the field "choice_na")."""
    problems: list[ValidationError] = []
    none = item.none_choice
    for entry in state.choice_na:
        choice = item.choices_by_key.get(entry.key)
        if choice is None:
            message, code = _("“%(value)s” is not a choice of this question."), "invalid_choice"
        elif choice.is_none:
            message, code = _("“%(none)s” is not a practice: it cannot be marked as not applying."), "none_na"
        elif entry.key in state.choices:
            message, code = _("“%(choice)s” cannot be both followed and not applying."), "followed_and_na"
        elif entry.reason not in Answer.ChoiceReason.values:
            message = _("Select a valid choice. %(reason)s is not one of the available choices.")
            code = "invalid_reason"
        elif len(entry.notes) > CHOICE_NOTES_MAX_LENGTH:
            message, code = _("The note on “%(choice)s” is longer than %(limit)d characters."), "na_notes_too_long"
        elif "\x00" in entry.notes:
            message, code = _("Null characters are not allowed."), "null_characters_not_allowed"
        else:
            continue
        params = {
            "value": entry.key,
            "none": none.title if none else "",
            "choice": choice.title if choice else entry.key,
            "reason": entry.reason,
            "limit": CHOICE_NOTES_MAX_LENGTH,
        }
        problems.append(ValidationError({"choice_na": ValidationError(message, code=code, params=params)}))
    return problems
