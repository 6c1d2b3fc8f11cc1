"""Risk rule conditions in the AWS custom lens syntax, parsed by a real grammar.

A condition combines choice keys with ``&&``, ``||``, ``!`` and parentheses, or is the
word ``default``. A question's rules are tried in order and the first true one gives
the risk. A review evaluates them over the choices ticked together with the practices
marked as not applying (``reviewapp.risk.question_risk``): such a practice counts as
satisfied.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

DEFAULT = "default"
MAX_RULES = 3

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr ("||" and_expr)*
?and_expr: not_expr ("&&" not_expr)*
?not_expr: "!" not_expr -> not_
         | atom
?atom: CHOICE -> choice
     | "(" or_expr ")"
CHOICE: /[A-Za-z0-9_\-]+/
%ignore /[ \t\r\n]+/
"""

_parser = Lark(_GRAMMAR, parser="lalr")


class ConditionError(ValueError):
    """A condition that cannot be parsed or names a choice its question lacks."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition: the keys it names and a predicate over a set of selected keys."""

    text: str
    tree: Tree | Token | None  # None for ``default``

    @property
    def is_default(self) -> bool:
        return self.tree is None

    @property
    def keys(self) -> frozenset[str]:
        if self.tree is None:
            return frozenset()
        if isinstance(self.tree, Token):
            return frozenset({str(self.tree)})
        return frozenset(str(t) for t in self.tree.scan_values(lambda v: isinstance(v, Token)))

    def holds(self, selected: frozenset[str] | set[str]) -> bool:
        if self.tree is None:
            return True
        return _evaluate(self.tree, selected)


def _evaluate(node: Tree | Token, selected) -> bool:
    if isinstance(node, Token):
        return str(node) in selected
    kind = node.data
    if kind == "choice":
        return str(node.children[0]) in selected
    if kind == "not_":
        return not _evaluate(node.children[0], selected)
    if kind == "and_expr":
        return all(_evaluate(child, selected) for child in node.children)
    if kind == "or_expr":
        return any(_evaluate(child, selected) for child in node.children)
    raise ConditionError(f"unexpected node {kind}")  # pragma: no cover - grammar has no other


class _Simplify(Transformer):
    def choice(self, children):
        return children[0]


@lru_cache(maxsize=4096)
def parse_condition(text: str) -> Condition:
    """Parse one condition; raise ConditionError with the position of a syntax error."""
    stripped = (text or "").strip()
    if not stripped:
        raise ConditionError("the condition is empty")
    if stripped == DEFAULT:
        return Condition(text=stripped, tree=None)
    try:
        tree = _Simplify().transform(_parser.parse(stripped))
    except UnexpectedInput as exc:
        raise ConditionError(_describe_syntax_error(stripped, exc)) from None
    condition = Condition(text=stripped, tree=tree)
    if DEFAULT in condition.keys:
        raise ConditionError("'default' must stand alone as the whole condition")
    return condition


def _describe_syntax_error(text: str, exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return f"syntax error in {text!r}: the condition ends too early"
    column = getattr(exc, "column", None)
    if isinstance(exc, UnexpectedCharacters):
        return f"syntax error in {text!r} at column {column}: unexpected character {text[exc.pos_in_stream]!r}"
    if isinstance(exc, UnexpectedToken):
        return f"syntax error in {text!r} at column {column}: unexpected {str(exc.token)!r}"
    return f"syntax error in {text!r}"  # pragma: no cover


def validate_rules(rules: Sequence[tuple[str, str]], choice_keys: Iterable[str]) -> list[str]:
    """Problems with one question's ordered ``(condition, risk)`` rules, as messages.

    An empty list means the rules are valid: each parses, names only the question's
    own choices, there are at most three, and the last (only the last) is ``default``.
    """
    known = set(choice_keys)
    problems: list[str] = []
    if not rules:
        return ["a question needs at least the 'default' rule"]
    if len(rules) > MAX_RULES:
        problems.append(f"at most {MAX_RULES} rules are allowed, found {len(rules)}")
    for index, (text, _risk) in enumerate(rules, start=1):
        try:
            condition = parse_condition(text)
        except ConditionError as exc:
            problems.append(f"rule {index}: {exc}")
            continue
        for key in sorted(condition.keys - known):
            problems.append(f"rule {index}: unknown choice {key!r}")
        is_last = index == len(rules)
        if condition.is_default and not is_last:
            problems.append(f"rule {index}: 'default' must be the last rule")
        if is_last and not condition.is_default:
            problems.append(f"rule {index}: the last rule must be 'default'")
    return problems


def first_matching_risk(rules: Sequence[tuple[str, str]], selected: Iterable[str]) -> str:
    """Risk of the first rule whose condition holds for the selected choice keys."""
    chosen = frozenset(selected)
    for text, risk in rules:
        if parse_condition(text).holds(chosen):
            return risk
    raise ConditionError("no rule matched: the rules lack a final 'default'")


def risk_distribution(
    rules: Sequence[tuple[str, str]], choice_keys: Sequence[str], none_key: str | None = None
) -> dict[str, int]:
    """How many of all valid non-empty choice combinations land on each risk.

    A combination of the exclusive ``none_key`` with any other choice is not valid.
    """
    counts: dict[str, int] = {}
    keys = list(choice_keys)
    for picks in product((False, True), repeat=len(keys)):
        selected = {key for key, picked in zip(keys, picks, strict=True) if picked}
        if selected and not (none_key in selected and len(selected) > 1):
            risk = first_matching_risk(rules, selected)
            counts[risk] = counts.get(risk, 0) + 1
    return counts
