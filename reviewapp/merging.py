"""Merging two people's changes to one answer made from the same starting version.

Choices merge tick by tick; notes, and "does not apply" with its reason, merge as a whole
when only one side changed them. Both sides changing the same text differently, or a
merge that would put "None of these" beside other choices, is a conflict.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class AnswerState:
    choices: frozenset[str]
    applicable: bool = True
    reason: str = ""
    notes: str = ""

    def as_json(self) -> dict:
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


EMPTY = AnswerState(choices=frozenset())


class MergeConflict(Exception):
    """Both sides changed the same thing differently; ``fields`` names what collided."""

    def __init__(self, fields: list[str]):
        super().__init__(", ".join(fields))
        self.fields = fields


def merge(*, base: AnswerState, mine: AnswerState, theirs: AnswerState, none_key: str | None) -> AnswerState:
    """``mine`` applied on top of ``theirs``, both having started from ``base``."""
    conflicts = []
    added, removed = mine.choices - base.choices, base.choices - mine.choices
    choices = (theirs.choices | added) - removed
    if none_key and none_key in choices and len(choices) > 1:
        conflicts.append("choices")

    def pick(name: str, mine_value, their_value, base_value):
        if mine_value == base_value:
            return their_value
        if their_value not in (base_value, mine_value):
            conflicts.append(name)
        return mine_value

    notes = pick("notes", mine.notes, theirs.notes, base.notes)
    applicability = pick(
        "applicable", (mine.applicable, mine.reason), (theirs.applicable, theirs.reason), (base.applicable, base.reason)
    )
    if conflicts:
        raise MergeConflict(conflicts)
    return AnswerState(choices=frozenset(choices), applicable=applicability[0], reason=applicability[1], notes=notes)
