"""Path converters: ids that fit a PostgreSQL bigint (an absurd id is a 404, never a database error), export formats."""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class ExportFormatConverter:
    regex = "(?:csv|json)"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class MinutesFormatConverter(ExportFormatConverter):
    regex = "(?:md|json)"


register_converter(IdConverter, "id")
register_converter(MinutesFormatConverter, "minutesfmt")
register_converter(ExportFormatConverter, "fmt")
