"""Reading an archive's values by place, every problem collected (the style of questions/interchange)."""

from datetime import date, datetime

from django.contrib.auth import get_user_model

from .spec import parse_timestamp

_KINDS = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a whole number"}
REQUIRED = object()


def kind_of(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return _KINDS.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


def join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


class ArchiveReader:
    """Typed reads of the archive's values; each wrong one is a problem naming its place, and reads as None."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.unknown_users: list[str] = []
        self._users: dict[str, object] = {}

    def add(self, place: str, message: str) -> None:
        self.problems.append(f"{place or 'archive'}: {message}")

    def value(
        self,
        obj: dict,
        key: str,
        place: str,
        kind: type,
        *,
        default=REQUIRED,
        choices=None,
        max_length: int | None = None,
        nullable: bool = False,
    ):
        where = join(place, key)
        if key not in obj:
            if default is REQUIRED:
                self.add(place, f'"{key}" is missing')
                return None
            return default
        value = obj[key]
        if value is None and nullable:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.add(where, f"must be {_KINDS[kind]}, found {kind_of(value)}")
            return None
        if kind is int and value < 0:
            self.add(where, f"must not be negative, found {value}")
            return None
        if choices is not None and value not in choices:
            self.add(where, f'must be one of {", ".join(repr(c) for c in choices)}, found "{value}"')
            return None
        if max_length is not None and len(value) > max_length:
            self.add(where, f"longer than {max_length} characters ({len(value)})")
            return None
        return value

    def items(self, obj: dict, key: str, place: str) -> list[tuple[str, dict]]:
        """The objects of the array ``obj[key]`` (empty when missing) with their places."""
        values = self.value(obj, key, place, list, default=[])
        result = []
        for index, value in enumerate(values or []):
            where = f"{join(place, key)}[{index}]"
            if isinstance(value, dict):
                result.append((where, value))
            else:
                self.add(where, f"must be an object, found {kind_of(value)}")
        return result

    def time(self, obj: dict, key: str, place: str, *, nullable: bool = True) -> datetime | None:
        text = self.value(obj, key, place, str, default=None if nullable else REQUIRED, nullable=nullable)
        if text is None:
            return None
        try:
            return parse_timestamp(text)
        except ValueError:
            self.add(join(place, key), f'must be an ISO 8601 time with its offset, found "{text}"')
            return None

    def day(self, obj: dict, key: str, place: str) -> date | None:
        text = self.value(obj, key, place, str, default=None, nullable=True)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.add(join(place, key), f'must be a date (YYYY-MM-DD), found "{text}"')
            return None

    def user(self, obj: dict, key: str, place: str):
        """The user named there, or None when none is named or the name is unknown here (a warning)."""
        name = self.value(obj, key, place, str, default=None, nullable=True)
        return self.user_named(name) if name else None

    def user_named(self, name: str):
        if name not in self._users:
            self._users[name] = get_user_model().objects.filter(username=name).first()
            if self._users[name] is None:
                self.unknown_users.append(name)
        return self._users[name]
