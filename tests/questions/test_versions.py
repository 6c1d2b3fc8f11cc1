"""Lens versions (questions/versions.py) and question checks (questions/validation.py), without a request."""

import datetime

import pytest
from django.utils import timezone, translation

from questions.models import Choice, Lens, Pillar, Question, RiskRule
from questions.validation import ChoiceData, question_problems
from questions.versions import (
    LensVersionError,
    lens_diff,
    lens_draft_create,
    lens_publish,
    lens_retire,
    validate_lens,
    validate_question,
)
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank

from ..factories import answer_snapshot, make_lens, make_user, make_workload


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the project's default language is Korean)."""
    with translation.override("en"):
        yield


@pytest.fixture
def editor(db):
    return make_user("eddie", is_staff=True)


@pytest.fixture
def published(db):
    return make_lens()


@pytest.fixture
def draft(published, editor):
    return lens_draft_create(lens=published, user=editor)


def _question(lens: Lens, key: str) -> Question:
    return Question.objects.get(pillar__lens=lens, key=key)


def _fields(obj, *, skip=()) -> dict:
    """Every stored column of a row (both languages and the untranslated column included)."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def _contents(lens: Lens) -> dict:
    """Pillars, questions, choices and rules of a lens by their stable ids, without row ids and parents."""
    pillars = Pillar.objects.filter(lens=lens)
    questions = Question.objects.filter(pillar__lens=lens).select_related("pillar")
    choices = Choice.objects.filter(question__pillar__lens=lens).select_related("question")
    rules = RiskRule.objects.filter(question__pillar__lens=lens).select_related("question")
    return {
        "pillars": {p.key: _fields(p, skip={"id", "lens_id"}) for p in pillars},
        "questions": {q.key: {**_fields(q, skip={"id", "pillar_id"}), "pillar": q.pillar.key} for q in questions},
        "choices": {(c.question.key, c.key): _fields(c, skip={"id", "question_id"}) for c in choices},
        "rules": {(r.question.key, r.order): _fields(r, skip={"id", "question_id"}) for r in rules},
    }


def _snapshot(lens: Lens) -> dict:
    """The lens row and everything in it, row ids included: equal before and after means nothing changed."""
    fresh = Lens.objects.get(pk=lens.pk)
    ids = {
        "pillars": sorted(Pillar.objects.filter(lens=lens).values_list("pk", flat=True)),
        "questions": sorted(Question.objects.filter(pillar__lens=lens).values_list("pk", flat=True)),
        "choices": sorted(Choice.objects.filter(question__pillar__lens=lens).values_list("pk", flat=True)),
        "rules": sorted(RiskRule.objects.filter(question__pillar__lens=lens).values_list("pk", flat=True)),
    }
    return {"lens": _fields(fresh), "ids": ids, **_contents(lens)}


def _choice(key: str, *, none: bool = False, ko: str = "모범 사례", en: str = "A practice") -> ChoiceData:
    return ChoiceData(key=key, is_none=none, titles={"ko": ko, "en": en})


VALID_CHOICES = [_choice("a1"), _choice("a2"), _choice("no", none=True)]
VALID_RULES = [("a1 && a2", "NO_RISK"), ("a1", "MEDIUM_RISK"), ("default", "HIGH_RISK")]


# --- question_problems: one message per problem, naming the place -------------------------------------


def test_it_finds_no_problem_in_a_valid_question():
    assert question_problems(choices=VALID_CHOICES, rules=VALID_RULES) == []


@pytest.mark.parametrize(
    ("choices", "rules", "message"),
    [
        pytest.param(
            VALID_CHOICES,
            [("a1 && zz", "NO_RISK"), ("default", "HIGH_RISK")],
            "Risk rules: rule 1: unknown choice 'zz'",
            id="rule-names-unknown-choice",
        ),
        pytest.param(
            VALID_CHOICES,
            [("a1 &&", "NO_RISK"), ("default", "HIGH_RISK")],
            "Risk rules: rule 1: syntax error in 'a1 &&': the condition ends too early",
            id="syntax-error-eof",
        ),
        pytest.param(
            VALID_CHOICES,
            [("a1 & a2", "NO_RISK"), ("default", "HIGH_RISK")],
            "Risk rules: rule 1: syntax error in 'a1 & a2' at column 4: unexpected character '&'",
            id="syntax-error-character",
        ),
        pytest.param(
            VALID_CHOICES,
            [("a1 && a2", "NO_RISK"), ("a1", "MEDIUM_RISK")],
            "Risk rules: rule 2: the last rule must be 'default'",
            id="missing-default",
        ),
        pytest.param(
            VALID_CHOICES,
            [],
            "Risk rules: a question needs at least the 'default' rule",
            id="no-rule-at-all",
        ),
        pytest.param(
            [_choice("a1"), _choice("a2"), _choice("no", none=True), _choice("none2", none=True)],
            VALID_RULES,
            "Only one choice can be “None of these”; these are: no, none2.",
            id="two-none-choices",
        ),
        pytest.param(
            [_choice("a1"), _choice("a2"), _choice("a1"), _choice("no", none=True)],
            VALID_RULES,
            "The choice id “a1” is used 2 times.",
            id="duplicate-choice-id",
        ),
        pytest.param(
            [_choice("a1"), _choice("a2", ko=" ", en=""), _choice("no", none=True)],
            VALID_RULES,
            "Choice “a2”: the title is empty in every language.",
            id="empty-choice-titles",
        ),
        pytest.param(
            [_choice("no", none=True)],
            [("default", "HIGH_RISK")],
            "The question has no best practice to choose.",
            id="only-none-choice",
        ),
    ],
)
def test_it_names_each_problem_of_a_question(choices, rules, message):
    assert question_problems(choices=choices, rules=rules) == [message]


# --- validate_question / validate_lens: the same checks on saved rows ----------------------------------


def test_it_finds_no_problem_in_a_saved_question(draft):
    assert validate_question(_question(draft, "p1_q1")) == []
    assert validate_lens(draft) == []


def _set_rule(question, order, condition):
    RiskRule.objects.filter(question=question, order=order).update(condition=condition)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda q: _set_rule(q, 2, "p1_q1_zz"),
            "Risk rules: rule 2: unknown choice 'p1_q1_zz'",
            id="rule-names-unknown-choice",
        ),
        pytest.param(
            lambda q: _set_rule(q, 2, "(p1_q1_a1"),
            "Risk rules: rule 2: syntax error in '(p1_q1_a1': the condition ends too early",
            id="syntax-error",
        ),
        pytest.param(
            lambda q: q.risk_rules.filter(order=3).delete(),
            "Risk rules: rule 2: the last rule must be 'default'",
            id="missing-default",
        ),
        pytest.param(
            lambda q: Question.objects.filter(pk=q.pk).update(title_ko="", title_en="  "),
            "the title is empty in every language",
            id="empty-titles",
        ),
        pytest.param(
            lambda q: q.choices.filter(key="p1_q1_a2").update(title_en="", title_ko=""),
            "Choice “p1_q1_a2”: the title is empty in every language.",
            id="empty-choice-titles",
        ),
    ],
)
def test_it_names_each_problem_of_a_saved_question(draft, change, message):
    question = _question(draft, "p1_q1")
    change(question)

    assert validate_question(_question(draft, "p1_q1")) == [message]
    assert validate_lens(draft) == [f"P1 1 (p1_q1): {message}"]


def test_it_names_the_problems_of_the_lens_itself(draft):
    Lens.objects.filter(pk=draft.pk).update(name_en="", name_ko="")
    Pillar.objects.filter(lens=draft, key="p2").update(name_ko="", name_en=" ")
    Question.objects.filter(pillar__lens=draft, pillar__key="p2").delete()
    draft.refresh_from_db()

    assert validate_lens(draft) == [
        "Lens: the name is empty in every language.",
        "Pillar p2: the name is empty in every language.",
        "Pillar p2: it has no question.",
    ]


# --- Drafts -----------------------------------------------------------------------------------------------


def test_it_copies_every_id_and_text_into_a_draft(serverless_lens, editor):
    before = _snapshot(serverless_lens)

    draft = lens_draft_create(lens=serverless_lens, user=editor)

    assert _contents(draft) == _contents(serverless_lens)
    assert len(_contents(draft)["questions"]) == 9 and len(_contents(draft)["choices"]) == 47
    assert _fields(
        draft, skip={"id", "version", "status", "based_on_id", "created_at", "published_at", "created_by_id"}
    ) == _fields(
        serverless_lens, skip={"id", "version", "status", "based_on_id", "created_at", "published_at", "created_by_id"}
    )
    assert (draft.version, draft.status, draft.based_on, draft.created_by, draft.published_at) == (
        "2019-12-draft",
        Lens.Status.DRAFT,
        serverless_lens,
        editor,
        None,
    )
    assert draft.is_editable and not serverless_lens.is_editable
    # The copy has rows of its own: the published version is untouched.
    assert _snapshot(serverless_lens) == before
    assert not set(_snapshot(draft)["ids"]["choices"]) & set(before["ids"]["choices"])


def test_it_records_history_for_every_row_of_a_draft(published, editor):
    draft = lens_draft_create(lens=published, user=editor)

    for model in (Question, Choice, RiskRule):
        rows = model.objects.filter(**{("pillar__lens" if model is Question else "question__pillar__lens"): draft})
        created = model.history.filter(id__in=rows.values("id"), history_type="+")
        assert rows.count() > 0
        assert sorted(created.values_list("id", flat=True)) == sorted(rows.values_list("id", flat=True)), model
    rule_history = RiskRule.history.filter(question__pillar__lens=draft).first()
    assert rule_history.history_user == editor


def test_it_allows_only_one_draft_per_lens(published, draft, editor):
    with pytest.raises(LensVersionError) as refused:
        lens_draft_create(lens=published, user=editor)

    assert refused.value.problems == ["A draft of this lens exists already (1-draft): edit or delete it first."]
    assert list(Lens.objects.filter(slug="mini", status=Lens.Status.DRAFT)) == [draft]


def test_it_refuses_a_draft_of_a_draft(draft, editor):
    with pytest.raises(LensVersionError) as refused:
        lens_draft_create(lens=draft, user=editor)

    assert refused.value.problems == ["This is already a draft: edit it directly."]
    assert Lens.objects.filter(slug="mini").count() == 2


# --- Publishing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "message"),
    [("1", "Version 1 of this lens exists already."), (" 1 ", "Version 1 of this lens exists already.")],
)
def test_it_refuses_a_version_that_exists(draft, editor, version, message):
    before = _snapshot(draft)

    with pytest.raises(LensVersionError) as refused:
        lens_publish(draft=draft, version=version, release_notes={"en": "Notes"}, user=editor)

    assert refused.value.problems == [message]
    assert _snapshot(draft) == before


def test_it_refuses_an_empty_version(draft, editor):
    with pytest.raises(LensVersionError) as refused:
        lens_publish(draft=draft, version="  ", release_notes={}, user=editor)

    assert refused.value.problems == [f"Give the new version, e.g. {timezone.localdate():%Y-%m}."]
    assert Lens.objects.get(pk=draft.pk).status == Lens.Status.DRAFT


def test_it_refuses_to_publish_a_draft_with_problems_and_leaves_it_unchanged(draft, editor):
    _set_rule(_question(draft, "p1_q1"), 2, "p1_q1_zz")
    Question.objects.filter(pillar__lens=draft, key="p2_q2").update(title_en="", title_ko="")
    before = _snapshot(draft)

    with pytest.raises(LensVersionError) as refused:
        lens_publish(draft=draft, version="2", release_notes={"en": "Better", "ko": "개선"}, user=editor)

    assert refused.value.problems == [
        "P1 1 (p1_q1): Risk rules: rule 2: unknown choice 'p1_q1_zz'",
        "P2 2 (p2_q2): the title is empty in every language",
    ]
    assert _snapshot(draft) == before
    assert not Lens.objects.filter(slug="mini", version="2").exists()


def test_it_refuses_to_publish_what_is_not_a_draft(published, editor):
    before = _snapshot(published)

    with pytest.raises(LensVersionError) as refused:
        lens_publish(draft=published, version="2", release_notes={}, user=editor)

    assert refused.value.problems == ["Only a draft can be published."]
    assert _snapshot(published) == before


def test_it_publishes_a_draft_as_the_next_version_and_reviews_keep_theirs(published, draft, editor):
    owner = make_user("alice")
    workload = make_workload(owner, lens=published)
    review = workload.reviews.get()
    bank = load_bank(published)
    answer_save(
        review=review,
        item=bank.by_key["p1_q1"],
        user=owner,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes="Alarms"),
    )
    answers = answer_snapshot(review)
    published_before = _snapshot(published)
    contents = _contents(draft)
    start = timezone.now()

    lens = lens_publish(
        draft=draft, version=" 2 ", release_notes={"en": "Clearer titles.", "ko": "제목 정리."}, user=editor
    )

    lens.refresh_from_db()
    assert lens.pk == draft.pk
    assert (lens.version, lens.status, lens.release_notes_en, lens.release_notes_ko) == (
        "2",
        Lens.Status.PUBLISHED,
        "Clearer titles.",
        "제목 정리.",
    )
    assert start <= lens.published_at <= timezone.now()
    assert not lens.is_editable
    assert _contents(lens) == contents
    assert Lens.objects.latest_published("mini") == lens
    # The version in use is untouched, and so is every review of it.
    assert _snapshot(published) == published_before
    review.refresh_from_db()
    assert review.lens_id == published.pk
    assert answer_snapshot(review) == answers


def test_it_retires_a_published_version_only(published, draft):
    with pytest.raises(LensVersionError) as refused:
        lens_retire(lens=draft)
    assert refused.value.problems == ["Only a published version can be retired."]
    assert Lens.objects.get(pk=draft.pk).status == Lens.Status.DRAFT

    lens_retire(lens=published)

    published.refresh_from_db()
    assert published.status == Lens.Status.RETIRED
    assert not published.is_editable
    assert list(Lens.objects.published()) == []


# --- What changed between two versions --------------------------------------------------------------------


def _diff_keys(diff) -> dict:
    return {
        "added": [q.key for q in diff.added],
        "removed": [q.key for q in diff.removed],
        "changed": [(d.key, d.reworded, d.choices_added, d.choices_removed, d.rules_changed) for d in diff.changed],
    }


def test_it_finds_no_change_between_a_version_and_its_draft(published, draft):
    diff = lens_diff(published, draft)

    assert diff.empty
    assert _diff_keys(diff) == {"added": [], "removed": [], "changed": []}


def test_it_lists_an_added_question(published, draft):
    pillar = Pillar.objects.get(lens=draft, key="p2")
    Question.objects.create(pillar=pillar, key="p2_q3", label="P2 3", order=3, title_en="New?", title_ko="새?")

    diff = lens_diff(published, draft)

    assert _diff_keys(diff) == {"added": ["p2_q3"], "removed": [], "changed": []}
    assert not diff.empty


def test_it_lists_a_removed_question(published, draft):
    _question(draft, "p1_q2").delete()

    diff = lens_diff(published, draft)

    assert _diff_keys(diff) == {"added": [], "removed": ["p1_q2"], "changed": []}
    assert diff.removed[0] == _question(published, "p1_q2")


@pytest.mark.parametrize("field", ["title_ko", "title_en", "description_en"])
def test_it_lists_a_reworded_question(published, draft, field):
    Question.objects.filter(pillar__lens=draft, key="p2_q1").update(**{field: "Reworded"})

    diff = lens_diff(published, draft)

    assert _diff_keys(diff)["changed"] == [("p2_q1", True, [], [], False)]


def test_it_lists_a_reworded_choice_as_a_reworded_question(published, draft):
    Choice.objects.filter(question__pillar__lens=draft, key="p2_q1_a2").update(title_ko="새 문구")

    assert _diff_keys(lens_diff(published, draft))["changed"] == [("p2_q1", True, [], [], False)]


def test_it_lists_added_and_removed_choices(published, draft):
    question = _question(draft, "p1_q1")
    question.choices.filter(key="p1_q1_a3").delete()
    Choice.objects.create(question=question, key="p1_q1_a4", order=4, title_en="Practice 4", title_ko="모범 사례 4")

    diff = lens_diff(published, draft)

    assert _diff_keys(diff)["changed"] == [("p1_q1", False, ["Practice 4"], ["Practice 3"], False)]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"risk": "NO_RISK"}, id="risk"),
        pytest.param({"condition": "p1_q1_a1 || p1_q1_a2"}, id="condition"),
        pytest.param({"order": 5}, id="order"),
    ],
)
def test_it_lists_changed_rules(published, draft, change):
    RiskRule.objects.filter(question__pillar__lens=draft, question__key="p1_q1", order=2).update(**change)

    assert _diff_keys(lens_diff(published, draft))["changed"] == [("p1_q1", False, [], [], True)]


def test_it_ignores_whitespace_around_a_condition(published, draft):
    RiskRule.objects.filter(question__pillar__lens=draft, question__key="p1_q1", order=2).update(
        condition="  p1_q1_a1 "
    )

    assert lens_diff(published, draft).empty


def test_it_orders_the_published_versions_by_publication(published, editor):
    Lens.objects.filter(pk=published.pk).update(published_at=timezone.now() - datetime.timedelta(days=30))
    first = lens_draft_create(lens=published, user=editor)
    second = lens_publish(draft=first, version="2", release_notes={}, user=editor)

    assert Lens.objects.latest_published("mini") == second


def test_it_shows_draft_lenses_to_staff_only(db):
    published = make_lens(slug="shown")
    retired = make_lens(slug="old")
    draft = make_lens(slug="draft")
    Lens.objects.filter(pk=retired.pk).update(status=Lens.Status.RETIRED)
    Lens.objects.filter(pk=draft.pk).update(status=Lens.Status.DRAFT)
    staff, member = make_user("sam", is_staff=True), make_user("mia")

    assert list(Lens.objects.drafts()) == [draft]
    assert set(Lens.objects.without_drafts()) == {published, retired}
    assert set(Lens.objects.for_user(member)) == {published, retired}
    assert set(Lens.objects.for_user(staff)) == {published, retired, draft}
