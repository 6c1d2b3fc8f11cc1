"""Risk of a question and the counts per pillar (reviewapp/risk.py), on their own and with the Serverless Lens.

The Serverless Lens cases are derived from the tiers of the AWS reference file
(shared/reference/serverless-lens-aws-ids.json), not copied from the fixture's rules:
every practice -> no risk, every Required practice -> medium risk, anything less -> high risk.
"""

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions.rules import risk_distribution
from reviewapp.models import RISKY, AnswerRisk
from reviewapp.risk import RISK_CSS_CLASS, RISK_ORDER, RiskCounts, counts_by_pillar, question_risk

from ..factories import reference_params, reference_path, reference_questions

RULES = [("a1 && a2 && a3", "NO_RISK"), ("a1", "MEDIUM_RISK"), ("default", "HIGH_RISK")]
RULE_RISKS = {AnswerRisk.HIGH, AnswerRisk.MEDIUM, AnswerRisk.NONE}
# Worse first: a higher number is a worse risk.
SEVERITY = {AnswerRisk.NONE: 0, AnswerRisk.MEDIUM: 1, AnswerRisk.HIGH: 2}


# --- question_risk without a database ----------------------------------------------------------


def test_it_uses_the_rules_when_something_is_selected():
    assert question_risk(rules=RULES, selected={"a1", "a2", "a3"}) == AnswerRisk.NONE
    assert question_risk(rules=RULES, selected={"a1"}) == AnswerRisk.MEDIUM
    assert question_risk(rules=RULES, selected=["a2"]) == AnswerRisk.HIGH


@pytest.mark.django_db
def test_it_computes_risk_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        question_risk(rules=RULES, selected={"a1"})
        RiskCounts.of([AnswerRisk.HIGH]).as_dict()
        counts_by_pillar([(1, AnswerRisk.HIGH)])


def test_it_is_unanswered_when_nothing_is_selected():
    assert question_risk(rules=RULES, selected=set()) == AnswerRisk.UNANSWERED
    assert question_risk(rules=RULES, selected=iter(())) == AnswerRisk.UNANSWERED


def test_it_is_not_applicable_whatever_is_selected():
    for selected in (set(), {"a1"}, {"a1", "a2", "a3"}, {"no"}):
        assert question_risk(rules=RULES, selected=selected, is_applicable=False) == AnswerRisk.NOT_APPLICABLE


# --- RiskCounts and counts_by_pillar -----------------------------------------------------------


def test_it_counts_risks_and_answered_questions():
    counts = RiskCounts.of(
        [AnswerRisk.HIGH, AnswerRisk.HIGH, AnswerRisk.MEDIUM, AnswerRisk.NONE, AnswerRisk.NOT_APPLICABLE]
        + [AnswerRisk.UNANSWERED] * 3
    )

    assert (counts.high, counts.medium, counts.none, counts.not_applicable, counts.unanswered) == (2, 1, 1, 1, 3)
    assert counts.total == 8
    assert counts.answered == 5


def test_it_lists_every_risk_in_order_with_zeros():
    counts = RiskCounts.of([AnswerRisk.MEDIUM])

    assert list(counts.as_dict()) == list(RISK_ORDER)
    assert list(RISK_ORDER) == [
        AnswerRisk.HIGH,
        AnswerRisk.MEDIUM,
        AnswerRisk.NONE,
        AnswerRisk.NOT_APPLICABLE,
        AnswerRisk.UNANSWERED,
    ]
    assert counts.as_dict() == {
        "HIGH_RISK": 0,
        "MEDIUM_RISK": 1,
        "NO_RISK": 0,
        "NOT_APPLICABLE": 0,
        "UNANSWERED": 0,
    }


def test_it_counts_nothing_for_no_questions():
    counts = RiskCounts()

    assert counts.total == counts.answered == counts.high == 0
    assert set(counts.as_dict().values()) == {0}


