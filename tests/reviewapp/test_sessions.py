"""Review sessions as services: planning, the shared clock, attendance and the minutes from history."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Attendance, Review, ReviewSession, SessionEvent
from reviewapp.sessions.attendance import attendance_correct, attendance_record, attendance_touch
from reviewapp.sessions.discussion import discussion_set, parking_add, parking_delete
from reviewapp.sessions.minutes import session_minutes
from reviewapp.sessions.planning import AgendaEntry, previous_agenda, session_delete, session_edit, session_plan
from reviewapp.sessions.running import (
    remaining_seconds,
    session_end,
    session_extend,
    session_next,
    session_pause,
    session_reopen,
    session_resume,
    session_start,
)

AGENDA = [AgendaEntry("question:p1_q1", 10), AgendaEntry("pillar:p2", 20)]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def plan(review, alice, bob, **changes):
    values = {
        "review": review,
        "user": alice,
        "title": "Workshop 1",
        "planned_start": timezone.now(),
        "facilitator": alice,
        "agenda": AGENDA,
        "expected": [alice, bob],
    }
    return session_plan(**{**values, **changes})


def save(review, user, key, choices, notes=""):
    item = load_bank(review.lens).by_key[key]
    return answer_save(
        review=review,
        item=item,
        user=user,
        state=AnswerState(choices=frozenset(choices), applicable=True, reason="", notes=notes),
    )


def test_it_plans_a_session_with_an_ordered_agenda_and_expected_people(review, alice, bob):
    session = plan(review, alice, bob)

    assert [(i.order, i.target_key, i.minutes) for i in session.agenda.all()] == [
        (0, "question:p1_q1", 10),
        (1, "pillar:p2", 20),
    ]
    assert set(session.expected.values_list("username", flat=True)) == {"alice", "bob"}
    assert session.status == ReviewSession.Status.PLANNED


@pytest.mark.parametrize(
    "agenda",
    [[], [AgendaEntry("question:nope", 5)], [AgendaEntry("pillar:p1", 0)], [AgendaEntry("p1_q1", 5)]],
)
def test_it_refuses_a_bad_agenda(review, alice, bob, agenda):
    with pytest.raises(ValidationError):
        plan(review, alice, bob, agenda=agenda)
    assert not ReviewSession.objects.exists()


def test_it_refuses_people_who_are_not_members(review, alice, bob, charlie):
    with pytest.raises(ValidationError):
        plan(review, alice, bob, facilitator=charlie)
    with pytest.raises(ValidationError):
        plan(review, alice, bob, expected=[charlie])


def test_it_forbids_a_viewer_to_plan(review, alice, bob, vera):
    with pytest.raises(PermissionDenied):
        plan(review, alice, bob, user=vera)


def test_it_edits_and_copies_the_previous_agenda(review, alice, bob):
    session = plan(review, alice, bob)
    session_edit(
        session=session,
        user=bob,
        title="Renamed",
        planned_start=session.planned_start,
        facilitator=bob,
        agenda=[AgendaEntry("pillar:p1", 15)],
        expected=[bob],
    )
    session.refresh_from_db()

    assert session.title == "Renamed" and session.facilitator == bob
    assert previous_agenda(review) == [AgendaEntry("pillar:p1", 15)]


def test_it_deletes_only_a_session_that_has_not_started(review, alice, bob):
    started = plan(review, alice, bob)
    session_start(session=started, user=alice)
    with pytest.raises(ValidationError):
        session_delete(session=started, user=alice)
    session_end(session=started, user=alice)
    planned = plan(review, alice, bob, title="Later")

    session_delete(session=planned, user=alice)

    assert list(ReviewSession.objects.values_list("title", flat=True)) == ["Workshop 1"]


def test_it_starts_the_clock_and_leads_followers_to_the_first_item(review, alice, bob):
    session = session_start(session=plan(review, alice, bob), user=alice)
    review.refresh_from_db()

    assert session.status == "running" and session.current_index == 0
    assert 599 <= remaining_seconds(session, timezone.now()) <= 600
    assert review.live_session_id == session.pk
    assert (review.facilitator_id, review.facilitator_question) == (alice.pk, "p1_q1")


def test_it_refuses_a_second_running_session(review, alice, bob):
    session_start(session=plan(review, alice, bob), user=alice)
    with pytest.raises(ValidationError):
        session_start(session=plan(review, alice, bob, title="Two"), user=alice)


def test_it_lets_only_the_facilitator_or_an_owner_run_it(review, alice, bob, vera):
    session = plan(review, alice, bob, facilitator=bob)
    with pytest.raises(PermissionDenied):
        session_start(session=session, user=vera)
    session_start(session=session, user=bob)
    session_pause(session=session, user=alice)  # an owner may too


def test_it_pauses_resumes_and_extends_from_stored_times(review, alice, bob):
    session = session_start(session=plan(review, alice, bob), user=alice)
    ReviewSession.objects.filter(pk=session.pk).update(deadline=timezone.now() + timedelta(seconds=90))

    paused = session_pause(session=session, user=alice)
    assert paused.deadline is None and 88 <= paused.paused_remaining <= 90
    extended = session_extend(session=paused, user=alice, minutes=5)
    assert 388 <= extended.paused_remaining <= 390
    resumed = session_resume(session=extended, user=alice)
    assert 387 <= remaining_seconds(resumed, timezone.now()) <= 390
    assert resumed.version == 4
    assert list(resumed.events.values_list("kind", flat=True)) == ["start", "pause", "extend", "resume"]


def test_it_extends_an_item_over_time_from_now(review, alice, bob):
    session = session_start(session=plan(review, alice, bob), user=alice)
    ReviewSession.objects.filter(pk=session.pk).update(deadline=timezone.now() - timedelta(minutes=3))
    session.refresh_from_db()
    assert remaining_seconds(session, timezone.now()) < -170

    extended = session_extend(session=session, user=alice, minutes=2)

    assert 118 <= remaining_seconds(extended, timezone.now()) <= 120


def test_it_moves_to_the_next_item_and_followers_with_it(review, alice, bob):
    session = session_start(session=plan(review, alice, bob), user=alice)

    moved = session_next(session=session, user=alice)
    review.refresh_from_db()

    assert moved.current_index == 1
    assert 1199 <= remaining_seconds(moved, timezone.now()) <= 1200
    assert review.facilitator_question == "p2_q1"  # a pillar item leads to its first question
    with pytest.raises(ValidationError):
        session_next(session=moved, user=alice)


def test_it_ends_and_reopens_for_corrections_recorded(review, alice, bob):
    session = session_start(session=plan(review, alice, bob), user=alice)
    ended = session_end(session=session, user=alice)
    review.refresh_from_db()
    assert ended.status == "ended" and ended.ended_at and review.live_session_id is None
    assert review.facilitator_id is None

    reopened = session_reopen(session=ended, user=alice)
    review.refresh_from_db()

    assert reopened.status == "paused" and reopened.ended_at is None and review.live_session_id == session.pk
    assert SessionEvent.objects.filter(session=session, kind="reopen", by=alice).exists()


def test_it_records_attendance_from_presence_and_keeps_corrections(review, alice, bob, vera):
    session = session_start(session=plan(review, alice, bob), user=alice)
    t = 1_000_000.0
    for step in range(0, 60, 2):  # bob polls every 2 s for a minute
        attendance_touch(session_id=session.pk, user_id=bob.pk, now=t + step)
    attendance_touch(session_id=session.pk, user_id=vera.pk, now=t)
    attendance_touch(session_id=session.pk, user_id=vera.pk, now=t + 100)  # gone in between: not counted

    attendance_record(session=session)
    rows = {row.user.username: row for row in Attendance.objects.filter(session=session)}

    assert rows["bob"].seconds == 58 and (rows["bob"].left_at - rows["bob"].joined_at).total_seconds() == 58
    assert rows["vera"].seconds == 0
    attendance_correct(session=session, user=alice, person=vera, minutes=30)
    attendance_record(session=session)
    assert Attendance.objects.get(session=session, user=vera).seconds == 1800
    with pytest.raises(PermissionDenied):
        attendance_correct(session=session, user=bob, person=vera, minutes=1)


def test_it_keeps_discussion_states_and_the_parking_lot(review, alice, bob, vera):
    session = session_start(session=plan(review, alice, bob), user=alice)
    discussion_set(session=session, user=bob, question_key="p1_q1", state="deferred")
    discussion_set(session=session, user=bob, question_key="p1_q1", state="needs_evidence")
    item = parking_add(session=session, user=bob, text=" Ask the DBA ", question_key="p1_q1", owner=alice)
    with pytest.raises(PermissionDenied):
        parking_add(session=session, user=vera, text="no")
    with pytest.raises(ValidationError):
        parking_add(session=session, user=bob, text="   ")
    with pytest.raises(PermissionDenied):
        parking_delete(item=parking_add(session=session, user=alice, text="mine"), user=bob)

    assert session.discussions.get().state == "needs_evidence"
    assert item.text == "Ask the DBA" and item.owner == alice
    parking_delete(item=item, user=bob)
    assert list(session.parking.values_list("text", flat=True)) == ["mine"]


def test_it_attributes_answer_changes_to_the_running_session_only(review, alice, bob):
    save(review, alice, "p1_q1", {"p1_q1_a1"})  # before the session
    session = session_start(session=plan(review, alice, bob), user=alice)
    save(review, bob, "p1_q2", {"p1_q2_a1"})
    session_end(session=session, user=alice)
    save(review, bob, "p2_q1", {"p2_q1_a1"})  # after it

    assert list(session.answer_changes.values_list("answer__question__key", flat=True)) == ["p1_q2"]


def test_it_writes_minutes_from_history_with_merges_and_restores(review, alice, bob):
    save(review, alice, "p1_q1", {"p1_q1_a1"})  # medium before the session
    session = session_start(session=plan(review, alice, bob), user=alice)
    attendance_touch(session_id=session.pk, user_id=bob.pk)
    base = save(review, alice, "p1_q1", {"p1_q1_a1", "p1_q1_a2", "p1_q1_a3"}).version  # no risk
    # bob started from the version before alice's save: his notes merge with her choices.
    item = load_bank(review.lens).by_key["p1_q1"]
    answer_save(
        review=review,
        item=item,
        user=bob,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes="bob's note"),
        base_version=base - 1,
    )
    answer_save(
        review=review,
        item=item,
        user=alice,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes=""),
        restored_from=1,
    )
    save(review, bob, "p2_q1", {"p2_q1_no"})  # high
    discussion_set(session=session, user=bob, question_key="p1_q1", state="discussed")
    discussion_set(session=session, user=bob, question_key="p2_q1", state="deferred")
    parking_add(session=session, user=bob, text="Check backups", question_key="p2_q1")
    session_next(session=session, user=alice)
    session_end(session=session, user=alice)

    minutes = session_minutes(Review.objects.get(pk=review.pk).sessions.get())

    assert [(c.label, c.who, c.risk_before, c.risk_after) for c in minutes.changes] == [
        ("P1 1", "alice", "MEDIUM_RISK", "NO_RISK"),
        ("P1 1", "bob", "NO_RISK", "NO_RISK"),
        ("P1 1", "alice", "NO_RISK", "MEDIUM_RISK"),
        ("P2 1", "bob", "UNANSWERED", "HIGH_RISK"),
    ]
    assert minutes.changes[1].notes_changed and minutes.changes[2].restored_from == 1
    assert minutes.changes[2].removed and not minutes.changes[2].added
    p1, p2 = minutes.risks
    assert (p1.medium_before, p1.medium_after, p2.high_before, p2.high_after) == (1, 1, 0, 1)
    assert [q.label for q in minutes.discussed] == ["P1 1"] and [q.label for q in minutes.deferred] == ["P2 1"]
    assert [(p.text, p.question, p.raised_by) for p in minutes.parking] == [("Check backups", "P2 1", "bob")]
    assert [a.username for a in minutes.attendees] == ["bob", "alice"]  # alice was expected, never polled
    assert [line.target for line in minutes.agenda] == ["question:p1_q1", "pillar:p2"]
    assert minutes.as_json()["changes"][0]["who"] == "alice"


def test_it_shows_attendance_as_of_now_while_the_session_runs_without_writing_it(review, alice, bob, vera):
    session = session_start(session=plan(review, alice, bob), user=alice)
    t = 2_000_000.0
    for step in range(0, 10, 2):
        attendance_touch(session_id=session.pk, user_id=vera.pk, now=t + step)
    attendance_correct(session=session, user=alice, person=bob, minutes=7)

    minutes = session_minutes(session)

    assert [(a.username, a.seconds, a.corrected) for a in minutes.attendees] == [
        ("bob", 420, True),
        ("vera", 8, False),
        ("alice", 0, False),  # expected, not seen
    ]
    assert not Attendance.objects.filter(user=vera).exists()
