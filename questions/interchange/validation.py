"""The format's rules, checked on a whole file with every problem named by its place."""

import json

from ..jsonfile import Problems, echo
from ..rules import MAX_RULES, ConditionError, parse_condition
from .spec import (
    ID_CHARS,
    LIMITS,
    MAX_ADDITIONAL_LINKS,
    MAX_CHOICES,
    MAX_FILE_BYTES,
    MAX_PILLARS,
    MAX_QUESTIONS,
    MIN_ID,
    NONE_SUFFIX,
    RESOURCE_TYPES,
    RISKS,
    SCHEMA_VERSION,
)

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


def _kind(value) -> str:
    return _JSON_TYPES.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


class _Checker:
    def __init__(self) -> None:
        self.problems = Problems()

    def add(self, place: str, message: str) -> None:
        self.problems.append(f"{place or 'lens'}: {message}")

    def get(self, obj: dict, key: str, place: str, kind: type, *, required: bool = True):
        """``obj[key]`` when present and of the kind, else None (and a problem when it should be)."""
        if key not in obj:
            if required:
                self.add(place, f'"{key}" is missing')
            return None
        value = obj[key]
        if not isinstance(value, kind):
            self.add(_join(place, key), f"must be {_JSON_TYPES[kind]}, found {_kind(value)}")
            return None
        return value

    def text(self, obj: dict, key: str, place: str, limit: int, *, required: bool = True, blank: bool = False):
        value = self.get(obj, key, place, str, required=required)
        if value is None:
            return None
        if not blank and not value.strip():
            self.add(_join(place, key), "must not be empty")
        if len(value) > limit:
            self.add(_join(place, key), f"longer than {limit} characters ({len(value)})")
        if "\x00" in value:
            self.add(_join(place, key), "must not contain NUL characters (\\u0000)")
        return value

    def ident(self, obj: dict, place: str, limit: int) -> str | None:
        value = self.get(obj, "id", place, str)
        if value is None:
            return None
        if not ID_CHARS.fullmatch(value) or not MIN_ID <= len(value) <= limit:
            self.add(f"{place}.id", f'"{echo(value)}" must be {MIN_ID}-{limit} letters, digits or underscores')
        return value

    def url(self, obj: dict, place: str, limit: int) -> None:
        value = self.text(obj, "url", place, limit, required=False)
        if value and not value.startswith(("https://", "http://")):
            self.add(f"{place}.url", f'"{echo(value)}" must start with https:// or http://')

    def items(self, obj: dict, key: str, place: str, *, low: int, high: int) -> list[tuple[str, dict]]:
        """The objects of the array ``obj[key]`` with their places, checking the array's length.

        The array may be missing only when it may be empty (``low`` is 0).
        """
        values = self.get(obj, key, place, list, required=low > 0)
        if values is None:
            return []
        if not low <= len(values) <= high:
            self.add(_join(place, key), f"must have {low} to {high} entries, found {len(values)}")
        result = []
        for index, value in enumerate(values):
            where = f"{_join(place, key)}[{index}]"
            if isinstance(value, dict):
                result.append((where, value))
            else:
                self.add(where, f"must be an object, found {_kind(value)}")
        return result

    def unique(self, entries: list[tuple[str, str | None]], what: str) -> None:
        seen: dict[str, str] = {}
        for place, ident in entries:
            if ident is None:
                continue
            if ident in seen:
                self.add(place, f'duplicate {what} "{echo(ident)}" (first at {seen[ident]})')
            else:
                seen[ident] = place


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def validate_aws_lens(data) -> list[str]:
    """Every way ``data`` breaks the custom lens format (see the module docstring), as messages.

    A file over the format's size is refused on that alone; otherwise the first 50 problems are
    listed, then how many more there are.
    """
    return check_aws_lens(data).messages()


def check_aws_lens(data) -> Problems:
    """The problems of ``validate_aws_lens``, with the count of those past the first 50."""
    check = _Checker()
    if not isinstance(data, dict):
        check.add("", f"must be an object, found {_kind(data)}")
        return check.problems
    size = len(json.dumps(data, ensure_ascii=False).encode())
    if size > MAX_FILE_BYTES:
        check.add("", f"larger than {MAX_FILE_BYTES} bytes ({size})")
        return check.problems
    version = check.get(data, "schemaVersion", "", str)
    if version is not None and version != SCHEMA_VERSION:
        check.add("schemaVersion", f'must be "{SCHEMA_VERSION}", found "{echo(version)}"')
    check.text(data, "name", "", LIMITS.lens_name)
    check.text(data, "description", "", LIMITS.lens_description)
    pillars = check.items(data, "pillars", "", low=1, high=MAX_PILLARS)
    check.unique([(place, _pillar(check, place, pillar)) for place, pillar in pillars], "pillar id")
    question_ids = [
        (place, question["id"] if isinstance(question.get("id"), str) else None)
        for pillar_place, pillar in pillars
        for place, question in _questions(pillar, pillar_place)
    ]
    check.unique(question_ids, "question id")
    return check.problems


