"""The JSON text of an uploaded file (a lens, a review's answers) read as data, and its problems told back.

Every JSON document the app takes from outside goes through ``read_json``: the lens and
answers imports (pages, admin, commands) and the API's request bodies (reviewapp/api/parsers.py).
The problems of such a file are collected in a ``Problems`` list, which keeps the first
``MAX_PROBLEMS`` and counts the rest, and quote the file's values through ``echo``, which cuts
them to ``ECHO_LIMIT`` characters: a file cannot make the answer about it unbounded.
"""

import json

MAX_PROBLEMS = 50
ECHO_LIMIT = 80


class NotJSON(ValueError):
    """The file is not JSON; the message says where it breaks."""


def _no_constant(name: str):
    raise NotJSON(f"not JSON: {name} is not a JSON number")


def read_json(raw: str | bytes):
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        raise NotJSON(f"not JSON: the file is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        # Some of the decoder's messages end in "at" ("Unterminated string starting at").
        message = exc.msg.removesuffix(" at")
        raise NotJSON(f"not JSON: {message} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        # Arrays or objects nested thousands deep exhaust Python's stack before the decoder ends.
        raise NotJSON("not JSON we can read: arrays or objects are nested too deeply") from None


def echo(value) -> str:
    """A value of the file as a message quotes it: never longer than ECHO_LIMIT, NUL made visible."""
    if not isinstance(value, str):
        value = repr(value) if isinstance(value, int | float | None) else f"<{type(value).__name__}>"
    text = value.replace("\x00", "\\u0000")
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


class Problems:
    """The problems of a file: the first MAX_PROBLEMS kept as they are, the others only counted."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.more = 0

    def append(self, message: str) -> None:
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(message)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.kept)

    @property
    def total(self) -> int:
        return len(self.kept) + self.more

    def messages(self) -> list[str]:
        """The kept problems, then how many more there were."""
        more = [f"… and {self.more} more problem{'s' if self.more > 1 else ''}"] if self.more else []
        return self.kept + more
