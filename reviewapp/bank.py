"""A review's lens as loaded once per request: pillars, questions, choices and rules."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch

from questions.languages import lens_incomplete_languages
from questions.models import Choice, Lens, Pillar, Question, RiskRule


@dataclass
class BankQuestion:
    question: Question
    pillar: Pillar
    choices: list[Choice]
    rules: list[tuple[str, str]]
    choices_by_key: dict[str, Choice] = field(init=False)

    def __post_init__(self) -> None:
        self.choices_by_key = {choice.key: choice for choice in self.choices}

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def none_choice(self) -> Choice | None:
        return next((choice for choice in self.choices if choice.is_none), None)


@dataclass
class Bank:
    lens: Lens
    pillars: list[Pillar]
    questions: list[BankQuestion]  # in pillar and question order
    by_key: dict[str, BankQuestion] = field(init=False)
    by_id: dict[int, BankQuestion] = field(init=False)
    incomplete_languages: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = {q.key: q for q in self.questions}
        self.by_id = {q.question.pk: q for q in self.questions}
        self.incomplete_languages = lens_incomplete_languages(
            lens=self.lens,
            pillars=self.pillars,
            questions=[q.question for q in self.questions],
            choices=[c for q in self.questions for c in q.choices],
        )

    def practice(self, key: str) -> Choice | None:
        """The best practice (any choice but "None of these") with this id, in any question."""
        return next((c for q in self.questions for c in q.choices if c.key == key and not c.is_none), None)


_BANKS: dict[int, Bank] = {}
_BANKS_MAX = 32


def load_bank(lens: Lens) -> Bank:
    """Everything a review page needs of its lens, in four queries whatever its size.

    A published or retired lens never changes, so its bank is kept in this process
    (``BANK_CACHE``, on by default) and later calls cost no query; a draft is always read.
    """
    if lens.status == Lens.Status.DRAFT or not getattr(settings, "BANK_CACHE", True):
        return _read_bank(lens)
    bank = _BANKS.get(lens.pk)
    if bank is None:
        if len(_BANKS) >= _BANKS_MAX:
            _BANKS.clear()
        bank = _BANKS[lens.pk] = _read_bank(lens)
    return bank


def _read_bank(lens: Lens) -> Bank:
    pillars = list(
        Pillar.objects.filter(lens=lens).prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")),
                    Prefetch("risk_rules", queryset=RiskRule.objects.order_by("order", "pk")),
                ),
            )
        )
    )
    questions = [
        BankQuestion(
            question=question,
            pillar=pillar,
            choices=list(question.choices.all()),
            rules=[(rule.condition, rule.risk) for rule in question.risk_rules.all()],
        )
        for pillar in pillars
        for question in pillar.questions.all()
    ]
    return Bank(lens=lens, pillars=pillars, questions=questions)
