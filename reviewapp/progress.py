"""Where a review stands: every question with its answer, and the counts per pillar and overall.

The same view serves the live review and a frozen milestone: both are a set of
``AnswerRecord`` per question (an ``AnswerState`` with its risk, version and author), laid over the
lens's bank; ``state_of`` builds either.
"""

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F

from questions.markup import render_markdown
from questions.models import Choice, Pillar

from .answer_state import EMPTY, AnswerState, ChoiceNA, answer_state
from .bank import Bank, BankQuestion, load_bank
from .models import Answer, AnswerRisk, Milestone, Review
from .risk import RiskCounts


@dataclass(frozen=True)
class AnswerRecord:
    """One question's answer as it stands now or stood at a milestone: its content and what came of it."""

    state: AnswerState = EMPTY
    risk: str = AnswerRisk.UNANSWERED
    version: int = 0
    updated_by: str = ""
    updated_at: datetime | None = None
    # The review's revision this answer was last saved at (live answers only; a milestone does not
    # keep it): what a live refresh compares with, never part of the answer itself.
    review_revision: int = field(default=0, compare=False)


@dataclass
class QuestionState:
    item: BankQuestion
    answer: AnswerRecord

    @property
    def question(self):
        return self.item.question

    @property
    def risk(self) -> str:
        return self.answer.risk

    @property
    def state(self) -> AnswerState:
        return self.answer.state

    @property
    def choices(self) -> list[tuple[Choice, bool]]:
        """The choices with whether each is selected, in order."""
        return [(choice, choice.key in self.state.choices) for choice in self.item.choices]

    @property
    def choice_rows(self) -> list[tuple[Choice, bool, ChoiceNA | None]]:
        """The choices with whether each is selected and, for a practice that does not apply, why."""
        na = self.state.na_by_key
        return [(choice, choice.key in self.state.choices, na.get(choice.key)) for choice in self.item.choices]

    @property
    def na_practices(self) -> list[tuple[str, ChoiceNA]]:
        """``(title, entry)`` of the best practices marked as not applying, in order, each with its reason and note."""
        na = self.state.na_by_key
        return [(c.title, na[c.key]) for c in self.item.choices if c.key in na]

    @property
    def selected_choices(self) -> list[Choice]:
        return [choice for choice in self.item.choices if choice.key in self.state.choices]

    @property
    def followed_practices(self) -> list[Choice]:
        """Best practices ticked as followed ("None of these" is a statement that none are, not a practice)."""
        return [c for c in self.item.choices if not c.is_none and c.key in self.state.choices]

    @property
    def chose_none(self) -> bool:
        """Whether "None of these" is ticked."""
        return any(c.is_none and c.key in self.state.choices for c in self.item.choices)

    @property
    def missing_practices(self) -> list[Choice]:
        """Best practices of the question not followed (never "None of these", nor one that does not apply)."""
        satisfied = self.state.risk_keys
        return [c for c in self.item.choices if not c.is_none and c.key not in satisfied]

    @property
    def notes_html(self):
        return render_markdown(self.state.notes)

    @property
    def client_json(self) -> str:
        """The answer as the page's save machinery reads it (``answer-data`` in the review parts)."""
        answer = self.answer
        return json.dumps(
            {"version": answer.version, **answer.state.as_json(), "by": answer.updated_by}, ensure_ascii=False
        )


@dataclass
class PillarState:
    pillar: Pillar
    questions: list[QuestionState]

    @property
    def counts(self) -> RiskCounts:
        return RiskCounts.of(q.risk for q in self.questions)


@dataclass
class ReviewState:
    review: Review
    bank: Bank
    pillars: list[PillarState]

    @property
    def questions(self) -> list[QuestionState]:
        return [q for pillar in self.pillars for q in pillar.questions]

    @property
    def counts(self) -> RiskCounts:
        return RiskCounts.of(q.risk for q in self.questions)

    @property
    def tabs_key(self) -> str:
        """The pillars' counts as the pillar tabs' cache key part (``_review_parts.html``)."""
        return ".".join(f"{p.pillar.pk}:{p.counts.fragment_key}" for p in self.pillars)

    def pillar(self, key: str) -> PillarState | None:
        return next((p for p in self.pillars if p.pillar.key == key), None)

    def question(self, key: str) -> QuestionState | None:
        return next((q for q in self.questions if q.item.key == key), None)

    def neighbours(self, key: str) -> tuple[QuestionState | None, QuestionState | None]:
        """The questions before and after the given one, across pillars."""
        questions = self.questions
        index = [q.item.key for q in questions].index(key)
        previous = questions[index - 1] if index > 0 else None
        following = questions[index + 1] if index + 1 < len(questions) else None
        return previous, following


def live_records(review: Review) -> dict[int, AnswerRecord]:
    """The review's answers now, by question id (unordered: the bank gives the order).

    Each process keeps the answers of the reviews it served lately and reads only those saved
    since (every write stamps its answer with the review's new revision, under the review's
    lock, so they commit in revision order): one query, two when something changed. A review on
    another lens version, or an entry older than ``RECORDS_FRESH_SECONDS``, is read whole again.
    Inside a transaction (whose writes may yet be rolled back) the answers are read whole and
    nothing is kept. The dict returned is shared: read it, never change it.
    """
    if connection.in_atomic_block:
        return _records_read(review.pk, {}, -1)[0]
    now = time.monotonic()
    with _records_lock:
        entry = _records.get(review.pk)
    if entry is None or entry.lens_id != review.lens_id or now - entry.read_at > RECORDS_FRESH_SECONDS:
        records, upto = _records_read(review.pk, {}, -1)
        entry = _RecordsEntry(lens_id=review.lens_id, upto=upto, read_at=now, records=records)
    else:
        records, upto = _records_read(review.pk, entry.records, entry.upto)
        if upto == entry.upto:
            return entry.records
        entry = _RecordsEntry(lens_id=entry.lens_id, upto=upto, read_at=entry.read_at, records=records)
    with _records_lock:
        _records[review.pk] = entry
        _records.move_to_end(review.pk)
        while len(_records) > RECORDS_KEPT:
            _records.popitem(last=False)
    return entry.records


