"""The history of an answer and restoring an earlier version (views/answers.py, answers.py)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from questions.models import RiskRule
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Answer, AnswerChange, AnswerRisk

from ..factories import answer_data_in, answer_snapshot

KEY = "p1_q1"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _save_url(review):
    return reverse("reviewapp:answer_save", args=[review.pk])


def _history_url(review, key=KEY):
    return reverse("reviewapp:answer_history", args=[review.pk, key])


def _restore_url(review, version, key=KEY):
    return reverse("reviewapp:answer_restore", args=[review.pk, key, version])


def _answer(review, key=KEY) -> Answer:
    return Answer.objects.get(review=review, question__key=key)


def _keys(answer) -> set[str]:
    return set(answer.selected_choices.values_list("key", flat=True))


@pytest.fixture
def as_alice(client_for, alice):
    return client_for(alice)


@pytest.fixture
def as_bob(client_for, bob):
    return client_for(bob)


@pytest.fixture
def three_versions(review, as_alice, as_bob):
    """p1_q1 saved three times: bob (a1, medium), alice (a1-a3 + notes, no risk), bob (does not apply)."""
    as_bob.post(_save_url(review), {"question": KEY, "version": 0, "choices": [f"{KEY}_a1"], "notes": "first"})
    as_alice.post(
        _save_url(review),
        {"question": KEY, "version": 1, "choices": [f"{KEY}_a1", f"{KEY}_a2", f"{KEY}_a3"], "notes": "all **three**"},
    )
    as_bob.post(
        _save_url(review),
        {"question": KEY, "version": 2, "not_applicable": "on", "reason": "OUT_OF_SCOPE", "notes": "out"},
    )
    assert _answer(review).version == 3
    return review


# --- Recording ----------------------------------------------------------------------------------


def test_it_records_every_save_with_before_after_and_who(three_versions, alice, bob):
    changes = list(AnswerChange.objects.filter(answer=_answer(three_versions)).order_by("version"))

    assert [(c.version, c.changed_by, c.restored_from) for c in changes] == [
        (1, bob, None),
        (2, alice, None),
        (3, bob, None),
    ]
    empty = {"choices": [], "applicable": True, "reason": "", "notes": "", "risk": AnswerRisk.UNANSWERED}
    first = {"choices": [f"{KEY}_a1"], "applicable": True, "reason": "", "notes": "first", "risk": AnswerRisk.MEDIUM}
    second = {
        "choices": [f"{KEY}_a1", f"{KEY}_a2", f"{KEY}_a3"],
        "applicable": True,
        "reason": "",
        "notes": "all **three**",
        "risk": AnswerRisk.NONE,
    }
    third = {
        "choices": [],
        "applicable": False,
        "reason": "OUT_OF_SCOPE",
        "notes": "out",
        "risk": AnswerRisk.NOT_APPLICABLE,
    }
    assert [(c.before, c.after) for c in changes] == [(empty, first), (first, second), (second, third)]
    answer = _answer(three_versions)
    assert changes[-1].changed_at == answer.updated_at


def test_it_records_a_save_made_without_a_request(review, bob):
    item = load_bank(review.lens).by_key[KEY]
    started = timezone.now()

    answer = answer_save(
        review=review,
        item=item,
        user=bob,
        state=AnswerState(choices=frozenset({f"{KEY}_no"}), applicable=True, reason="", notes="n"),
    )

    change = AnswerChange.objects.get(answer=answer)
    assert (change.version, change.changed_by, change.after["risk"]) == (1, bob, AnswerRisk.HIGH)
    assert started <= change.changed_at <= timezone.now()


def test_it_records_nothing_for_a_refused_save(review, as_bob):
    as_bob.post(_save_url(review), {"question": KEY, "choices": [f"{KEY}_a1", f"{KEY}_no"]})

    assert not AnswerChange.objects.exists()


# --- The history fragment ---------------------------------------------------------------------


def test_it_lists_the_changes_newest_first(three_versions, as_bob):
    response = as_bob.get(_history_url(three_versions), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    versions = [int(v) for v in re.findall(r"Version (\d+) by", html)]
    assert versions == [3, 2, 1]
    assert re.findall(r"Version \d+ by (\w+)", html) == ["bob", "alice", "bob"]
    assertContains(response, '<span class="badge medium">Medium risk</span> → <span class="badge none">No risk</span>')
    assertContains(response, "<li>Practice 3</li>")
    assertContains(response, "<p>all <strong>three</strong></p>")  # notes as Markdown


def test_it_offers_to_restore_every_version_but_the_current_one(three_versions, as_bob):
    response = as_bob.get(_history_url(three_versions), **HTMX)

    for version in (1, 2):
        assertContains(response, f'action="{_restore_url(three_versions, version)}"')
        assertContains(response, f"Restore version {version}")
    assertNotContains(response, _restore_url(three_versions, 3))


def test_it_shows_a_viewer_the_history_without_restore_buttons(three_versions, client_for, vera):
    response = client_for(vera).get(_history_url(three_versions), **HTMX)

    assert response.status_code == 200
    assert re.findall(r"Version (\d+) by", response.content.decode()) == ["3", "2", "1"]
    assertNotContains(response, "Restore version")
    assertNotContains(response, "/restore/")


def test_it_says_so_when_an_answer_has_no_history(review, as_bob):
    response = as_bob.get(_history_url(review), **HTMX)

    assertContains(response, "No change yet.")


def test_it_escapes_notes_in_the_history(review, as_bob):
    as_bob.post(_save_url(review), {"question": KEY, "notes": "<script>alert(1)</script><img src=x onerror=alert(2)>"})

    response = as_bob.get(_history_url(review), **HTMX)

    assertNotContains(response, "<script>alert(1)")
    assertNotContains(response, "onerror")


# --- Restoring ----------------------------------------------------------------------------------


def test_it_restores_an_old_version_as_a_new_change(three_versions, as_bob, bob):
    review = three_versions
    revision = type(review).objects.get(pk=review.pk).revision

    response = as_bob.post(_restore_url(review, 1))

    assertRedirects(
        response, reverse("reviewapp:review_question", args=[review.pk, KEY]), fetch_redirect_response=False
    )
    answer = _answer(review)
    assert (answer.version, _keys(answer), answer.notes) == (4, {f"{KEY}_a1"}, "first")
    assert (answer.is_applicable, answer.reason, answer.risk) == (True, "", AnswerRisk.MEDIUM)
    assert answer.updated_by == bob
    change = AnswerChange.objects.get(answer=answer, version=4)
    assert (change.restored_from, change.changed_by) == (1, bob)
    assert change.before["risk"] == AnswerRisk.NOT_APPLICABLE and change.before["notes"] == "out"
    assert change.after == {**AnswerChange.objects.get(answer=answer, version=1).after}
    assert AnswerChange.objects.filter(answer=answer).count() == 4  # nothing rewritten
    review.refresh_from_db()
    assert review.revision == revision + 1


def test_it_recomputes_the_risk_of_a_restored_version_with_todays_rules(three_versions, as_bob):
    review = three_versions
    assert AnswerChange.objects.get(answer=_answer(review), version=1).after["risk"] == AnswerRisk.MEDIUM
    RiskRule.objects.filter(question__key=KEY, condition=f"{KEY}_a1").update(risk=AnswerRisk.HIGH)

    as_bob.post(_restore_url(review, 1))

    assert _answer(review).risk == AnswerRisk.HIGH


def test_it_restores_with_htmx_and_refreshes_the_fields(three_versions, as_bob):
    response = as_bob.post(_restore_url(three_versions, 2), **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assertContains(response, f'<div id="status-{KEY}" class="status" data-version="4">')
    assertContains(response, "(version 4)")
    data = answer_data_in(response, KEY)  # the page's script lays it over the fields (unless something is unsent)
    assert (data["version"], data["choices"], data["notes"]) == (4, [f"{KEY}_a{n}" for n in (1, 2, 3)], "all **three**")
    assert _answer(three_versions).risk == AnswerRisk.NONE


def test_it_shows_a_restore_in_the_history(three_versions, as_bob):
    as_bob.post(_restore_url(three_versions, 1))

    response = as_bob.get(_history_url(three_versions), **HTMX)

    assert re.findall(r"Version (\d+) by", response.content.decode()) == ["4", "3", "2", "1"]
    assertContains(response, "restored version 1")


def test_it_restores_only_the_choices_the_question_still_has(three_versions, as_bob):
    answer = _answer(three_versions)
    AnswerChange.objects.filter(answer=answer, version=1).update(
        after={"choices": [f"{KEY}_a2", "retired_choice"], "applicable": True, "reason": "", "notes": "old"}
    )

    response = as_bob.post(_restore_url(three_versions, 1))

    assert response.status_code == 302
    answer.refresh_from_db()
    assert (_keys(answer), answer.notes, answer.risk) == ({f"{KEY}_a2"}, "old", AnswerRisk.HIGH)


def test_it_forbids_a_viewer_to_restore(three_versions, client_for, vera):
    before = answer_snapshot(three_versions)
    changes = AnswerChange.objects.count()

    response = client_for(vera).post(_restore_url(three_versions, 1), **HTMX)

    assert response.status_code == 403
    assert answer_snapshot(three_versions) == before
    assert AnswerChange.objects.count() == changes


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_404_to_an_outsider(three_versions, client_for, charlie, method):
    before = answer_snapshot(three_versions)
    client = client_for(charlie)

    history = client.get(_history_url(three_versions), **HTMX)
    restore = getattr(client, method)(_restore_url(three_versions, 1), **HTMX)

    assert history.status_code == 404
    assert restore.status_code == (404 if method == "post" else 405)
    assertNotContains(history, "first", status_code=404)
    assert answer_snapshot(three_versions) == before


def test_it_answers_404_for_a_version_or_question_that_does_not_exist(three_versions, as_bob):
    before = answer_snapshot(three_versions)

    assert as_bob.post(_restore_url(three_versions, 9)).status_code == 404
    assert as_bob.post(_restore_url(three_versions, 1, key="nope")).status_code == 404
    assert as_bob.get(_history_url(three_versions, key="nope")).status_code == 404
    assert answer_snapshot(three_versions) == before


def test_it_does_not_restore_a_version_of_another_question(three_versions, as_bob):
    before = answer_snapshot(three_versions)

    response = as_bob.post(_restore_url(three_versions, 1, key="p1_q2"))  # p1_q2 has no version 1

    assert response.status_code == 404
    assert answer_snapshot(three_versions) == before


def test_it_answers_405_to_get_on_restore(three_versions, as_bob):
    assert as_bob.get(_restore_url(three_versions, 1)).status_code == 405
