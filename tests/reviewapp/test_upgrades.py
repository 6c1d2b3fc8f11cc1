"""Moving a review to a newer lens version (reviewapp/upgrades.py) and its pages (views/upgrades.py).

The review (conftest ``review``: alice owner, bob contributor, vera viewer, charlie outsider) is on
version 1 of the "mini" lens. Version 2 (fixture ``v2``) changes it in every way an upgrade must handle:

* p1_q1 loses choice p1_q1_a3, and its rules change;
* p1_q2 gains choice p1_q2_a4, and its rule 2 now gives NO_RISK instead of MEDIUM_RISK;
* p2_q1 is removed; p2_q2 is reworded; p2_q3 is new.
"""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertRedirects, assertTemplateUsed

from questions.models import Choice, Lens, Pillar, Question, RiskRule
from questions.versions import lens_draft_create, lens_publish
from reviewapp import upgrades
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.improvements import improvement_update
from reviewapp.models import Answer, AnswerChange, AnswerRisk, ImprovementItem, Milestone, MilestoneAnswer, Review
from reviewapp.progress import live_records, milestone_records
from reviewapp.upgrades import UpgradeError, newer_version, review_upgrade
from reviewapp.workloads import review_create

from ..factories import make_lens, make_user, make_workload


@pytest.fixture(autouse=True)
def english():
    """Titles and messages of direct calls in English, as the pages show them (the client asks for English)."""
    with translation.override("en"):
        yield


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


def _save(review, key, choices=(), *, user, na=False, reason="", notes=""):
    item = load_bank(review.lens).by_key[key]
    return answer_save(
        review=review,
        item=item,
        user=user,
        state=AnswerState(choices=frozenset(choices), applicable=not na, reason=reason, notes=notes),
    )


def _choice(lens, key) -> Choice:
    return Choice.objects.get(question__pillar__lens=lens, key=key)


@pytest.fixture
def answered(review, lens, alice, bob):
    """Answers and tracked items on version 1.

    p1_q1 {a1, a3} MEDIUM, item a2 tracked by bob, item a3 (a practice v2 drops);
    p1_q2 {a1} MEDIUM with items a2, a3; p2_q1 {a1} MEDIUM with items a2, a3 (question v2 drops);
    p2_q2 not applicable.
    """
    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a3"], user=bob, notes="Alarms on the *API*")
    _save(review, "p1_q2", ["p1_q2_a1"], user=alice)
    _save(review, "p2_q1", ["p2_q1_a1"], user=alice)
    _save(review, "p2_q2", na=True, reason="OUT_OF_SCOPE", notes="No queues", user=alice)
    common = {"review": review, "user": alice, "due_date": None}
    improvement_update(choice=_choice(lens, "p1_q1_a2"), status="in_progress", owner=bob, note="Bob's on it", **common)
    improvement_update(choice=_choice(lens, "p1_q1_a3"), status="wont_do", owner=None, note="", **common)
    review.refresh_from_db()
    return review


@pytest.fixture
def v2(lens, root):
    draft = lens_draft_create(lens=lens, user=root)
    p1_q1 = Question.objects.get(pillar__lens=draft, key="p1_q1")
    p1_q1.choices.filter(key="p1_q1_a3").delete()
    p1_q1.risk_rules.filter(order=1).update(condition="p1_q1_a1 && p1_q1_a2")
    p1_q1.risk_rules.filter(order=2).update(condition="p1_q1_a2")
    p1_q2 = Question.objects.get(pillar__lens=draft, key="p1_q2")
    Choice.objects.create(question=p1_q2, key="p1_q2_a4", order=4, title_en="Practice 4", title_ko="모범 사례 4")
    p1_q2.risk_rules.filter(order=2).update(risk="NO_RISK")
    Question.objects.filter(pillar__lens=draft, key="p2_q1").delete()
    Question.objects.filter(pillar__lens=draft, key="p2_q2").update(title_en="Question 2.2, reworded?")
    pillar = Pillar.objects.get(lens=draft, key="p2")
    p2_q3 = Question.objects.create(
        pillar=pillar, key="p2_q3", label="P2 3", order=3, title_en="Question 2.3?", title_ko="질문 2.3?"
    )
    Choice.objects.create(question=p2_q3, key="p2_q3_a1", order=1, title_en="Practice 1", title_ko="모범 사례 1")
    Choice.objects.create(
        question=p2_q3,
        key="p2_q3_no",
        order=9,
        is_none=True,
        title_en="None of these",
        title_ko="따르는 모범 사례 없음",
    )
    RiskRule.objects.create(question=p2_q3, order=1, condition="p2_q3_a1", risk="NO_RISK")
    RiskRule.objects.create(question=p2_q3, order=2, condition="default", risk="HIGH_RISK")
    return lens_publish(
        draft=draft, version="2", user=root, release_notes={"en": "Fewer *questions*.", "ko": "질문 *정리*."}
    )


