"""The JSON text of an uploaded file (a lens, a review's answers) read as data."""

import json


class NotJSON(ValueError):
    """The file is not JSON; the message says where it breaks."""


def read_json(raw: str | bytes):
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise NotJSON(f"not JSON: the file is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise NotJSON(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
