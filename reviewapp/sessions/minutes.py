"""The minutes of a session, computed from what was stored while it ran.

Attendance, the agenda with the time the clock ran on each item (from the session's events),
every answer change attributed to the session by ``answer_save`` (merged saves of two people
and restores included, each as its own change), the risks per pillar before and after (from the
answers' history at the session's start and end), the discussion states and the parking lot.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from ..bank import Bank, load_bank
from ..models import AnswerChange, AnswerRisk, DiscussionState, ReviewSession
from .attendance import attendance_tally
from .running import item_seconds


@dataclass(frozen=True)
class AttendeeLine:
    username: str
    expected: bool
    joined_at: datetime | None
    left_at: datetime | None
    seconds: int
    corrected: bool

    @property
    def minutes(self) -> int:
        return round(self.seconds / 60)


@dataclass(frozen=True)
class AgendaLine:
    target: str
    label: str
    planned_minutes: int
    actual_seconds: int

    @property
    def actual_minutes(self) -> float:
        return round(self.actual_seconds / 60, 1)


@dataclass(frozen=True)
class ChangeLine:
    question: str
    label: str
    title: str
    version: int
    who: str
    at: datetime
    risk_before: str
    risk_after: str
    added: list[str]
    removed: list[str]
    applicable_before: bool
    applicable_after: bool
    notes_changed: bool
    restored_from: int | None
    na_marked: list[str]  # practices marked as not applying by this change
    na_cleared: list[str]  # practices that apply again


@dataclass(frozen=True)
class PillarRisks:
    pillar: str
    name: str
    high_before: int
    medium_before: int
    high_after: int
    medium_after: int


@dataclass(frozen=True)
class QuestionLine:
    question: str
    label: str
    title: str


@dataclass(frozen=True)
class ParkingLine:
    text: str
    question: str
    raised_by: str
    owner: str


@dataclass(frozen=True)
class CommentLine:
    question: str
    author: str
    text: str
    at: datetime
    mentions: list[str]


@dataclass(frozen=True)
class EventLine:
    kind: str
    at: datetime
    by: str


@dataclass(frozen=True)
class Minutes:
    title: str
    status: str
    facilitator: str
    planned_start: datetime
    started_at: datetime | None
    ended_at: datetime | None
    attendees: list[AttendeeLine]
    agenda: list[AgendaLine]
    changes: list[ChangeLine]
    risks: list[PillarRisks]
    discussed: list[QuestionLine]
    deferred: list[QuestionLine]
    needs_evidence: list[QuestionLine]
    parking: list[ParkingLine]
    comments: list[CommentLine]
    events: list[EventLine]

    def as_json(self) -> dict:
        """The minutes as JSON-ready data (dates as ISO 8601)."""

        def plain(value):
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {key: plain(item) for key, item in value.items()}
            if isinstance(value, list):
                return [plain(item) for item in value]
            return value

        return plain(asdict(self))


def _name(user) -> str:
    return user.get_username() if user is not None else ""


def _risks_at(history: list[tuple[int, datetime, str]], moment: datetime | None, *, strict: bool) -> dict[int, str]:
    """Each question's risk at a moment, from the changes (question id, when, risk after) in time order."""
    risks: dict[int, str] = {}
    for question_id, at, risk in history:
        if moment is not None and (at >= moment if strict else at > moment):
            break
        risks[question_id] = risk
    return risks


def _count(ids: list[int], risks: dict[int, str], level: str) -> int:
    return sum(1 for pk in ids if risks.get(pk) == level)


def _pillar_risks(bank: Bank, before: dict[int, str], after: dict[int, str]) -> list[PillarRisks]:
    lines = []
    for pillar in bank.pillars:
        ids = [q.question.pk for q in bank.questions if q.pillar.pk == pillar.pk]
        lines.append(
            PillarRisks(
                pillar=pillar.key,
                name=pillar.name,
                high_before=_count(ids, before, AnswerRisk.HIGH),
                medium_before=_count(ids, before, AnswerRisk.MEDIUM),
                high_after=_count(ids, after, AnswerRisk.HIGH),
                medium_after=_count(ids, after, AnswerRisk.MEDIUM),
            )
        )
    return lines


def _with_tally(session: ReviewSession, rows: list, attendees: list[AttendeeLine], expected: dict):
    tally = attendance_tally(session.pk)
    corrected = {row.user_id for row in rows if row.corrected_by_id is not None}
    names = dict(get_user_model().objects.filter(pk__in=list(tally)).values_list("pk", "username")) if tally else {}
    lines = {row.user_id: line for row, line in zip(rows, attendees, strict=True)}
    for user_id, (first, last, seconds) in tally.items():
        if user_id in corrected or user_id not in names:
            continue
        lines[user_id] = AttendeeLine(
            username=names[user_id],
            expected=user_id in expected,
            joined_at=datetime.fromtimestamp(first, UTC),
            left_at=datetime.fromtimestamp(last, UTC),
            seconds=round(seconds),
            corrected=False,
        )
    ordered = sorted(lines.values(), key=lambda line: line.username)
    return ordered, set(lines)