def _state(review) -> dict:
    """Everything an upgrade touches, row ids included: equal before and after means nothing changed."""
    review = Review.objects.get(pk=review.pk)
    answers = sorted(
        (
            a.pk,
            a.question_id,
            a.risk,
            a.version,
            a.is_applicable,
            a.reason,
            a.notes,
            a.updated_by_id,
            a.updated_at,
            tuple(sorted(a.selected_choices.values_list("pk", flat=True))),
        )
        for a in Answer.objects.filter(review=review)
    )
    items = sorted(
        ImprovementItem.objects.filter(review=review).values_list("pk", "choice_id", "status", "owner_id", "note")
    )
    return {
        "review": (review.lens_id, review.revision),
        "answers": answers,
        "items": items,
        "milestones": (
            Milestone.objects.filter(review=review).count(),
            MilestoneAnswer.objects.filter(milestone__review=review).count(),
        ),
    }


def _answers(review) -> dict:
    """Each answer by question key: its risk, choices, version and the lens version of its question."""
    return {
        a.question.key: {
            "risk": a.risk,
            "choices": sorted(a.selected_choices.values_list("key", flat=True)),
            "version": a.version,
            "lens": a.question.pillar.lens.version,
            "applicable": (a.is_applicable, a.reason),
            "notes": a.notes,
        }
        for a in Answer.objects.filter(review=review).select_related("question__pillar__lens")
    }


def _items(review) -> set:
    return {
        (i.choice.key, i.choice.question.pillar.lens.version, i.status, i.owner.username if i.owner else None, i.note)
        for i in ImprovementItem.objects.filter(review=review).select_related("choice__question__pillar__lens", "owner")
    }


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _upgrade_url(review) -> str:
    return reverse("reviewapp:review_upgrade", args=[review.pk])


def _detail_url(review) -> str:
    return reverse("reviewapp:review_detail", args=[review.pk])


# --- Is there a newer version, and what changed ---------------------------------------------------------


def test_it_offers_no_newer_version_while_the_next_one_is_a_draft(client_for, alice, answered, root):
    lens_draft_create(lens=answered.lens, user=root)

    page = client_for(alice).get(_detail_url(answered))

    assert newer_version(answered) is None
    assert "A newer version of this lens is published" not in _text(page)
    assertRedirects(client_for(alice).get(_upgrade_url(answered)), _detail_url(answered))


def test_it_shows_the_newer_version_notice_on_the_review_page(client_for, vera, answered, v2):
    page = client_for(vera).get(_detail_url(answered))

    assert newer_version(answered) == v2
    text = _text(page)
    assert "A newer version of this lens is published: 2." in text
    assert f'<a href="{_upgrade_url(answered)}">See what changed</a>' in text


def test_it_offers_a_newer_version_of_an_undated_lens(client_for, alice, lens, review, root):
    """A lens from before versioning has no publication date; the version published after it is newer
    (PostgreSQL sorts NULL first in a descending order, so this needs ``nulls_last``)."""
    assert lens.published_at is None
    published = lens_publish(draft=lens_draft_create(lens=lens, user=root), version="2", release_notes={}, user=root)

    page = client_for(alice).get(_detail_url(review))

    assert Lens.objects.latest_published("mini") == published
    assert newer_version(review) == published
    assert "A newer version of this lens is published: 2." in _text(page)


def test_it_offers_no_older_version_as_newer(alice, serverless_lens, root):
    """A review already on the latest version is offered nothing, whatever the order of the rows."""
    published = lens_publish(
        draft=lens_draft_create(lens=serverless_lens, user=root), version="2025-01", release_notes={}, user=root
    )
    old_review = make_workload(alice, name="Old", lens=serverless_lens).reviews.get()
    new_review = make_workload(alice, name="New", lens=published).reviews.get()

    assert serverless_lens.published_at is not None
    assert newer_version(old_review) == published
    assert newer_version(new_review) is None


