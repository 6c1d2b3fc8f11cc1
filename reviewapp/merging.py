"""Merging two people's changes to one answer made from the same starting version.

Choices merge tick by tick. Notes merge three ways, text by text: edits in different
places of the notes are all kept; edits that overlap (or touch) are a conflict.
"Does not apply" with its reason merges as a whole when only one side changed it.
A practice that does not apply merges practice by practice, its reason and note as one:
each side's change to a practice is kept; both changing the same practice differently is a
conflict ("choice_na"). A merge that would put "None of these" beside other choices, or
leave a practice both followed and not applying, is a conflict too.
"""

from diff_match_patch import diff_match_patch

from .answer_state import EMPTY, AnswerState

__all__ = ["EMPTY", "AnswerState", "MergeConflict", "merge", "merge_text", "notes_both"]

_dmp = diff_match_patch()
_dmp.Diff_Timeout = 0.5  # notes are short (2,084 characters at most): a bound, never reached in practice


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

    choice_na = _merge_choice_na(base=base, mine=mine, theirs=theirs, conflicts=conflicts)
    if not conflicts and choices & {entry.key for entry in choice_na}:
        conflicts.append("choices")
    try:
        notes = merge_text(base=base.notes, mine=mine.notes, theirs=theirs.notes)
    except MergeConflict:
        conflicts.append("notes")
        notes = mine.notes
    applicability = pick(
        "applicable", (mine.applicable, mine.reason), (theirs.applicable, theirs.reason), (base.applicable, base.reason)
    )
    if conflicts:
        raise MergeConflict(conflicts)
    return AnswerState(
        choices=frozenset(choices),
        applicable=applicability[0],
        reason=applicability[1],
        notes=notes,
        choice_na=choice_na,
    )


def _merge_choice_na(*, base: AnswerState, mine: AnswerState, theirs: AnswerState, conflicts: list[str]) -> list:
    """The practices that do not apply, merged practice by practice (a practice's reason and note as one)."""
    was, mine_na, their_na = base.na_by_key, mine.na_by_key, theirs.na_by_key
    merged = []
    for key in sorted(set(was) | set(mine_na) | set(their_na)):
        old, my_entry, their_entry = was.get(key), mine_na.get(key), their_na.get(key)
        if my_entry == old:
            entry = their_entry
        else:
            if their_entry not in (old, my_entry) and "choice_na" not in conflicts:
                conflicts.append("choice_na")
            entry = my_entry
        if entry is not None:
            merged.append(entry)
    return merged


Edit = tuple[int, int, str]  # replace base[start:end] by the text


def _edits(base: str, other: str) -> list[Edit]:
    """The changes that turn ``base`` into ``other``, as replacements of base's ranges."""
    diffs = _dmp.diff_main(base, other)
    _dmp.diff_cleanupSemantic(diffs)  # word- and sentence-sized edits rather than scattered characters
    edits: list[Edit] = []
    position, current = 0, None
    for op, text in diffs:
        if op == _dmp.DIFF_EQUAL:
            if current:
                edits.append(current)
                current = None
        elif op == _dmp.DIFF_DELETE:
            start, _end, inserted = current or (position, position, "")
            current = (start, position + len(text), inserted)
        else:
            start, end, inserted = current or (position, position, "")
            current = (start, end, inserted + text)
            continue
        position += len(text)
    if current:
        edits.append(current)
    return edits


def _word_span(base: str, edit: Edit) -> tuple[int, int]:
    """The part of ``base`` an edit touches, widened to whole words where it starts or ends inside one.

    Two people changing the same word ("typist07.1" made "typist07.5" by one and "typist10.1" by the
    other) is a conflict, not two edits a character apart to lay together into a word neither wrote.
    """
    start, end, _text = edit

    def inside(at: int) -> bool:
        return 0 < at < len(base) and not base[at - 1].isspace() and not base[at].isspace()

    if inside(start):
        while start > 0 and not base[start - 1].isspace():
            start -= 1
    if inside(end):
        while end < len(base) and not base[end].isspace():
            end += 1
    return start, end


def merge_text(*, base: str, mine: str, theirs: str) -> str:
    """Both sides' edits of ``base`` together; ``MergeConflict(["notes"])`` when they overlap or touch."""
    if mine == theirs or theirs == base:
        return mine
    if mine == base:
        return theirs
    my_edits, their_edits = _edits(base, mine), _edits(base, theirs)
    for edit in my_edits:
        start, end = _word_span(base, edit)
        for their_edit in their_edits:
            their_start, their_end = _word_span(base, their_edit)
            if edit != their_edit and start <= their_end and their_start <= end:
                raise MergeConflict(["notes"])
    merged = base
    for start, end, text in sorted(set(my_edits) | set(their_edits), reverse=True):
        merged = merged[:start] + text + merged[end:]
    return merged


def notes_both(*, theirs: str, theirs_author: str, mine: str, my_author: str) -> str:
    """ "Keep both": the two texts one after the other, each under a line naming its author."""
    return f"— {theirs_author}:\n\n{theirs}\n\n— {my_author}:\n\n{mine}"