def _questions(pillar: dict, place: str) -> list[tuple[str, dict]]:
    values = pillar.get("questions")
    if not isinstance(values, list):
        return []
    return [(f"{place}.questions[{i}]", q) for i, q in enumerate(values) if isinstance(q, dict)]


def _pillar(check: _Checker, place: str, pillar: dict) -> str | None:
    ident = check.ident(pillar, place, LIMITS.pillar_id)
    check.text(pillar, "name", place, LIMITS.pillar_name)
    for where, question in check.items(pillar, "questions", place, low=0, high=MAX_QUESTIONS):
        _question(check, where, question)
    return ident


def _question(check: _Checker, place: str, question: dict) -> None:
    check.ident(question, place, LIMITS.question_id)
    check.text(question, "title", place, LIMITS.question_title)
    check.text(question, "description", place, LIMITS.question_description, required=False, blank=True)
    resource = check.get(question, "helpfulResource", place, dict, required=False)
    if resource is not None:
        check.text(resource, "displayText", f"{place}.helpfulResource", LIMITS.question_resource_text)
        check.url(resource, f"{place}.helpfulResource", LIMITS.question_resource_url)
    choices = check.items(question, "choices", place, low=1, high=MAX_CHOICES)
    ids = [(where, _choice(check, where, choice)) for where, choice in choices]
    check.unique(ids, "choice id")
    nones = [where for where, ident in ids if ident and ident.endswith(NONE_SUFFIX)]
    if len(nones) > 1:
        check.add(
            f"{place}.choices", f'more than one "None of these" choice (ids ending in {NONE_SUFFIX}): {nones[:5]}'
        )
    _rules(check, place, question, {ident for _, ident in ids if ident})


def _choice(check: _Checker, place: str, choice: dict) -> str | None:
    ident = check.ident(choice, place, LIMITS.choice_id)
    check.text(choice, "title", place, LIMITS.choice_title)
    check.text(choice, "description", place, LIMITS.choice_description, required=False, blank=True)
    is_none = bool(ident and ident.endswith(NONE_SUFFIX))
    for key in ("helpfulResource", "improvementPlan"):
        required = key == "improvementPlan" and not is_none and ident is not None
        content = check.get(choice, key, place, dict, required=required)
        if content is not None:
            _content(check, f"{place}.{key}", content)
    resources = check.items(choice, "additionalResources", place, low=0, high=len(RESOURCE_TYPES))
    kinds: list[tuple[str, str | None]] = []
    for where, resource in resources:
        kind = check.get(resource, "type", where, str)
        if kind is not None and kind not in RESOURCE_TYPES:
            check.add(f"{where}.type", f'must be one of {", ".join(RESOURCE_TYPES)}, found "{echo(kind)}"')
        kinds.append((where, kind))
        for link_place, link in check.items(resource, "content", where, low=1, high=MAX_ADDITIONAL_LINKS):
            _content(check, link_place, link)
    check.unique(kinds, "additional resource type")
    return ident


def _content(check: _Checker, place: str, content: dict) -> None:
    check.text(content, "displayText", place, LIMITS.choice_content_text)
    check.url(content, place, LIMITS.choice_content_url)


def _rules(check: _Checker, place: str, question: dict, choice_ids: set[str]) -> None:
    rules = check.items(question, "riskRules", place, low=1, high=MAX_RULES)
    for index, (where, rule) in enumerate(rules):
        risk = check.get(rule, "risk", where, str)
        if risk is not None and risk not in RISKS:
            check.add(f"{where}.risk", f'must be one of {", ".join(RISKS)}, found "{echo(risk)}"')
        text = check.get(rule, "condition", where, str)
        if text is None:
            continue
        try:
            condition = parse_condition(text)
        except ConditionError as exc:
            check.add(f"{where}.condition", str(exc))
            continue
        for key in sorted(condition.keys - choice_ids):
            check.add(where, f'unknown choice "{echo(key)}"')
        is_last = index == len(rules) - 1
        if condition.is_default and not is_last:
            check.add(where, '"default" must be the last rule')
        if is_last and not condition.is_default:
            check.add(f"{place}.riskRules", 'the last rule must be "default"')