def _changed_items(text: str) -> dict[str, list[str]]:
    """The "Changed questions" list of the upgrade page: label -> the changes listed under it."""
    block = text[text.index("Changed questions") :]
    found = re.findall(r'<li><span class="label">(.*?)</span>.*?<ul class="changes">(.*?)</ul></li>', block, re.S)
    return {label: [c.strip() for c in re.findall(r"<li>(.*?)</li>", changes, re.S)] for label, changes in found}


def test_it_lists_what_changed_on_the_upgrade_page(client_for, alice, answered, v2):
    before = _state(answered)

    response = client_for(alice).get(_upgrade_url(answered))

    text = _text(response)
    assert response.status_code == 200
    assert "mini lens: version 2 replaces 1" in text
    assert "Fewer <em>questions</em>." in text
    added = text[text.index("New questions (they start unanswered)") : text.index("Removed questions")]
    removed = text[
        text.index("Removed questions (their answers stay in the milestone)") : text.index("Changed questions")
    ]
    assert re.findall(r'<span class="label">(.*?)</span> (.*?)</li>', added) == [("P2 3", "Question 2.3?")]
    assert re.findall(r'<span class="label">(.*?)</span> (.*?)</li>', removed) == [("P2 1", "Question 2.1?")]
    assert _changed_items(text) == {
        "P1 1": ["Removed choice (unticked on upgrade): Practice 3", "Risk rules changed"],
        "P1 2": ["New choice: Practice 4", "Risk rules changed"],
        "P2 2": ["Reworded"],
    }
    assert "Upgrade this review to 2" in text
    assert _state(answered) == before


# --- The upgrade itself -----------------------------------------------------------------------------------


def test_it_carries_the_answers_over_and_recomputes_their_risk(answered, v2, bob):
    revision = answered.revision

    summary = review_upgrade(review=answered, target=v2, user=bob)

    answered.refresh_from_db()
    assert (answered.lens, answered.revision) == (v2, revision + 1)
    assert _answers(answered) == {
        # a3 is gone from v2: it drops out, and v2's rules give {a1} a high risk.
        "p1_q1": {
            "risk": AnswerRisk.HIGH,
            "choices": ["p1_q1_a1"],
            "version": 2,
            "lens": "2",
            "applicable": (True, ""),
            "notes": "Alarms on the *API*",
        },
        # Same choice, but v2's rule 2 says NO_RISK.
        "p1_q2": {
            "risk": AnswerRisk.NONE,
            "choices": ["p1_q2_a1"],
            "version": 2,
            "lens": "2",
            "applicable": (True, ""),
            "notes": "",
        },
        "p2_q2": {
            "risk": AnswerRisk.NOT_APPLICABLE,
            "choices": [],
            "version": 2,
            "lens": "2",
            "applicable": (False, "OUT_OF_SCOPE"),
            "notes": "No queues",
        },
        "p2_q3": {
            "risk": AnswerRisk.UNANSWERED,
            "choices": [],
            "version": 0,
            "lens": "2",
            "applicable": (True, ""),
            "notes": "",
        },
    }
    assert [(q.key, q.risk_before, q.risk_after, q.dropped_choices, q.is_new) for q in summary.questions] == [
        ("p1_q1", AnswerRisk.MEDIUM, AnswerRisk.HIGH, ["p1_q1_a3"], False),
        ("p1_q2", AnswerRisk.MEDIUM, AnswerRisk.NONE, [], False),
        ("p2_q2", AnswerRisk.NOT_APPLICABLE, AnswerRisk.NOT_APPLICABLE, [], False),
        ("p2_q3", None, AnswerRisk.UNANSWERED, [], True),
    ]
    assert [q.key for q in summary.risk_changed] == ["p1_q1", "p1_q2"]
    assert summary.removed_questions == [("P2 1", "Question 2.1?")]
    assert (summary.old_lens, summary.new_lens, summary.review) == (answered.lens.based_on, v2, answered)
    # The answers the old version kept stay where they were: nothing of the review points at version 1 now.
    assert not Answer.objects.filter(review=answered, question__pillar__lens__version="1").exists()
    assert newer_version(answered) is None


