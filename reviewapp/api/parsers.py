"""The API's JSON request bodies, read by the project's one JSON reader (questions/jsonfile.py)."""

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from questions.jsonfile import NotJSON, read_json


class ProjectJSONParser(JSONParser):
    """DRF's JSON parser, with the reader the file imports use: a body nested too deeply is a 400, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        if encoding.lower().replace("-", "") != "utf8":
            try:
                raw = raw.decode(encoding)
            except (LookupError, UnicodeDecodeError) as exc:
                raise ParseError(f"not JSON: the body is not {encoding}") from exc
        try:
            return read_json(raw)
        except NotJSON as exc:
            raise ParseError(str(exc)) from None
