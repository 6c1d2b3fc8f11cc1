"""The archive format's name and version, its timestamps, and the error a bad file raises."""

from datetime import UTC, date, datetime

FORMAT = "wa-workload-archive"
VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024


class WorkloadArchiveError(ValueError):
    """An archive that cannot be imported; ``messages`` names each problem with its place."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with microseconds, the same text for the same instant on every instance."""
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_timestamp(text: str) -> datetime:
    """A timestamp of the archive; ValueError unless ISO 8601 with a UTC offset."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("no time zone")
    return value.astimezone(UTC)