def test_it_counts_by_pillar():
    pairs = [
        (1, AnswerRisk.HIGH),
        (2, AnswerRisk.NONE),
        (1, AnswerRisk.UNANSWERED),
        (1, AnswerRisk.HIGH),
        (3, AnswerRisk.NOT_APPLICABLE),
        (2, AnswerRisk.MEDIUM),
    ]

    by_pillar = counts_by_pillar(pairs)

    assert set(by_pillar) == {1, 2, 3}
    assert (by_pillar[1].high, by_pillar[1].unanswered, by_pillar[1].total, by_pillar[1].answered) == (2, 1, 3, 2)
    assert (by_pillar[2].none, by_pillar[2].medium, by_pillar[2].answered) == (1, 1, 2)
    assert (by_pillar[3].not_applicable, by_pillar[3].answered) == (1, 1)
    assert counts_by_pillar([]) == {}


@settings(max_examples=100, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(1, 4), st.sampled_from(RISK_ORDER)), max_size=30))
def test_it_counts_by_pillar_as_the_overall_counts_split_up(pairs):
    by_pillar = counts_by_pillar(pairs)
    overall = RiskCounts.of(risk for _pillar, risk in pairs)

    assert sum(c.total for c in by_pillar.values()) == overall.total == len(pairs)
    for risk in RISK_ORDER:
        assert sum(c.as_dict()[risk] for c in by_pillar.values()) == overall.as_dict()[risk]


# --- The Serverless Lens: table-driven cases from the reference tiers --------------------------
# These read the fixture's rules through the session fixture ``serverless_rules``; their
# ``django_db`` mark is what makes pytest-django create the test database for it.


def expected_risk(question: dict, selected: frozenset[str]) -> str:
    """The risk the reference tiers call for (the fixture's documented rule scheme)."""
    if not selected:
        return AnswerRisk.UNANSWERED
    if selected >= set(question["practices"]):
        return AnswerRisk.NONE
    if selected >= set(question["required"]):
        return AnswerRisk.MEDIUM
    return AnswerRisk.HIGH


def _cases(question: dict):
    key, practices, required = question["question_id"], question["practices"], question["required"]
    assert required, f"{key}: the reference gives it no Required practice"
    only_required = AnswerRisk.NONE if set(required) == set(practices) else AnswerRisk.MEDIUM
    yield pytest.param(key, practices, AnswerRisk.NONE, id=f"{key}-all-practices")
    yield pytest.param(key, required, only_required, id=f"{key}-all-required-only")
    for missing in required:
        chosen = [c for c in practices if c != missing]
        if chosen:  # a question whose only practice is required has no such case
            yield pytest.param(key, chosen, AnswerRisk.HIGH, id=f"{key}-all-but-required-{missing}")
    yield pytest.param(key, [question["none"]], AnswerRisk.HIGH, id=f"{key}-none-of-these")
    yield pytest.param(key, [], AnswerRisk.UNANSWERED, id=f"{key}-nothing")


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "selected", "risk"), reference_params(lambda q: list(_cases(q)), width=3))
def test_it_gives_each_serverless_question_the_risk_its_tiers_call_for(serverless_rules, key, selected, risk):
    rules, _choices, _none = serverless_rules[key]

    assert question_risk(rules=rules, selected=selected) == risk


def _not_applicable_cases(question: dict):
    key = question["question_id"]
    for name, selected in [
        ("nothing", []),
        ("all-practices", question["practices"]),
        ("required", question["required"]),
        ("none-of-these", [question["none"]]),
    ]:
        yield pytest.param(key, selected, id=f"{key}-na-{name}")


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "selected"), reference_params(lambda q: list(_not_applicable_cases(q)), width=2))
def test_it_gives_not_applicable_whatever_is_selected(serverless_rules, key, selected):
    rules, _choices, _none = serverless_rules[key]

    assert question_risk(rules=rules, selected=selected, is_applicable=False) == AnswerRisk.NOT_APPLICABLE


