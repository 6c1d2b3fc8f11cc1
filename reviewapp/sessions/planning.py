"""Planning a session: its title, time, facilitator, agenda and expected attendees."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from ..bank import load_bank
from ..models import AgendaItem, Review, ReviewSession
from . import check_run, check_write

MAX_MINUTES = 480
MAX_ITEMS = 100


@dataclass(frozen=True)
class AgendaEntry:
    """One agenda line as people give it: ``pillar:<key>`` or ``question:<key>``, and minutes."""

    target: str
    minutes: int


def agenda_problems(review: Review, agenda: list[AgendaEntry]) -> list[str]:
    """What is wrong with an agenda for this review's lens (empty when nothing is)."""
    bank = load_bank(review.lens)
    pillars = {pillar.key for pillar in bank.pillars}
    problems = []
    if not agenda:
        problems.append(_("Give the agenda at least one pillar or question."))
    if len(agenda) > MAX_ITEMS:
        problems.append(_("An agenda has at most %(count)d items.") % {"count": MAX_ITEMS})
    for number, entry in enumerate(agenda, 1):
        kind, _sep, key = entry.target.partition(":")
        if not ((kind == "pillar" and key in pillars) or (kind == "question" and key in bank.by_key)):
            problems.append(_("Item %(number)d is not a pillar or question of this lens.") % {"number": number})
        if not 1 <= entry.minutes <= MAX_MINUTES:
            problems.append(
                _("Item %(number)d: give between 1 and %(max)d minutes.") % {"number": number, "max": MAX_MINUTES}
            )
    return problems


def _check_people(review: Review, facilitator, expected: list) -> None:
    members = set(review.workload.members().values_list("pk", flat=True))
    if facilitator is None or facilitator.pk not in members:
        raise ValidationError(_("Choose a member of this workload to facilitate."), code="not_member")
    if any(person.pk not in members for person in expected):
        raise ValidationError(_("Expected attendees must be members of this workload."), code="not_member")


def _write_agenda(session: ReviewSession, review: Review, agenda: list[AgendaEntry]) -> None:
    problems = agenda_problems(review, agenda)
    if problems:
        raise ValidationError(problems, code="bad_agenda")
    bank = load_bank(review.lens)
    pillars = {pillar.key: pillar for pillar in bank.pillars}
    session.agenda.all().delete()
    items = []
    for order, entry in enumerate(agenda):
        kind, _sep, key = entry.target.partition(":")
        items.append(
            AgendaItem(
                session=session,
                order=order,
                pillar=pillars[key] if kind == "pillar" else None,
                question=bank.by_key[key].question if kind == "question" else None,
                minutes=entry.minutes,
            )
        )
    AgendaItem.objects.bulk_create(items)


@transaction.atomic
def session_plan(
    *,
    review: Review,
    user,
    title: str,
    planned_start: datetime,
    facilitator,
    agenda: list[AgendaEntry],
    expected: list,
) -> ReviewSession:
    """A new planned session of the review. Raises ValidationError for a bad agenda or people."""
    check_write(user, ReviewSession(review=review))
    _check_people(review, facilitator, expected)
    if problems := agenda_problems(review, agenda):
        raise ValidationError(problems, code="bad_agenda")
    session = ReviewSession.objects.create(
        review=review, title=title, planned_start=planned_start, facilitator=facilitator, created_by=user
    )
    session.expected.set(expected)
    _write_agenda(session, review, agenda)
    return session


@transaction.atomic
def session_edit(
    *,
    session: ReviewSession,
    user,
    title: str,
    planned_start: datetime,
    facilitator,
    agenda: list[AgendaEntry],
    expected: list,
) -> ReviewSession:
    """Change a session that has not started yet."""
    session = (
        ReviewSession.objects.select_for_update().select_related("review__workload", "review__lens").get(pk=session.pk)
    )
    check_write(user, session)
    if session.status != ReviewSession.Status.PLANNED:
        raise ValidationError(_("A session that has started cannot be replanned."), code="started")
    _check_people(session.review, facilitator, expected)
    session.title, session.planned_start, session.facilitator = title, planned_start, facilitator
    session.save(update_fields=["title", "planned_start", "facilitator"])
    session.expected.set(expected)
    _write_agenda(session, session.review, agenda)
    return session


@transaction.atomic
def session_delete(*, session: ReviewSession, user) -> None:
    """Delete a session that has not started (the facilitator or an owner)."""
    session = ReviewSession.objects.select_for_update().select_related("review__workload").get(pk=session.pk)
    check_run(user, session)
    if session.status != ReviewSession.Status.PLANNED:
        raise ValidationError(_("Only a session that has not started can be deleted."), code="started")
    session.delete()


def agenda_of(session: ReviewSession) -> list[AgendaEntry]:
    """The session's agenda as entries (what the plan form shows and a copy starts from)."""
    return [
        AgendaEntry(target=item.target_key, minutes=item.minutes)
        for item in session.agenda.select_related("pillar", "question")
    ]


def previous_agenda(review: Review) -> list[AgendaEntry]:
    """The agenda of the review's latest session, to start a new one from (empty when there is none)."""
    latest = review.sessions.order_by("-planned_start", "-pk").first()
    return agenda_of(latest) if latest else []


def sessions_listed(review: Review):
    """The review's sessions with how many attended and how many answer changes each holds."""
    return (
        review.sessions.select_related("facilitator")
        .annotate(
            attended=models.Count("attendance", filter=models.Q(attendance__seconds__gt=0), distinct=True),
            changed=models.Count("answer_changes", distinct=True),
        )
        .order_by("-planned_start", "-pk")
    )
