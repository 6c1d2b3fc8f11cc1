"""What the workshop benchmark counts and checks: latencies, confirmed saves, nothing lost, CPU meters."""

import time
from collections import Counter
from dataclasses import dataclass, field

from bench.server import cpu_seconds, machine_busy_seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


@dataclass
class Confirmed:
    """A save the server confirmed (200), with the answer as it then stood."""

    question: str
    version: int
    at: float
    choices: frozenset[str]
    notes: str
    who: str


@dataclass
class Stats:
    times: dict[str, list[float]] = field(default_factory=dict)
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (answered at, ms) of every request
    errors: Counter = field(default_factory=Counter)
    conflicts: int = 0
    kept_mine: int = 0
    given_up: int = 0
    merged: int = 0
    polls_204: int = 0
    polls_200: int = 0
    started: float = 0.0
    confirmed: list[Confirmed] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.times.setdefault(kind, []).append(seconds * 1000)
        if not kind.startswith("poll:"):
            self.timeline.append((time.monotonic(), seconds * 1000))

    def error(self, what: str) -> None:
        self.errors[what] += 1


def check_nothing_lost(review_id: int, confirmed: list[Confirmed]) -> dict:
    """Compare the database with the last confirmed save of every question, and the history with every save."""
    from django.db import close_old_connections

    from reviewapp.models import Answer, AnswerChange

    close_old_connections()
    last: dict[str, Confirmed] = {}
    last_by_time: dict[str, Confirmed] = {}
    for save in confirmed:
        if save.question not in last or save.version > last[save.question].version:
            last[save.question] = save
        if save.question not in last_by_time or save.at > last_by_time[save.question].at:
            last_by_time[save.question] = save
    answers = {
        a.question.key: a
        for a in Answer.objects.filter(review_id=review_id)
        .select_related("question")
        .prefetch_related("selected_choices")
    }
    mismatches, unconfirmed = [], 0
    for key, save in sorted(last.items()):
        answer = answers[key]
        stored = (frozenset(c.key for c in answer.selected_choices.all()), answer.notes)
        if stored != (save.choices, save.notes):
            mismatches.append(
                f"{key}: database {sorted(stored[0])} {stored[1]!r}, last save v{save.version} "
                f"{sorted(save.choices)} {save.notes!r}"
            )
        unconfirmed += answer.version - save.version  # saves the server made that no one saw confirmed
    history = {
        (c.answer.question.key, c.version): c.after
        for c in AnswerChange.objects.filter(answer__review_id=review_id).select_related("answer__question")
    }
    history_mismatches = sum(
        1
        for s in confirmed
        if (after := history.get((s.question, s.version))) is None
        or (frozenset(after["choices"]), after["notes"]) != (s.choices, s.notes)
    )
    versions = Counter((s.question, s.version) for s in confirmed)
    return {
        "questions": len(last),
        "mismatches": mismatches,
        "history_mismatches": history_mismatches,
        "duplicate_versions": sum(1 for n in versions.values() if n > 1),
        "unconfirmed": unconfirmed,
        "time_order_differs": sum(1 for k in last if last_by_time[k].version != last[k].version),
    }


class Meter:
    """Wall time and the CPU used by gunicorn (master and workers), PostgreSQL and this client over a phase."""

    def __init__(self, server_pids: list[int], postgres: list[int]):
        self.server_pids, self.postgres = server_pids, postgres

    def _now(self) -> tuple[float, ...]:
        return (
            time.monotonic(),
            cpu_seconds(self.server_pids),
            cpu_seconds(self.postgres),
            time.process_time(),
            machine_busy_seconds(),
        )

    def __enter__(self) -> "Meter":
        self.started = self._now()
        return self

    def __exit__(self, *exc) -> None:
        changes = [b - a for a, b in zip(self.started, self._now(), strict=True)]
        self.wall, self.server, self.db, self.client, busy = changes
        self.others = max(0.0, busy - self.server - self.db - self.client)  # processes not part of this benchmark

    def row(self, name: str, requests: int) -> str:
        n = max(requests, 1)
        return (
            f"| {name} | {requests} | {self.wall:.1f} | {requests / self.wall:.0f} | {self.server / n * 1000:.2f} "
            f"| {self.db / n * 1000:.2f} | {self.server / self.wall:.2f} / {self.db / self.wall:.2f} "
            f"/ {self.client / self.wall:.2f} / {self.others / self.wall:.2f} |"
        )


def row(name: str, values: list[float], elapsed: float) -> str:
    return (
        f"| {name} | {len(values)} | {len(values) / elapsed:.1f} | {percentile(values, 0.5):.1f} "
        f"| {percentile(values, 0.95):.1f} | {percentile(values, 0.99):.1f} | {max(values):.1f} |"
    )
