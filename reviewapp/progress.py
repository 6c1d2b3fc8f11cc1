"""Where a review stands: every question with its answer, and the counts per pillar and overall."""

from dataclasses import dataclass

from django.db.models import Prefetch

from questions.models import Choice, Pillar

from .bank import Bank, BankQuestion, load_bank
from .markup import render_markdown
from .models import Answer, Review
from .risk import RiskCounts


@dataclass
class QuestionState:
    item: BankQuestion
    answer: Answer
    selected_keys: frozenset[str]

    @property
    def question(self):
        return self.item.question

    @property
    def risk(self) -> str:
        return self.answer.risk

    @property
    def choices(self) -> list[tuple[Choice, bool]]:
        """The choices with whether each is selected, in order."""
        return [(choice, choice.key in self.selected_keys) for choice in self.item.choices]

    @property
    def notes_html(self):
        return render_markdown(self.answer.notes)


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
        keys = [q.item.key for q in self.questions]
        index = keys.index(key)
        questions = self.questions
        previous = questions[index - 1] if index > 0 else None
        following = questions[index + 1] if index + 1 < len(questions) else None
        return previous, following


def review_state(review: Review, bank: Bank | None = None) -> ReviewState:
    """The review's questions and answers, in a fixed number of queries."""
    bank = bank or load_bank(review.lens)
    answers = {
        answer.question_id: answer
        for answer in Answer.objects.filter(review=review)
        .select_related("updated_by")
        .prefetch_related(Prefetch("selected_choices", queryset=Choice.objects.only("pk", "key")))
    }
    pillars = []
    for pillar in bank.pillars:
        states = []
        for item in bank.questions:
            if item.pillar.pk != pillar.pk:
                continue
            answer = answers.get(item.question.pk) or Answer(review=review, question=item.question)
            selected = (
                frozenset(choice.key for choice in answer.selected_choices.all()) if answer.pk else frozenset()
            )
            states.append(QuestionState(item=item, answer=answer, selected_keys=selected))
        pillars.append(PillarState(pillar=pillar, questions=states))
    return ReviewState(review=review, bank=bank, pillars=pillars)