def session_minutes(session: ReviewSession) -> Minutes:
    """The session's minutes, in a fixed number of queries whatever its size."""
    review = session.review
    bank = load_bank(review.lens)
    now = timezone.now()
    events = list(session.events.select_related("by"))
    spent = item_seconds(events, session.ended_at or now)
    agenda = [
        AgendaLine(
            target=item.target_key,
            label=item.label,
            planned_minutes=item.minutes,
            actual_seconds=spent.get(item.order, 0),
        )
        for item in session.agenda.select_related("pillar", "question")
    ]
    expected = {user.pk: user for user in session.expected.all()}
    rows = list(session.attendance.select_related("user"))
    attendees = [
        AttendeeLine(
            username=row.user.get_username(),
            expected=row.user_id in expected,
            joined_at=row.joined_at,
            left_at=row.left_at,
            seconds=row.seconds,
            corrected=row.corrected_by_id is not None,
        )
        for row in rows
    ]
    present = {row.user_id for row in rows}
    if session.is_live:  # while it runs, the cache's tally is newer than the rows (read, never written here)
        attendees, present = _with_tally(session, rows, attendees, expected)
    attendees += [
        AttendeeLine(
            username=user.get_username(), expected=True, joined_at=None, left_at=None, seconds=0, corrected=False
        )
        for pk, user in sorted(expected.items(), key=lambda e: e[1].get_username())
        if pk not in present
    ]
    changes = []
    for change in session.answer_changes.select_related("answer__question", "changed_by").order_by("changed_at", "pk"):
        question = change.answer.question
        item = bank.by_id.get(question.pk)
        titles = item.choices_by_key if item else {}
        before, after = set(change.before.get("choices", [])), set(change.after.get("choices", []))
        na_before, na_after = set(change.before.get("choice_na", {})), set(change.after.get("choice_na", {}))
        changes.append(
            ChangeLine(
                question=question.key,
                label=question.label,
                title=question.title,
                version=change.version,
                who=_name(change.changed_by),
                at=change.changed_at,
                risk_before=change.before.get("risk", AnswerRisk.UNANSWERED),
                risk_after=change.after.get("risk", AnswerRisk.UNANSWERED),
                added=[titles[key].title if key in titles else key for key in sorted(after - before)],
                removed=[titles[key].title if key in titles else key for key in sorted(before - after)],
                applicable_before=change.before.get("applicable", True),
                applicable_after=change.after.get("applicable", True),
                notes_changed=change.before.get("notes", "") != change.after.get("notes", ""),
                restored_from=change.restored_from,
                na_marked=[titles[key].title if key in titles else key for key in sorted(na_after - na_before)],
                na_cleared=[titles[key].title if key in titles else key for key in sorted(na_before - na_after)],
            )
        )
    history = [
        (question_id, at, risk)
        for question_id, at, risk in AnswerChange.objects.filter(answer__review=review)
        .order_by("changed_at", "pk")
        .values_list("answer__question_id", "changed_at", "after__risk")
    ]
    risks = _pillar_risks(
        bank,
        _risks_at(history, session.started_at, strict=True) if session.started_at else {},
        _risks_at(history, session.ended_at, strict=False) if session.started_at else {},
    )
    by_state: dict[str, list[QuestionLine]] = {state: [] for state in DiscussionState.values}
    for row in session.discussions.select_related("question"):
        by_state[row.state].append(QuestionLine(row.question.key, row.question.label, row.question.title))
    parking = [
        ParkingLine(
            text=item.text,
            question=item.question.label if item.question_id else "",
            raised_by=_name(item.raised_by),
            owner=_name(item.owner),
        )
        for item in session.parking.select_related("question", "raised_by", "owner")
    ]
    comments = [
        CommentLine(
            question=comment.question.label,
            author=_name(comment.author),
            text=comment.body,
            at=comment.created_at,
            mentions=[user.get_username() for user in comment.mentions.all()],
        )
        for comment in session.comments.filter(deleted_at__isnull=True)
        .select_related("question", "author")
        .prefetch_related("mentions")
        .order_by("created_at", "pk")
    ]
    return Minutes(
        title=session.title,
        status=session.status,
        facilitator=_name(session.facilitator),
        planned_start=session.planned_start,
        started_at=session.started_at,
        ended_at=session.ended_at,
        attendees=attendees,
        agenda=agenda,
        changes=changes,
        risks=risks,
        discussed=by_state[DiscussionState.DISCUSSED],
        deferred=by_state[DiscussionState.DEFERRED],
        needs_evidence=by_state[DiscussionState.NEEDS_EVIDENCE],
        parking=parking,
        comments=comments,
        events=[EventLine(kind=event.kind, at=event.at, by=_name(event.by)) for event in events],
    )
