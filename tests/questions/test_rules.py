"""The risk rule grammar (questions/rules.py): parsing, evaluation, validation and counting."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions.rules import (
    MAX_RULES,
    ConditionError,
    first_matching_risk,
    parse_condition,
    risk_distribution,
    validate_rules,
)

KEYS = ("a", "b", "c", "d")
# A question shaped like the Serverless Lens ones: a1 required, a2/a3 optional, 'no' exclusive.
RULES = [("a1 && a2 && a3", "NO_RISK"), ("a1", "MEDIUM_RISK"), ("default", "HIGH_RISK")]
CHOICES = ["a1", "a2", "a3", "no"]


def holds(text: str, *selected: str) -> bool:
    return parse_condition(text).holds(frozenset(selected))


# --- Precedence and grouping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "selected", "expected"),
    [
        # && binds tighter than ||: a || (b && c)
        ("a || b && c", {"a"}, True),
        ("a || b && c", {"b"}, False),
        ("a || b && c", {"b", "c"}, True),
        ("b && c || a", {"a"}, True),
        ("b && c || a", {"c"}, False),
        # ! binds tighter than &&: (!a) && b
        ("!a && b", {"b"}, True),
        ("!a && b", {"a", "b"}, False),
        ("!a && b", set(), False),
        # ! binds tighter than ||: (!a) || b
        ("!a || b", set(), True),
        ("!a || b", {"a"}, False),
        ("!a || b", {"a", "b"}, True),
        ("!!a", {"a"}, True),
        ("!!a", set(), False),
    ],
)
def test_it_applies_precedence_of_not_over_and_over_or(text, selected, expected):
    assert holds(text, *selected) is expected


@pytest.mark.parametrize(
    ("text", "selected", "expected"),
    [
        ("(a || b) && c", {"a"}, False),
        ("(a || b) && c", {"a", "c"}, True),
        ("a || (b && c)", {"a"}, True),
        ("!(a || b)", set(), True),
        ("!(a || b)", {"b"}, False),
        ("!(a && b)", {"a"}, True),
        ("!(a && b)", {"a", "b"}, False),
        ("((a))", {"a"}, True),
        ("( a&&b )||(c)", {"c"}, True),
    ],
)
def test_it_lets_parentheses_group(text, selected, expected):
    assert holds(text, *selected) is expected


def test_it_reads_keys_with_underscores_hyphens_and_whitespace():
    condition = parse_condition("  ops_ops_q1_a1 &&\n\tsec-q1-a2 ")

    assert condition.keys == frozenset({"ops_ops_q1_a1", "sec-q1-a2"})
    assert condition.holds({"ops_ops_q1_a1", "sec-q1-a2"})
    assert not condition.holds({"ops_ops_q1_a1"})


def test_it_lists_the_keys_a_condition_names():
    assert parse_condition("a").keys == frozenset({"a"})
    assert parse_condition("!(a || b) && !c").keys == frozenset({"a", "b", "c"})


def test_it_treats_default_as_always_true():
    condition = parse_condition(" default ")

    assert condition.is_default
    assert condition.keys == frozenset()
    assert condition.holds(set())
    assert condition.holds({"a", "b"})
    assert not parse_condition("a").is_default


@pytest.mark.parametrize("text", ["default && a", "a || default", "!default", "(default)"])
def test_it_refuses_default_inside_an_expression(text):
    with pytest.raises(ConditionError, match="'default' must stand alone"):
        parse_condition(text)


# --- Syntax errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the condition is empty"),
        ("   \n", "the condition is empty"),
        ("a &&", "syntax error in 'a &&': the condition ends too early"),
        ("a ||", "syntax error in 'a ||': the condition ends too early"),
        ("!", "syntax error in '!': the condition ends too early"),
        ("&& a", "syntax error in '&& a' at column 1: unexpected '&&'"),
        ("a && && b", "syntax error in 'a && && b' at column 6: unexpected '&&'"),
        ("(a || b", "syntax error in '(a || b': the condition ends too early"),
        ("a || b)", "syntax error in 'a || b)' at column 7: unexpected ')'"),
        ("()", "syntax error in '()' at column 2: unexpected ')'"),
        ("a $ b", "syntax error in 'a $ b' at column 3: unexpected character '$'"),
        ("a & b", "syntax error in 'a & b' at column 3: unexpected character '&'"),
        ("a | b", "syntax error in 'a | b' at column 3: unexpected character '|'"),
        ("a b", "syntax error in 'a b' at column 3: unexpected 'b'"),
    ],
)
def test_it_reports_syntax_errors_with_their_message(text, message):
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)

    assert str(caught.value) == message


def test_it_reports_a_missing_condition_as_empty():
    with pytest.raises(ConditionError, match="the condition is empty"):
        parse_condition(None)


# --- validate_rules ----------------------------------------------------------------------------


def test_it_accepts_valid_rules():
    assert validate_rules(RULES, CHOICES) == []
    assert validate_rules([("default", "HIGH_RISK")], CHOICES) == []


def test_it_reports_an_unknown_choice_key():
    rules = [("a1 && zz && a2", "NO_RISK"), ("a1 || yy", "MEDIUM_RISK"), ("default", "HIGH_RISK")]

    assert validate_rules(rules, CHOICES) == [
        "rule 1: unknown choice 'zz'",
        "rule 2: unknown choice 'yy'",
    ]


def test_it_reports_a_choice_of_another_question():
    assert validate_rules([("b1", "NO_RISK"), ("default", "HIGH_RISK")], CHOICES) == ["rule 1: unknown choice 'b1'"]


def test_it_reports_default_that_is_not_last():
    rules = [("default", "HIGH_RISK"), ("a1", "MEDIUM_RISK")]

    assert validate_rules(rules, CHOICES) == [
        "rule 1: 'default' must be the last rule",
        "rule 2: the last rule must be 'default'",
    ]


def test_it_reports_a_missing_default():
    assert validate_rules([("a1 && a2", "NO_RISK"), ("a1", "MEDIUM_RISK")], CHOICES) == [
        "rule 2: the last rule must be 'default'"
    ]


def test_it_reports_no_rules_at_all():
    assert validate_rules([], CHOICES) == ["a question needs at least the 'default' rule"]


def test_it_reports_more_than_three_rules():
    rules = [
        ("a1 && a2 && a3", "NO_RISK"),
        ("a1 && a2", "MEDIUM_RISK"),
        ("a1", "MEDIUM_RISK"),
        ("default", "HIGH_RISK"),
    ]

    assert MAX_RULES == 3
    assert validate_rules(rules, CHOICES) == ["at most 3 rules are allowed, found 4"]


def test_it_reports_syntax_errors_by_rule_number():
    rules = [("a1 &&", "NO_RISK"), ("a1 $", "MEDIUM_RISK"), ("default", "HIGH_RISK")]

    assert validate_rules(rules, CHOICES) == [
        "rule 1: syntax error in 'a1 &&': the condition ends too early",
        "rule 2: syntax error in 'a1 $' at column 4: unexpected character '$'",
    ]


# --- first_matching_risk -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selected", "risk"),
    [
        ({"a1", "a2", "a3"}, "NO_RISK"),
        ({"a1", "a2"}, "MEDIUM_RISK"),
        ({"a1"}, "MEDIUM_RISK"),
        ({"a2", "a3"}, "HIGH_RISK"),
        ({"no"}, "HIGH_RISK"),
        (set(), "HIGH_RISK"),
    ],
)
def test_it_gives_the_risk_of_the_first_rule_that_holds(selected, risk):
    assert first_matching_risk(RULES, selected) == risk


def test_it_stops_at_the_first_true_rule_even_if_a_later_one_holds_too():
    rules = [("a1", "MEDIUM_RISK"), ("a1 && a2", "NO_RISK"), ("default", "HIGH_RISK")]

    assert first_matching_risk(rules, ["a1", "a2"]) == "MEDIUM_RISK"


def test_it_raises_when_no_rule_matches():
    with pytest.raises(ConditionError, match="no rule matched"):
        first_matching_risk([("a1", "NO_RISK")], {"a2"})


# --- risk_distribution -------------------------------------------------------------------------


def test_it_counts_every_valid_combination_once():
    # 7 non-empty subsets of {a1, a2, a3} plus {no} alone; 'no' with anything else is not valid.
    assert risk_distribution(RULES, CHOICES, none_key="no") == {
        "NO_RISK": 1,  # a1 a2 a3
        "MEDIUM_RISK": 3,  # a1 / a1 a2 / a1 a3
        "HIGH_RISK": 4,  # a2 / a3 / a2 a3 / no
    }


def test_it_counts_combinations_with_the_none_key_when_it_is_not_exclusive():
    counts = risk_distribution(RULES, CHOICES)

    assert sum(counts.values()) == 2 ** len(CHOICES) - 1
    assert counts == {"NO_RISK": 2, "MEDIUM_RISK": 6, "HIGH_RISK": 7}


# --- Property: the parser agrees with Python's own boolean logic ---------------------------------

_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "key": 4}


def _expressions():
    leaves = st.sampled_from(KEYS).map(lambda key: ("key", key))

    def extend(children):
        return st.one_of(
            children.map(lambda child: ("not", child)),
            st.tuples(st.sampled_from(["and", "or"]), st.lists(children, min_size=2, max_size=3)).map(
                lambda pair: (pair[0], *pair[1])
            ),
        )

    return st.recursive(leaves, extend, max_leaves=8)


def _render(node, parent: int = 0, *, extra: bool = False) -> str:
    """Text with as few parentheses as precedence needs (or around every operator when extra)."""
    kind = node[0]
    if kind == "key":
        return node[1]
    if kind == "not":
        text = "!" + _render(node[1], _PRECEDENCE["not"], extra=extra)
    else:
        operator = " && " if kind == "and" else " || "
        # Left-associative and associative: each operand binds one step tighter than the operator.
        text = operator.join(_render(child, _PRECEDENCE[kind] + 1, extra=extra) for child in node[1:])
    return f"({text})" if extra or _PRECEDENCE[kind] < parent else text


def _truth(node, selected) -> bool:
    kind = node[0]
    if kind == "key":
        return node[1] in selected
    if kind == "not":
        return not _truth(node[1], selected)
    values = [_truth(child, selected) for child in node[1:]]
    return all(values) if kind == "and" else any(values)


@settings(max_examples=150, deadline=None)
@given(expression=_expressions(), selected=st.frozensets(st.sampled_from(KEYS)), extra=st.booleans())
def test_it_agrees_with_boolean_logic_for_any_expression(expression, selected, extra):
    condition = parse_condition(_render(expression, extra=extra))

    assert condition.holds(selected) is _truth(expression, selected)
    assert condition.keys <= frozenset(KEYS)