RECORDS_KEPT = 500  # reviews per process
RECORDS_FRESH_SECONDS = 30.0  # a bound on anything that changed an answer without a new revision


@dataclass(frozen=True)
class _RecordsEntry:
    lens_id: int
    upto: int  # the highest review revision among the answers read
    read_at: float
    records: dict[int, AnswerRecord]


_records: OrderedDict[int, _RecordsEntry] = OrderedDict()
_records_lock = threading.Lock()


def live_records_saved(review: Review, question_id: int, record: AnswerRecord) -> None:
    """A save of this process committed ``record`` at its review revision: when this process's copy
    of the review's answers is at the revision just before, it takes the record without a read."""
    with _records_lock:
        entry = _records.get(review.pk)
        if entry is None or entry.lens_id != review.lens_id or entry.upto != record.review_revision - 1:
            return
        records = {**entry.records, question_id: record}
        _records[review.pk] = _RecordsEntry(entry.lens_id, record.review_revision, entry.read_at, records)


def live_records_forget() -> None:
    """Drop every review's kept answers (tests that roll the database back between them)."""
    with _records_lock:
        _records.clear()


def _records_read(review_id: int, known: dict[int, AnswerRecord], upto: int) -> tuple[dict[int, AnswerRecord], int]:
    """``known`` with the review's answers saved after revision ``upto`` laid over it, and the highest
    review revision now read (``upto=-1``: all of them)."""
    sql, params = _answers_statement()
    params = [review_id if p == _REVIEW else upto if p == _SINCE else p for p in params]
    rows = list(Answer.objects.raw(sql, params))
    if not rows:
        return known, upto
    ticked: dict[int, set[str]] = {answer.pk: set() for answer in rows}
    through = Answer.selected_choices.through.objects.filter(answer_id__in=ticked).order_by()
    for answer_id, key in through.values_list("answer_id", "choice__key"):
        ticked[answer_id].add(key)
    records = dict(known)
    for answer in rows:
        records[answer.question_id] = AnswerRecord(
            state=answer_state(answer, choices=frozenset(ticked[answer.pk])),
            risk=answer.risk,
            version=answer.version,
            updated_by=answer.updated_by_name or "",
            updated_at=answer.updated_at,
            review_revision=answer.review_revision,
        )
        upto = max(upto, answer.review_revision)
    return records, upto


# Stand-ins compiled into the answers' statement, swapped for the real values at each call
# (within the fields' ranges, so that the ORM keeps both conditions).
_REVIEW, _SINCE = -2_000_000_011, 9_123_456_789_012_345_678


@cache
def _answers_statement() -> tuple[str, tuple]:
    """The review's answers saved after a revision, with their author's name: every live page,
    save and refresh reads them, so the statement is compiled once per process."""
    name = f"updated_by__{get_user_model().USERNAME_FIELD}"
    answers = Answer.objects.filter(review_id=_REVIEW, review_revision__gt=_SINCE).annotate(updated_by_name=F(name))
    sql, params = answers.order_by().query.sql_with_params()
    assert params.count(_REVIEW) == 1 and params.count(_SINCE) == 1, params
    return sql, params


def milestone_records(milestone: Milestone) -> dict[int, AnswerRecord]:
    """The answers frozen in a milestone, by question id, in one query."""
    return {
        row.question_id: AnswerRecord(
            state=AnswerState(
                choices=frozenset(row.selected_keys),
                applicable=row.is_applicable,
                reason=row.reason,
                notes=row.notes,
                choice_na=row.choice_na,
            ),
            risk=row.risk,
            version=row.version,
            updated_by=row.updated_by,
            updated_at=row.updated_at,
        )
        for row in milestone.answers.all()
    }


def state_of(review: Review, milestone: Milestone | None = None) -> ReviewState:
    """The review now, or as it stood at one of its milestones (over that milestone's lens version)."""
    if milestone is None:
        return review_state(review)
    return review_state(review, load_bank(milestone.lens), milestone_records(milestone))


def review_state(
    review: Review, bank: Bank | None = None, records: dict[int, AnswerRecord] | None = None
) -> ReviewState:
    """The review's questions with their answers (now, or the given records), in a fixed number of queries."""
    bank = bank or load_bank(review.lens)
    records = live_records(review) if records is None else records
    by_pillar: dict[int, list[QuestionState]] = {pillar.pk: [] for pillar in bank.pillars}
    for item in bank.questions:
        record = records.get(item.question.pk, AnswerRecord())
        by_pillar[item.pillar.pk].append(QuestionState(item=item, answer=record))
    pillars = [PillarState(pillar=pillar, questions=by_pillar[pillar.pk]) for pillar in bank.pillars]
    return ReviewState(review=review, bank=bank, pillars=pillars)
