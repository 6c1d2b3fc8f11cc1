"""The PDF report's optional chapter: the minutes of the review's sessions."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.reports import ReportRequest, render_report_html, report_sessions
from reviewapp.sessions.discussion import discussion_set, parking_add
from reviewapp.sessions.planning import AgendaEntry, session_plan
from reviewapp.sessions.running import session_end, session_reopen, session_start

from .test_reports import pdf_text, squeeze


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def held(review, alice, bob):
    """A session that ran: bob answered p1_q1, deferred p2_q1 and parked a follow-up."""
    session = session_plan(
        review=review,
        user=alice,
        title="Operations workshop",
        planned_start=timezone.now(),
        facilitator=alice,
        agenda=[AgendaEntry("pillar:p1", 30)],
        expected=[bob],
    )
    session = session_start(session=session, user=alice)
    item = load_bank(review.lens).by_key["p1_q1"]
    answer_save(
        review=review,
        item=item,
        user=bob,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes=""),
    )
    discussion_set(session=session, user=bob, question_key="p2_q1", state="deferred")
    parking_add(session=session, user=bob, text="Ask the on-call team", question_key="p2_q1")
    return session_end(session=session, user=alice)


def test_it_adds_the_minutes_chapter_only_when_asked(review, held):
    plain = ReportRequest(review=review, milestone=None, language="en", page_size="a4")
    chosen = ReportRequest(
        review=review, milestone=None, language="en", page_size="a4", sessions=report_sessions(review)
    )

    without, with_minutes = render_report_html(plain), render_report_html(chosen)

    assert "Operations workshop" not in without and 'id="sessions"' not in without
    assert 'id="sessions"' in with_minutes and "Operations workshop" in with_minutes
    assert "Ask the on-call team" in with_minutes
    assert plain.cache_key() != chosen.cache_key()


def test_it_prints_the_minutes_in_the_pdf(review, held, client_for, vera, tmp_path):
    response = client_for(vera).get(reverse("reviewapp:report", args=[review.pk]), {"sessions": "1", "lang": "en"})

    assert response.status_code == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = squeeze(pdf_text(path))
    for expected in ("Sessionminutes", "Operationsworkshop", "Unanswered→Mediumrisk", "Asktheon-callteam"):
        assert expected in text, expected


def test_it_keys_the_cached_report_on_what_the_minutes_say(review, held, alice, bob):
    before = ReportRequest(
        review=review, milestone=None, language="en", page_size="a4", sessions=report_sessions(review)
    )
    reopened = session_reopen(session=held, user=alice)  # a correction: one more parked item
    parking_add(session=reopened, user=bob, text="Added while reopened")
    session_end(session=reopened, user=alice)
    after = ReportRequest(
        review=review, milestone=None, language="en", page_size="a4", sessions=report_sessions(review)
    )

    assert before.cache_key() != after.cache_key()
