"""Answers exported from the AWS Well-Architected Tool, imported into a review; and a review's
answers exported in the same shape (``answers_to_aws``), for the AWS tool or to import elsewhere.

Accepted files: the JSON of the API's ``ListAnswers`` (``{"AnswerSummaries": [...], ...}``)
or ``GetAnswer`` (``{"Answer": {...}, ...}``) responses, or a plain list of answer objects.
Of each answer: ``QuestionId``; the selected choices, from ``SelectedChoices`` and from
``ChoiceAnswers`` / ``ChoiceAnswerSummaries`` entries whose ``Status`` is ``SELECTED``;
``IsApplicable``; ``Reason`` (``NONE`` is no reason); ``Notes``; and the practices that do not
apply: ``ChoiceAnswers`` / ``ChoiceAnswerSummaries`` entries whose ``Status`` is
``NOT_APPLICABLE``, with their ``Reason`` and ``Notes``. The file's ``Risk`` is ignored (the
review's rules decide). A field the answer lacks keeps the review's current value (so a
``ListAnswers`` file, which has no notes, leaves the notes alone; one without choice answer
lists leaves the practices that do not apply alone).

A file is bounded before it is read entry by entry: no more answers than the lens has
questions, at most 50 problems listed (then how many more), every value the file gave quoted
back cut to 80 characters (``questions.jsonfile``), and its ``LensAlias`` / ``LensArn``, when
they name an AWS lens, must name the review's lens.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation

from questions.jsonfile import NotJSON, Problems, echo, read_json

from .answer_state import AnswerState, ChoiceNA, answer_state, notes_text
from .answers import answer_save
from .bank import Bank, BankQuestion, load_bank
from .models import CHOICE_NOTES_MAX_LENGTH, Answer, AnswerRisk, Milestone, Review
from .progress import state_of
from .risk import RISK_ORDER

REASONS = ("OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER", "NONE")
NO_REASON = "NONE"
SELECTED, NOT_APPLICABLE, UNSELECTED = "SELECTED", "NOT_APPLICABLE", "UNSELECTED"
STATUSES = (SELECTED, NOT_APPLICABLE, UNSELECTED)
CHOICE_LISTS = ("ChoiceAnswers", "ChoiceAnswerSummaries")
NOTES_LIMIT = Answer._meta.get_field("notes").max_length
CHOICE_NOTES_LIMIT = CHOICE_NOTES_MAX_LENGTH
AWS_LENS_ARN = "arn:aws:wellarchitected::aws:lens/"


class AnswerImportError(ValueError):
    """An answers file that cannot be imported; ``messages`` names each problem with its place.

    ``total`` counts every problem, also those past the first ones that ``messages`` lists.
    """

    def __init__(self, messages: list[str], *, total: int | None = None):
        self.messages = list(messages)
        self.total = len(self.messages) if total is None else total
        super().__init__("\n".join(self.messages))


@dataclass
class ImportSummary:
    """What an import did: the question keys saved and left as they were, and their risks."""

    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    risks: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Incoming:
    """One answer of the file; None where the file says nothing."""

    item: BankQuestion
    choices: frozenset[str] | None
    choice_na: tuple[ChoiceNA, ...] | None
    applicable: bool | None
    reason: str | None
    notes: str | None


def parse_answers_json(raw: str | bytes):
    """The JSON text of an answers file as data; AnswerImportError when it is not JSON."""
    try:
        return read_json(raw)
    except NotJSON as exc:
        raise AnswerImportError([str(exc)]) from None


def answer_entries(data) -> list[tuple[str, object]]:
    """The answer objects of a ListAnswers or GetAnswer response or a plain list, with their places."""
    if isinstance(data, list):
        return [(f"[{i}]", entry) for i, entry in enumerate(data)]
    if isinstance(data, dict) and "AnswerSummaries" in data:
        if not isinstance(data["AnswerSummaries"], list):
            raise AnswerImportError(["AnswerSummaries: must be an array"])
        return [(f"AnswerSummaries[{i}]", entry) for i, entry in enumerate(data["AnswerSummaries"])]
    if isinstance(data, dict) and "Answer" in data:
        return [("Answer", data["Answer"])]
    if isinstance(data, dict) and "QuestionId" in data:
        return [("Answer", data)]
    raise AnswerImportError(
        ['the file is not a ListAnswers ("AnswerSummaries") or GetAnswer ("Answer") response, nor a list of answers']
    )


def _strings(entry: dict, key: str, place: str, problems: Problems) -> list[tuple[str, str]]:
    values = entry.get(key, [])
    if not isinstance(values, list):
        problems.append(f"{place}.{key}: must be an array")
        return []
    found = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            found.append((f"{place}.{key}[{index}]", value))
        else:
            problems.append(f"{place}.{key}[{index}]: must be a choice id (a string)")
    return found


def _choice_answers(
    entry: dict, place: str, problems: Problems
) -> tuple[list[tuple[str, str]], list[tuple[str, ChoiceNA]]]:
    """``(place, choice id)`` of every SELECTED entry of the choice answer lists, and
    ``(place, ChoiceNA)`` of every NOT_APPLICABLE one (with its reason and notes)."""
    selected, not_applicable = [], []
    for key in CHOICE_LISTS:
        values = entry.get(key, [])
        if not isinstance(values, list):
            problems.append(f"{place}.{key}: must be an array")
            continue
        for index, value in enumerate(values):
            where = f"{place}.{key}[{index}]"
            if not isinstance(value, dict) or not isinstance(value.get("ChoiceId"), str):
                problems.append(f'{where}: must be an object with a "ChoiceId"')
                continue
            status, reason = value.get("Status", SELECTED), value.get("Reason", NO_REASON)
            if status not in STATUSES:
                problems.append(
                    f'{where}.Status: unknown status "{echo(status)}" (expected one of {", ".join(STATUSES)})'
                )
            if reason not in REASONS:
                problems.append(
                    f'{where}.Reason: unknown reason "{echo(reason)}" (expected one of {", ".join(REASONS)})'
                )
            notes = value.get("Notes", "")
            if not isinstance(notes, str):
                problems.append(f"{where}.Notes: must be a string")
            elif len(notes) > CHOICE_NOTES_LIMIT:
                problems.append(f"{where}.Notes: longer than {CHOICE_NOTES_LIMIT} characters ({len(notes)})")
            elif "\x00" in notes:
                problems.append(f"{where}.Notes: must not contain NUL characters (\\u0000)")
            if status == SELECTED:
                selected.append((f"{where}.ChoiceId", value["ChoiceId"]))
            elif status == NOT_APPLICABLE and reason in REASONS and isinstance(notes, str):
                not_applicable.append(
                    (f"{where}.ChoiceId", ChoiceNA(key=value["ChoiceId"], reason=reason, notes=notes_text(notes)))
                )
    return selected, not_applicable


def _incoming(place: str, entry, bank: Bank, problems: Problems) -> _Incoming | None:
    if not isinstance(entry, dict):
        problems.append(f"{place}: must be an answer object")
        return None
    key = entry.get("QuestionId")
    if not isinstance(key, str):
        problems.append(f'{place}: "QuestionId" is missing')
        return None
    item = bank.by_key.get(key)
    if item is None:
        problems.append(f'{place}: question "{echo(key)}" is not in lens {bank.lens.slug}')
        return None
    ticked, not_applicable = _choice_answers(entry, place, problems)
    picks = _strings(entry, "SelectedChoices", place, problems) + ticked
    for where, choice in picks + [(where, na.key) for where, na in not_applicable]:
        if choice not in item.choices_by_key:
            problems.append(f'{where}: choice "{echo(choice)}" is not a choice of question "{key}"')
    said = "SelectedChoices" in entry or any(k in entry for k in CHOICE_LISTS)
    selected = frozenset(choice for _, choice in picks) if said else None
    choice_na = None
    if any(k in entry for k in CHOICE_LISTS):  # only these lists say which practices do not apply
        choice_na = tuple(na for _, na in not_applicable)
        for where, na in not_applicable:
            if na.key in (selected or ()):
                problems.append(f'{where}: choice "{echo(na.key)}" is both SELECTED and NOT_APPLICABLE')
            elif item.none_choice is not None and na.key == item.none_choice.key:
                problems.append(f'{where}: "None of these" ({na.key}) is not a practice and cannot be NOT_APPLICABLE')
    none = item.none_choice
    if selected and none is not None and none.key in selected and len(selected) > 1:
        problems.append(f'{place}: "None of these" ({none.key}) cannot be combined with other choices')
    is_applicable = entry.get("IsApplicable")
    if is_applicable is not None and not isinstance(is_applicable, bool):
        problems.append(f"{place}.IsApplicable: must be true or false")
    reason = entry.get("Reason")
    if reason is not None and reason not in REASONS:
        problems.append(f'{place}.Reason: unknown reason "{echo(reason)}" (expected one of {", ".join(REASONS)})')
    notes = entry.get("Notes")
    if notes is not None and not isinstance(notes, str):
        problems.append(f"{place}.Notes: must be a string")
    elif notes is not None and len(notes) > NOTES_LIMIT:
        problems.append(f"{place}.Notes: longer than {NOTES_LIMIT} characters ({len(notes)})")
    elif notes is not None and "\x00" in notes:
        problems.append(f"{place}.Notes: must not contain NUL characters (\\u0000)")
    return _Incoming(
        item=item,
        choices=selected,
        choice_na=choice_na,
        applicable=is_applicable,
        reason=None if reason is None else ("" if reason == NO_REASON else reason),
        notes=notes,
    )


def _lens_names(data) -> list[tuple[str, str]]:
    """``(field, lens name)`` for the file's LensAlias / LensArn that name an AWS lens by name.

    A custom lens's alias is its ARN, under the account that made it, whose id we cannot know.
    """
    if not isinstance(data, dict):
        return []
    names = []
    for field_name in ("LensAlias", "LensArn"):
        value = data.get(field_name)
        if not isinstance(value, str) or not value:
            continue
        if value.startswith(AWS_LENS_ARN):
            names.append((field_name, value.removeprefix(AWS_LENS_ARN)))
        elif not value.startswith("arn:"):
            names.append((field_name, value))
    return names


def _parse(data, bank: Bank) -> list[_Incoming]:
    slug = bank.lens.slug
    wrong_lens = [
        f'{field_name}: the file holds answers of lens "{echo(name)}", this review\'s lens is "{slug}"'
        for field_name, name in _lens_names(data)
        if name != slug
    ]
    if wrong_lens:
        raise AnswerImportError(wrong_lens)
    entries = answer_entries(data)
    if len(entries) > len(bank.by_key):
        raise AnswerImportError(
            [f"the file has {len(entries)} answers, more than the {len(bank.by_key)} questions of lens {slug}"]
        )
    problems = Problems()
    incoming: list[_Incoming] = []
    first_place: dict[str, str] = {}
    for place, entry in entries:
        answer = _incoming(place, entry, bank, problems)
        if answer is None:
            continue
        key = answer.item.key
        if key in first_place:
            problems.append(f'{place}: question "{key}" is answered twice (also at {first_place[key]})')
        first_place.setdefault(key, place)
        incoming.append(answer)
    if problems:
        raise AnswerImportError(problems.messages(), total=problems.total)
    return incoming


AWS_RISKS = {
    AnswerRisk.HIGH: "HIGH",
    AnswerRisk.MEDIUM: "MEDIUM",
    AnswerRisk.NONE: "NONE",
    AnswerRisk.NOT_APPLICABLE: "NOT_APPLICABLE",
    AnswerRisk.UNANSWERED: "UNANSWERED",
}


def answers_to_aws(*, review: Review, milestone: Milestone | None = None) -> dict:
    """The review's answers (now, or at the milestone) as the AWS API's ``ListAnswers`` response.

    Every question of the lens is listed, as AWS does, unanswered ones included; each answer has
    its ``SelectedChoices``, one ``ChoiceAnswerSummaries`` entry per choice (``SELECTED``,
    ``NOT_APPLICABLE`` with its ``Reason`` and ``Notes``, or ``UNSELECTED``), ``IsApplicable``, ``Reason``, ``Risk`` and, beyond ``ListAnswers``, the
    ``Notes`` (as ``GetAnswer`` gives them), so ``answers_from_aws`` reads it back unchanged.
    Titles are in English, as the AWS tool shows them.
    """
    state = state_of(review, milestone)
    lens = state.bank.lens
    summaries = []
    with translation.override("en"):
        for question in state.questions:
            item, answer = question.item, question.state
            summaries.append(
                {
                    "QuestionId": item.key,
                    "PillarId": item.pillar.key,
                    "QuestionTitle": item.question.title,
                    "Choices": [
                        {"ChoiceId": choice.key, "Title": choice.title, "Description": choice.description}
                        for choice in item.choices
                    ],
                    "SelectedChoices": [choice.key for choice in item.choices if choice.key in answer.choices],
                    "ChoiceAnswerSummaries": [_choice_answer(choice.key, answer) for choice in item.choices],
                    "IsApplicable": answer.applicable,
                    "Risk": AWS_RISKS[question.risk],
                    "Reason": answer.reason or NO_REASON,
                    "Notes": answer.notes,
                    "QuestionType": "NON_PRIORITIZED",
                }
            )
    data = {"LensAlias": lens.slug, "AnswerSummaries": summaries}
    if milestone is not None:
        data["MilestoneNumber"] = milestone.pk
    return data


def _choice_answer(key: str, answer: AnswerState) -> dict:
    """One ``ChoiceAnswerSummaries`` entry: selected, not applicable (why, with its note) or unselected."""
    na = answer.na_by_key.get(key)
    if na is not None:
        return {"ChoiceId": key, "Status": NOT_APPLICABLE, "Reason": na.reason, "Notes": na.notes}
    return {"ChoiceId": key, "Status": SELECTED if key in answer.choices else UNSELECTED, "Reason": NO_REASON}


@transaction.atomic
def answers_from_aws(*, review: Review, data, user) -> ImportSummary:
    """Import the answers of an AWS Well-Architected Tool export into the review, all or nothing.

    Every answer goes through ``answer_save`` (risk, version, history and improvement
    items follow); an answer equal to the review's current one is left alone. Raises
    AnswerImportError listing every problem with its place, and changes nothing, when the
    file names a question the lens lacks or a choice of another question, combines "None
    of these" with other choices, gives an unknown reason, or has notes over the limit.
    """
    if isinstance(data, str | bytes):
        data = parse_answers_json(data)
    bank = load_bank(review.lens)
    incoming = _parse(data, bank)
    current = {
        answer.question_id: answer
        for answer in Answer.objects.filter(review=review).prefetch_related("selected_choices")
    }
    summary = ImportSummary()
    if isinstance(data, dict) and data.get("NextToken"):
        summary.warnings.append("the file has a NextToken: it is one page of ListAnswers, later pages were not in it")
    risks: Counter = Counter()
    for new in incoming:
        answer = current.get(new.item.question.pk)
        loaded = None if answer is None else frozenset(choice.key for choice in answer.selected_choices.all())
        before = answer_state(answer, choices=loaded)
        applicable = before.applicable if new.applicable is None else new.applicable
        after = AnswerState(
            choices=before.choices if new.choices is None else new.choices,
            applicable=applicable,
            reason="" if applicable else (before.reason if new.reason is None else new.reason),
            notes=before.notes if new.notes is None else new.notes,
            choice_na=before.choice_na if new.choice_na is None else new.choice_na,
        )
        if answer is not None and after == before:
            summary.unchanged.append(new.item.key)
            risks[answer.risk] += 1
            continue
        saved = answer_save(review=review, item=new.item, user=user, state=after)
        summary.updated.append(new.item.key)
        risks[saved.risk] += 1
    summary.risks = {risk: risks[risk] for risk in RISK_ORDER if risks[risk]}
    return summary