def test_it_takes_the_milestone_before_an_upgrade_even_at_the_milestone_limit(answered, v2, bob, settings):
    settings.MILESTONES_PER_REVIEW = 0

    summary = review_upgrade(review=answered, target=v2, user=bob)

    assert list(Milestone.objects.filter(review=answered)) == [summary.milestone]


def test_it_keeps_the_answer_history_across_an_upgrade(client_for, alice, answered, v2, bob):
    _save(answered, "p1_q1", ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"], user=alice, notes="Alarms on the *API*")
    before = list(
        AnswerChange.objects.filter(answer__review=answered, answer__question__key="p1_q1")
        .order_by("version")
        .values_list("version", "changed_by__username", "changed_at", "before", "after")
    )
    assert [row[0] for row in before] == [1, 2]

    review_upgrade(review=answered, target=v2, user=bob)

    answer = Answer.objects.get(review=answered, question__key="p1_q1")
    assert answer.question.pillar.lens == v2
    changes = list(
        answer.changes.order_by("version").values_list(
            "version", "changed_by__username", "changed_at", "before", "after"
        )
    )
    assert changes[:2] == before
    # The move itself is the third change: a3 is gone from version 2.
    assert (changes[2][0], changes[2][1], changes[2][3]["choices"], changes[2][4]["choices"]) == (
        3,
        "bob",
        ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"],
        ["p1_q1_a1", "p1_q1_a2"],
    )
    assert answer.version == 3
    # The history page of the upgraded question still lists the changes made before the upgrade.
    response = client_for(alice).get(reverse("reviewapp:answer_history", args=[answered.pk, "p1_q1"]))
    text = _text(response)
    assert "Version 1 by bob" in text and "Version 2 by alice" in text and "Version 3 by bob" in text
    # Restoring a version from before the upgrade works on the new version's choices.
    client_for(alice).post(reverse("reviewapp:answer_restore", args=[answered.pk, "p1_q1", 1]))
    answer.refresh_from_db()
    assert (answer.version, sorted(answer.selected_choices.values_list("key", flat=True))) == (4, ["p1_q1_a1"])
    assert answer.selected_choices.get().question.pillar.lens == v2


def test_it_takes_a_milestone_of_the_state_before_the_upgrade(answered, v2, lens, bob):
    records = live_records(answered)
    revision = answered.revision

    summary = review_upgrade(review=answered, target=v2, user=bob)

    milestone = Milestone.objects.get(review=answered)
    assert summary.milestone == milestone
    assert (milestone.name, milestone.lens, milestone.review_revision, milestone.created_by) == (
        "Before upgrade to 2",
        lens,
        revision,
        bob,
    )
    assert milestone_records(milestone) == records
    # The removed question's answer stays in the milestone.
    removed = MilestoneAnswer.objects.get(milestone=milestone, question__key="p2_q1")
    assert (removed.question.pillar.lens, removed.risk, removed.selected_keys) == (
        lens,
        AnswerRisk.MEDIUM,
        ["p2_q1_a1"],
    )


def test_it_names_a_second_milestone_apart(answered, v2, lens, bob):
    Milestone.objects.create(review=answered, name="Before upgrade to 2", lens=lens, review_revision=0)

    summary = review_upgrade(review=answered, target=v2, user=bob)

    assert summary.milestone.name == "Before upgrade to 2 (2)"


def test_it_moves_tracked_items_with_their_practice(answered, v2, bob):
    assert _items(answered) == {
        ("p1_q1_a2", "1", "in_progress", "bob", "Bob's on it"),
        ("p1_q1_a3", "1", "wont_do", None, ""),
        ("p1_q2_a2", "1", "open", None, ""),
        ("p1_q2_a3", "1", "open", None, ""),
        ("p2_q1_a2", "1", "open", None, ""),
        ("p2_q1_a3", "1", "open", None, ""),
    }
    kept = set(
        ImprovementItem.objects.filter(
            review=answered, choice__key__in=["p1_q1_a2", "p1_q2_a2", "p1_q2_a3"]
        ).values_list("pk", flat=True)
    )

    review_upgrade(review=answered, target=v2, user=bob)

    # p1_q1_a3 and p2_q1's practices are gone from v2, and so are their items.
    assert _items(answered) == {
        ("p1_q1_a2", "2", "in_progress", "bob", "Bob's on it"),
        ("p1_q2_a2", "2", "open", None, ""),
        ("p1_q2_a3", "2", "open", None, ""),
    }
    assert set(ImprovementItem.objects.filter(review=answered).values_list("pk", flat=True)) == kept


@pytest.mark.parametrize("target", ["draft", "other-lens", "current"])
def test_it_refuses_a_target_that_is_not_a_newer_published_version(answered, root, bob, target):
    lenses = {
        "draft": lambda: lens_draft_create(lens=answered.lens, user=root),
        "other-lens": lambda: make_lens(slug="other", version="2"),
        "current": lambda: answered.lens,
    }
    lens = lenses[target]()
    before = _state(answered)

    with pytest.raises(UpgradeError) as refused:
        review_upgrade(review=answered, target=lens, user=bob)

    assert (
        str(refused.value)
        == {
            "draft": "A review can only move to a published version of its own lens.",
            "other-lens": "A review can only move to a published version of its own lens.",
            "current": "The review already uses this version.",
        }[target]
    )
    assert _state(answered) == before


def test_it_changes_nothing_when_the_upgrade_fails_midway(answered, v2, bob, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(upgrades, "_carry_items", broken)
    before, answers, items = _state(answered), _answers(answered), _items(answered)

    with pytest.raises(RuntimeError, match="disk full"):
        review_upgrade(review=answered, target=v2, user=bob)

    assert _state(answered) == before
    assert _answers(answered) == answers
    assert _items(answered) == items
    assert Review.objects.get(pk=answered.pk).lens_id == answered.lens_id
    assert not Milestone.objects.filter(review=answered).exists()


# --- Through the page -------------------------------------------------------------------------------------


def test_it_shows_the_summary_after_upgrading_through_the_page(client_for, bob, answered, v2):
    client = client_for(bob)

    response = client.post(_upgrade_url(answered))

    assert response.status_code == 200
    assertTemplateUsed(response, "reviewapp/review_upgraded.html")
    milestone = Milestone.objects.get(review=answered)
    text = _text(response)
    assert "Review moved from 1 to 2" in text
    assert "The answers as they were are kept in the milestone “Before upgrade to 2”." in text
    assert reverse("reviewapp:milestone_detail", args=[answered.pk, milestone.pk]) in text
    rows = {
        label: re.sub(r"<[^>]+>", "|", row)
        for label, row in re.findall(r'<tr[^>]*>\s*<td><span class="label">(.*?)</span>(.*?)</tr>', text, re.S)
    }
    assert list(rows) == ["P1 1", "P1 2", "P2 2", "P2 3"]
    assert [part.strip() for part in rows["P1 1"].split("|") if part.strip()] == [
        "Question 1.1?",
        "Medium risk",
        "High risk",
        "p1_q1_a3",
    ]
    assert "New question" in rows["P2 3"]
    assert "Questions no longer in the lens" in text
    assert "<li>P2 1 Question 2.1?</li>" in text
    answered.refresh_from_db()
    assert answered.lens == v2
    # Done: no notice any more, and the upgrade page sends back to the review.
    assert "A newer version of this lens is published" not in _text(client.get(_detail_url(answered)))
    assertRedirects(client.get(_upgrade_url(answered)), _detail_url(answered))


def test_it_lets_a_viewer_see_the_changes_but_not_upgrade(client_for, vera, answered, v2):
    client = client_for(vera)
    before = _state(answered)

    page = client.get(_upgrade_url(answered))
    response = client.post(_upgrade_url(answered))

    assert page.status_code == 200
    assert "Upgrade this review to 2" not in _text(page)
    assert "Changed questions" in _text(page)
    assert response.status_code == 403
    assert _state(answered) == before


def test_it_hides_the_upgrade_from_an_outsider(client_for, charlie, answered, v2):
    client = client_for(charlie)
    before = _state(answered)

    assert client.get(_upgrade_url(answered)).status_code == 404
    assert client.post(_upgrade_url(answered)).status_code == 404
    assert _state(answered) == before


def test_it_refuses_other_methods(client_for, alice, answered, v2):
    assert client_for(alice).put(_upgrade_url(answered)).status_code == 405


def test_it_refuses_an_upgrade_to_a_version_the_workload_already_reviews(client_for, alice, answered, v2):
    review_create(workload=answered.workload, lens=v2, user=alice)
    before = _state(answered)

    response = client_for(alice).post(_upgrade_url(answered))

    assert response.status_code == 400
    assert _state(answered) == before
