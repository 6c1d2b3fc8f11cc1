"""The JSON text of an uploaded file (a lens, a review's answers) read as data.

Every JSON document the app takes from outside goes through ``read_json``: the lens and
answers imports (pages, admin, commands) and the API's request bodies (reviewapp/api/parsers.py).
"""

import json


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
