"""Risk of a question, a pillar and a review, computed without a request or a query."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from questions.rules import first_matching_risk

from .models import RISK_COUNT_FIELDS, AnswerRisk

# The order in which risks are listed and counted everywhere.
RISK_ORDER: tuple[str, ...] = (
    AnswerRisk.HIGH,
    AnswerRisk.MEDIUM,
    AnswerRisk.NONE,
    AnswerRisk.NOT_APPLICABLE,
    AnswerRisk.UNANSWERED,
)

# The CSS class of each risk: the page badges and the charts' bars.
RISK_CSS_CLASS: dict[str, str] = {
    AnswerRisk.HIGH: "high",
    AnswerRisk.MEDIUM: "medium",
    AnswerRisk.NONE: "none",
    AnswerRisk.NOT_APPLICABLE: "na",
    AnswerRisk.UNANSWERED: "unanswered",
}


def question_risk(
    *,
    rules: Sequence[tuple[str, str]],
    selected: Iterable[str],
    is_applicable: bool = True,
    not_applicable: Iterable[str] = (),
) -> str:
    """Risk of one question from its ordered ``(condition, risk)`` rules and the selected keys.

    A question that does not apply is NOT_APPLICABLE whatever is selected; one with no
    choice selected (nor any practice marked as not applying) is UNANSWERED; otherwise the
    first rule that holds decides. A practice that does not apply (``not_applicable``) counts
    as satisfied: the rules see the selected keys and those together, so marking a practice
    as not applying never raises the question's risk.
    """
    if not is_applicable:
        return AnswerRisk.NOT_APPLICABLE
    chosen = frozenset(selected) | frozenset(not_applicable)
    if not chosen:
        return AnswerRisk.UNANSWERED
    return first_matching_risk(rules, chosen)


@dataclass
class RiskCounts:
    """How many questions sit at each risk, and how many are answered."""

    counts: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, risks: Iterable[str]) -> "RiskCounts":
        return cls(Counter(risks))

    @classmethod
    def annotated(cls, review) -> "RiskCounts":
        """The counts of a review fetched with ``Review.objects.with_risk_counts()``."""
        return cls(Counter({risk: getattr(review, name) for name, risk in RISK_COUNT_FIELDS.items()}))

    def by_risk(self) -> dict[str, int]:
        """The five counts by the names the API, the exports and the pages use."""
        return {
            "high": self.high,
            "medium": self.medium,
            "none": self.none,
            "not_applicable": self.not_applicable,
            "unanswered": self.unanswered,
        }

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def answered(self) -> int:
        return self.total - self.counts[AnswerRisk.UNANSWERED]

    @property
    def high(self) -> int:
        return self.counts[AnswerRisk.HIGH]

    @property
    def medium(self) -> int:
        return self.counts[AnswerRisk.MEDIUM]

    @property
    def none(self) -> int:
        return self.counts[AnswerRisk.NONE]

    @property
    def not_applicable(self) -> int:
        return self.counts[AnswerRisk.NOT_APPLICABLE]

    @property
    def unanswered(self) -> int:
        return self.counts[AnswerRisk.UNANSWERED]

    def as_dict(self) -> dict[str, int]:
        return {risk: self.counts[risk] for risk in RISK_ORDER}

    @property
    def fragment_key(self) -> str:
        """The counts as a rendered fragment's cache key part: equal counts, equal key."""
        return "-".join(str(self.counts[risk]) for risk in RISK_ORDER)


def counts_by_pillar(pairs: Iterable[tuple[int, str]]) -> dict[int, RiskCounts]:
    """Risk counts per pillar id from ``(pillar_id, risk)`` pairs, one per question."""
    grouped: dict[int, Counter] = {}
    for pillar_id, risk in pairs:
        grouped.setdefault(pillar_id, Counter())[risk] += 1
    return {pillar_id: RiskCounts(counter) for pillar_id, counter in grouped.items()}
