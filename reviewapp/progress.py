"""Where a review stands: every question with its answer, and the counts per pillar and overall.

The same view serves the live review and a frozen milestone: both are a set of
``AnswerRecord`` per question (an ``AnswerState`` with its risk, version and author), laid over the
lens's bank; ``state_of`` builds either.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch

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
    """The review's answers now, by question id, in two queries (unordered: the bank gives the order)."""
    answers = (
        Answer.objects.filter(review=review)
        .order_by()
        .select_related("updated_by")
        .prefetch_related(Prefetch("selected_choices", queryset=Choice.objects.order_by().only("pk", "key")))
    )
    return {
        answer.question_id: AnswerRecord(
            state=answer_state(answer, choices=frozenset(choice.key for choice in answer.selected_choices.all())),
            risk=answer.risk,
            version=answer.version,
            updated_by=answer.updated_by.get_username() if answer.updated_by else "",
            updated_at=answer.updated_at,
            review_revision=answer.review_revision,
        )
        for answer in answers
    }


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