@pytest.mark.django_db
@pytest.mark.parametrize("question", reference_params(lambda q: [pytest.param(q, id=q["question_id"])]))
def test_it_matches_the_tiers_for_every_valid_combination(serverless_rules, question):
    """All 2^n combinations at once, counted both ways."""
    rules, choices, none = serverless_rules[question["question_id"]]
    practices = question["practices"]
    expected: dict[str, int] = {AnswerRisk.HIGH: 1}  # "None of these" alone
    for size in range(1, len(practices) + 1):
        for picked in combinations(practices, size):
            risk = expected_risk(question, frozenset(picked))
            expected[risk] = expected.get(risk, 0) + 1

    assert risk_distribution(rules, choices, none_key=none) == expected


# --- The Serverless Lens: properties -----------------------------------------------------------

QUESTIONS = {question["question_id"]: question for question in reference_questions()}
needs_reference = pytest.mark.skipif(not QUESTIONS, reason=f"the AWS reference file is missing: {reference_path()}")


@st.composite
def valid_selection(draw):
    """A question key and a valid non-empty selection: some practices, or "None of these" alone."""
    key = draw(st.sampled_from(sorted(QUESTIONS)))
    question = QUESTIONS[key]
    if draw(st.integers(0, 9)) == 0:
        return key, frozenset({question["none"]})
    return key, draw(st.frozensets(st.sampled_from(question["practices"]), min_size=1))


@needs_reference
@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_it_gives_any_valid_selection_exactly_one_rule_risk(serverless_rules, data):
    key, selected = data.draw(valid_selection())
    rules, _choices, _none = serverless_rules[key]

    risks = {question_risk(rules=rules, selected=selected) for _ in range(2)}

    assert len(risks) == 1
    assert risks <= RULE_RISKS
    assert risks == {expected_risk(QUESTIONS[key], selected)}


@needs_reference
@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(QUESTIONS) or ["-"])
def test_it_gives_no_risk_to_the_set_of_all_best_practices(serverless_rules, key):
    rules, _choices, _none = serverless_rules[key]

    assert question_risk(rules=rules, selected=QUESTIONS[key]["practices"]) == AnswerRisk.NONE


@needs_reference
@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_it_never_makes_risk_worse_when_a_practice_is_added(serverless_rules, data):
    key, selected = data.draw(valid_selection())
    question = QUESTIONS[key]
    rules, _choices, _none = serverless_rules[key]
    base = selected - {question["none"]}
    added = data.draw(st.sampled_from(question["practices"]))

    before = question_risk(rules=rules, selected=selected)
    after = question_risk(rules=rules, selected=base | {added})

    assert SEVERITY[after] <= SEVERITY[before]


# --- One definition of the risk counts (models.RISK_COUNT_FIELDS, RiskCounts.annotated) ----------


def test_it_reads_back_the_counts_a_review_query_annotates(review):
    from reviewapp.models import Answer, Review, Workload

    Answer.objects.filter(review=review, question__key__in=["p1_q1", "p2_q2"]).update(risk=AnswerRisk.HIGH)
    Answer.objects.filter(review=review, question__key="p1_q2").update(risk=AnswerRisk.NOT_APPLICABLE)

    counts = RiskCounts.annotated(Review.objects.with_risk_counts().get(pk=review.pk))
    workload = Workload.objects.with_risk_counts().get(pk=review.workload_id)

    assert counts.as_dict() == {
        AnswerRisk.HIGH: 2,
        AnswerRisk.MEDIUM: 0,
        AnswerRisk.NONE: 0,
        AnswerRisk.NOT_APPLICABLE: 1,
        AnswerRisk.UNANSWERED: 1,
    }
    assert (counts.total, counts.answered) == (4, 3)
    assert (workload.high_count, workload.medium_count) == (2, 0)


def test_it_gives_every_risk_one_css_class_for_badges_and_charts():
    from reviewapp.templatetags.reviewapp_extras import risk_class

    assert {risk: risk_class(risk) for risk in RISK_ORDER} == RISK_CSS_CLASS
    assert set(RISK_CSS_CLASS) == set(AnswerRisk.values)
    assert RISKY == (AnswerRisk.HIGH, AnswerRisk.MEDIUM)
