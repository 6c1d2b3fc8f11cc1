"""The Serverless Lens question bank fixture (questions/fixtures/serverless_lens.json).

Ids, labels, titles and tiers are checked against the AWS reference file
(shared/reference/serverless-lens-aws-ids.json) so that answers exported from the AWS tool import.
"""

import re

import pytest
from django.core.management import call_command

from questions.models import Choice, Lens, Pillar, Question, RiskRule
from questions.rules import parse_condition, validate_rules

from ..factories import TIER_OF_REFERENCE, load_reference, reference_path

HANGUL = re.compile("[\uac00-\ud7a3]")
PILLARS = ["OPS", "SEC", "REL", "PERF", "COST"]
MODELS = (Lens, Pillar, Question, Choice, RiskRule)


@pytest.fixture
def reference():
    reference = load_reference()
    if reference is None:
        pytest.skip(f"the AWS reference file is missing: {reference_path()}")
    return reference


def _questions(lens):
    return list(Question.objects.filter(pillar__lens=lens).select_related("pillar").order_by("pillar__order", "order"))


def _state() -> dict:
    """Every row of the bank with all its fields, by model."""
    return {model.__name__: sorted(model.objects.values_list(), key=lambda row: row[0]) for model in MODELS}


def test_it_loads_one_published_serverless_lens(serverless_lens):
    assert Lens.objects.count() == 1
    assert serverless_lens.slug == "serverless"
    assert serverless_lens.status == Lens.Status.PUBLISHED
    assert Lens.objects.published().get() == serverless_lens
    assert serverless_lens.version


def test_it_changes_nothing_when_loaded_twice(serverless_lens):
    before = _state()
    sample = Choice.objects.values("key", "title_en", "title_ko", "tier", "is_none").get(key="sec_sec_q2_a4")

    call_command("loaddata", "serverless_lens", verbosity=0)

    assert _state() == before
    assert {model.__name__: model.objects.count() for model in MODELS} == {
        "Lens": 1,
        "Pillar": 5,
        "Question": 9,
        "Choice": len(before["Choice"]),
        "RiskRule": 27,
    }
    assert Choice.objects.values("key", "title_en", "title_ko", "tier", "is_none").get(key="sec_sec_q2_a4") == sample


def test_it_has_the_five_pillars_in_order(serverless_lens, reference):
    pillars = list(serverless_lens.pillars.order_by("order"))

    assert [p.short_label for p in pillars] == PILLARS
    reference_pillars = list(dict.fromkeys(q["pillar_id"] for q in reference["questions"]))
    assert [p.key for p in pillars] == reference_pillars
    assert [p.name_en for p in pillars] == [
        "Operational Excellence",
        "Security",
        "Reliability",
        "Performance Efficiency",
        "Cost Optimization",
    ]


def test_it_has_the_reference_questions_in_order(serverless_lens, reference):
    questions = _questions(serverless_lens)

    assert serverless_lens.slug == reference["lens_alias"]
    assert [(q.key, q.label, q.pillar.key) for q in questions] == [
        (q["question_id"], q["label"], q["pillar_id"]) for q in reference["questions"]
    ]
    for question, expected in zip(questions, reference["questions"], strict=True):
        titles = {expected["whitepaper_title"], expected["tool_title"]}
        assert question.title_en in titles, f"{question.key}: {question.title_en!r} is not an AWS title"


def test_it_has_exactly_one_none_choice_per_question(serverless_lens):
    for question in _questions(serverless_lens):
        choices = list(question.choices.all())
        nones = [choice for choice in choices if choice.is_none]

        assert len(choices) >= 2, question.key
        assert len(nones) == 1, question.key
        assert nones[0].key.endswith("_no"), nones[0].key
        assert nones[0].tier == ""
        assert [c.key for c in choices if c.key.endswith("_no")] == [nones[0].key]


def test_it_has_every_reference_choice_with_its_tier(serverless_lens, reference):
    for expected in reference["questions"]:
        question = Question.objects.get(pillar__lens=serverless_lens, key=expected["question_id"])
        stored = {c.key: (c.tier, c.title_en) for c in question.choices.all()}

        assert stored == {c["id"]: (TIER_OF_REFERENCE[c["tier"]], c["title"]) for c in expected["choices"]}, (
            question.key
        )


def test_it_has_rules_that_parse_and_name_only_their_own_choices(serverless_lens):
    for question in _questions(serverless_lens):
        rules = [(rule.condition, rule.risk) for rule in question.risk_rules.order_by("order")]
        own = set(question.choices.values_list("key", flat=True))

        assert validate_rules(rules, own) == [], question.key
        assert len(rules) == 3, question.key
        assert rules[-1] == ("default", "HIGH_RISK"), question.key
        for condition, _risk in rules:
            assert parse_condition(condition).keys <= own


def _translated_texts(lens):
    """(label, field, Korean text, English text) for every text a reviewer reads."""
    yield "lens", "name", lens.name_ko, lens.name_en
    for pillar in lens.pillars.all():
        yield pillar.key, "name", pillar.name_ko, pillar.name_en
    for question in _questions(lens):
        for field in ("title", "description"):
            yield question.key, field, getattr(question, f"{field}_ko"), getattr(question, f"{field}_en")
        for choice in question.choices.all():
            fields = ["title", "description"]
            if not choice.is_none:
                fields += ["helpful_resource", "improvement_plan"]
            for field in fields:
                yield choice.key, field, getattr(choice, f"{field}_ko"), getattr(choice, f"{field}_en")


def test_it_has_korean_and_english_text_for_every_translated_field(serverless_lens):
    texts = list(_translated_texts(serverless_lens))
    missing = [
        f"{label}.{field}_{lang}"
        for label, field, ko, en in texts
        for lang, text in (("ko", ko), ("en", en))
        if not (text or "").strip()
    ]

    assert len(texts) > 9 * 2
    assert missing == []


def test_it_writes_the_korean_fields_in_hangul(serverless_lens):
    texts = list(_translated_texts(serverless_lens))
    not_korean = [f"{label}.{field}_ko" for label, field, ko, _en in texts if not HANGUL.search(ko or "")]
    english_with_hangul = [f"{label}.{field}_en" for label, field, _ko, en in texts if HANGUL.search(en or "")]

    assert not_korean == []
    assert english_with_hangul == []


def test_it_shows_the_bank_in_the_active_language(serverless_lens):
    from django.utils import translation

    question = Question.objects.get(key="ops_q1")
    with translation.override("ko"):
        assert Question.objects.get(pk=question.pk).title == question.title_ko
    with translation.override("en"):
        assert Question.objects.get(pk=question.pk).title == question.title_en
