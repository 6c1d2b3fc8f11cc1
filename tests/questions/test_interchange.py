"""Lenses in and out in the AWS custom lens format (questions/interchange/ and its commands)."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains

from questions import interchange
from questions.interchange import LIMITS, LensImportError, lens_from_aws, lens_to_aws, validate_aws_lens
from questions.models import Choice, Lens, Pillar, Question, RiskRule

from ..factories import make_lens, make_user, make_workload

DATA = Path(__file__).resolve().parent.parent / "data" / "aws"
SUSTAINABILITY = DATA / "custom_lens_sustainability.json"
LANGUAGES = ["en", "ko"]


def _row_counts() -> dict[str, int]:
    """Rows of every questions_* table and of the answers tables."""
    with connection.cursor() as cursor:
        tables = [
            t for t in connection.introspection.table_names(cursor) if t.startswith(("questions_", "reviewapp_answer"))
        ]
        counts = {}
        for table in sorted(tables):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def _one_question_lens(slug: str) -> Lens:
    """``make_lens`` with one question, its pillar id made long enough for AWS ("p1" is too short)."""
    lens = make_lens(slug=slug, pillars=1, questions_per_pillar=1)
    Pillar.objects.filter(lens=lens).update(key="pillar_one")
    return lens


def _small_lens() -> dict:
    """A valid one-pillar custom lens to break in the tests."""
    return {
        "schemaVersion": "2021-11-01",
        "name": "Small",
        "description": "A small lens.",
        "pillars": [
            {
                "id": "security",
                "name": "Security",
                "questions": [
                    {
                        "id": "sec_q1",
                        "title": "How do you protect data?",
                        "description": "Data protection.",
                        "choices": [
                            {"id": "sec_a1", "title": "Encrypt", "improvementPlan": {"displayText": "Encrypt."}},
                            {"id": "sec_a2", "title": "Back up", "improvementPlan": {"displayText": "Back up."}},
                            {"id": "sec_no", "title": "None of these"},
                        ],
                        "riskRules": [
                            {"condition": "sec_a1 && sec_a2", "risk": "NO_RISK"},
                            {"condition": "sec_a1", "risk": "MEDIUM_RISK"},
                            {"condition": "default", "risk": "HIGH_RISK"},
                        ],
                    }
                ],
            }
        ],
    }


def _question(data: dict) -> dict:
    return data["pillars"][0]["questions"][0]


def _choice(data: dict, index: int = 0) -> dict:
    return _question(data)["choices"][index]


def _choices(n: int) -> list[dict]:
    return [{"id": f"c_{i:02}", "title": f"C{i}", "improvementPlan": {"displayText": "Do."}} for i in range(n)]


def _questions(n: int) -> list[dict]:
    template = _question(_small_lens())
    return [{**copy.deepcopy(template), "id": f"q_{i:02}"} for i in range(n)]


# --- Export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_exports_the_serverless_lens_as_a_valid_custom_lens(serverless_lens, language):
    data = lens_to_aws(serverless_lens, language=language)

    assert validate_aws_lens(data) == []
    assert data["schemaVersion"] == "2021-11-01"
    assert [p["id"] for p in data["pillars"]] == [
        "operationalExcellence",
        "security",
        "reliability",
        "performance",
        "costOptimization",
    ]
    questions = [q for p in data["pillars"] for q in p["questions"]]
    assert len(questions) == Question.objects.filter(pillar__lens=serverless_lens).count() == 9
    first = questions[0]
    assert first["id"] == "ops_q1"
    assert [c["id"] for c in first["choices"]][-1] == "ops_ops_q1_no"
    assert first["riskRules"][-1] == {"condition": "default", "risk": "HIGH_RISK"}
    choice = first["choices"][0]
    assert set(choice) == {"id", "title", "description", "helpfulResource", "improvementPlan"}
    assert choice["helpfulResource"]["url"].startswith("https://docs.aws.amazon.com/")
    assert "improvementPlan" not in first["choices"][-1]
    assert len(json.dumps(data, ensure_ascii=False).encode()) < interchange.MAX_FILE_BYTES


def test_it_exports_the_texts_of_the_asked_language(serverless_lens):
    english = lens_to_aws(serverless_lens, language="en")
    korean = lens_to_aws(serverless_lens, language="ko")

    assert english["name"] == serverless_lens.name_en == "Serverless Applications Lens"
    assert korean["name"] == serverless_lens.name_ko
    assert english["pillars"][0]["name"] == "Operational Excellence"
    assert korean["pillars"][0]["name"] == "운영 우수성"
    assert _question(english)["title"] == Question.objects.get(key="ops_q1").title_en
    assert _question(korean)["title"] == Question.objects.get(key="ops_q1").title_ko


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_cuts_texts_over_the_aws_limits_with_an_ellipsis(db, language):
    lens = _one_question_lens("long")
    Lens.objects.filter(pk=lens.pk).update(**{f"description_{language}": "d" * 3000})
    lens.refresh_from_db()
    question = Question.objects.get(pillar__lens=lens)
    Question.objects.filter(pk=question.pk).update(
        **{f"title_{language}": "t" * 300, f"description_{language}": "q" * 2500}
    )
    Choice.objects.filter(key="p1_q1_a1").update(
        **{
            f"title_{language}": "c" * 200,
            f"helpful_resource_{language}": "h" * 1500,
            f"improvement_plan_{language}": "i" * 1100,
        },
    )

    data = lens_to_aws(lens, language=language)

    assert validate_aws_lens(data) == []
    exported_question, choice = _question(data), _choice(data)
    cut = [
        (data["description"], LIMITS.lens_description),
        (exported_question["title"], LIMITS.question_title),
        (exported_question["description"], LIMITS.question_description),
        (choice["title"], LIMITS.choice_title),
        (choice["helpfulResource"]["displayText"], LIMITS.choice_content_text),
        (choice["improvementPlan"]["displayText"], LIMITS.choice_content_text),
    ]
    for text, limit in cut:
        assert len(text) == limit
        assert text.endswith("…")
    assert exported_question["title"] == "t" * (LIMITS.question_title - 1) + "…"


def test_it_keeps_texts_at_exactly_the_limit(db):
    lens = _one_question_lens("edge")
    Question.objects.filter(pillar__lens=lens).update(title_en="t" * LIMITS.question_title)

    data = lens_to_aws(lens, language="en")

    assert _question(data)["title"] == "t" * LIMITS.question_title
    assert validate_aws_lens(data) == []


def test_it_fills_what_the_format_requires_and_our_lens_lacks(db):
    lens = _one_question_lens("bare")
    Lens.objects.filter(pk=lens.pk).update(description_en="", description_ko="")
    Choice.objects.filter(key="p1_q1_a1").update(improvement_plan_en="", improvement_plan_ko="")
    Choice.objects.filter(key="p1_q1_a2").update(helpful_resource_url="https://example.com/guide")
    Choice.objects.filter(key="p1_q1_a3").update(improvement_plan_url="https://example.com/" + "x" * 1100)
    lens.refresh_from_db()

    data = lens_to_aws(lens, language="en")

    assert data["description"] == "bare lens"
    assert _choice(data, 0)["improvementPlan"] == {"displayText": "Practice 1"}
    assert _choice(data, 1)["helpfulResource"] == {
        "displayText": "https://example.com/guide",
        "url": "https://example.com/guide",
    }
    assert _choice(data, 2)["improvementPlan"] == {"displayText": "Do practice 3."}  # its URL is too long for AWS
    assert "improvementPlan" not in _choice(data, 3)  # p1_q1_no: "None of these" needs none
    assert validate_aws_lens(data) == []


def test_it_exports_a_one_language_lens_in_the_other_language_through_the_fallback(db):
    lens = lens_from_aws(SUSTAINABILITY.read_text(), language="en", slug="green")

    data = lens_to_aws(lens, language="ko")

    assert data["name"] == "Green Platform Lens"
    assert _question(data)["title"] == "How do you choose Regions for your workload?"
    assert validate_aws_lens(data) == []


# --- The format's rules ------------------------------------------------------------------------


def _set(path: str, value):
    """A mutation setting ``value`` (or ``value(old value)``) at a dotted path such as ``pillars.0.name``."""

    def mutate(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        key = int(last) if last.isdigit() else last
        target[key] = value(target[key]) if callable(value) else value

    return mutate


def _drop(path: str):
    def mutate(data):
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


Q = "pillars.0.questions.0"
QP = "pillars[0].questions[0]"
RULES_CASES = [
    (_set("schemaVersion", "2020-01-01"), 'schemaVersion: must be "2021-11-01", found "2020-01-01"'),
    (_drop("name"), 'lens: "name" is missing'),
    (_set("name", "n" * 129), "name: longer than 128 characters (129)"),
    (_set("name", "  "), "name: must not be empty"),
    (_set("description", "d" * 2049), "description: longer than 2048 characters (2049)"),
    (_set("pillars", []), "pillars: must have 1 to 10 entries, found 0"),
    (_set("pillars", lambda p: p * 11), "pillars: must have 1 to 10 entries, found 11"),
    (_set("pillars", {}), "pillars: must be an array, found an object"),
    (_set("pillars.0.id", "se"), 'pillars[0].id: "se" must be 3-64 letters, digits or underscores'),
    (_set("pillars.0.id", "p" * 65), "pillars[0].id: " + '"' + "p" * 65 + '" must be 3-64 letters'),
    (_set("pillars.0.id", "sec-ops"), 'pillars[0].id: "sec-ops" must be 3-64 letters, digits or underscores'),
    (_set("pillars.0.name", "n" * 129), "pillars[0].name: longer than 128 characters (129)"),
    (_set("pillars.0.questions", _questions(21)), "pillars[0].questions: must have 0 to 20 entries, found 21"),
    (_set(f"{Q}.id", "q" * 129), f"{QP}.id: " + '"' + "q" * 79 + '…" must be 3-128 letters'),  # quoted cut
    (_set(f"{Q}.title", "t" * 129), f"{QP}.title: longer than 128 characters (129)"),
    (_set(f"{Q}.title", 7), f"{QP}.title: must be a string, found a number"),
    (_set(f"{Q}.description", "d" * 2049), f"{QP}.description: longer than 2048 characters (2049)"),
    (_set(f"{Q}.helpfulResource", {"displayText": "h" * 2049}), f"{QP}.helpfulResource.displayText: longer than 2048"),
    (_set(f"{Q}.choices", []), f"{QP}.choices: must have 1 to 15 entries, found 0"),
    (_set(f"{Q}.choices", _choices(16)), f"{QP}.choices: must have 1 to 15 entries, found 16"),
    (_set(f"{Q}.choices.0.id", "c" * 65), f"{QP}.choices[0].id: " + '"' + "c" * 65 + '" must be 3-64 letters'),
    (_set(f"{Q}.choices.0.title", "t" * 129), f"{QP}.choices[0].title: longer than 128 characters (129)"),
    (_set(f"{Q}.choices.0.description", "d" * 1025), f"{QP}.choices[0].description: longer than 1024 characters"),
    (
        _set(f"{Q}.choices.0.helpfulResource", {"displayText": "h" * 1025}),
        f"{QP}.choices[0].helpfulResource.displayText: longer than 1024 characters (1025)",
    ),
    (
        _set(f"{Q}.choices.0.improvementPlan", {"displayText": "i" * 1025}),
        f"{QP}.choices[0].improvementPlan.displayText: longer than 1024 characters (1025)",
    ),
    (
        _set(f"{Q}.choices.0.improvementPlan", {"displayText": "x", "url": "ftp://example.com"}),
        f'{QP}.choices[0].improvementPlan.url: "ftp://example.com" must start with https:// or http://',
    ),
    (_drop(f"{Q}.choices.0.improvementPlan"), f'{QP}.choices[0]: "improvementPlan" is missing'),
    (_set(f"{Q}.choices.1.id", "sec_a1"), f'{QP}.choices[1]: duplicate choice id "sec_a1" (first at {QP}.choices[0])'),
    (_set(f"{Q}.choices.0.id", "sec_a1_no"), f'{QP}.choices: more than one "None of these" choice'),
    (
        _set(f"{Q}.choices.0.additionalResources", [{"type": "VIDEO", "content": [{"displayText": "v"}]}]),
        f"{QP}.choices[0].additionalResources[0].type: "
        'must be one of HELPFUL_RESOURCE, IMPROVEMENT_PLAN, found "VIDEO"',
    ),
    (
        _set(
            f"{Q}.choices.0.additionalResources",
            [{"type": "HELPFUL_RESOURCE", "content": [{"displayText": "x", "url": "https://e.com"}] * 6}],
        ),
        f"{QP}.choices[0].additionalResources[0].content: must have 1 to 5 entries, found 6",
    ),
    (
        _set(
            f"{Q}.choices.0.additionalResources", [{"type": "HELPFUL_RESOURCE", "content": [{"displayText": "x"}]}] * 2
        ),
        f'{QP}.choices[0].additionalResources[1]: duplicate additional resource type "HELPFUL_RESOURCE"',
    ),
    (_set(f"{Q}.riskRules", lambda rules: [rules[0], *rules]), f"{QP}.riskRules: must have 1 to 3 entries, found 4"),
    (_set(f"{Q}.riskRules", lambda rules: rules[:2]), f'{QP}.riskRules: the last rule must be "default"'),
    (_set(f"{Q}.riskRules", lambda rules: rules[::-1]), f'{QP}.riskRules[0]: "default" must be the last rule'),
    (
        _set(f"{Q}.riskRules.0.risk", "LOW_RISK"),
        f"{QP}.riskRules[0].risk: must be one of HIGH_RISK, MEDIUM_RISK, NO_RISK",
    ),
    (_set(f"{Q}.riskRules.1.condition", "sec_x"), f'{QP}.riskRules[1]: unknown choice "sec_x"'),
    (_set(f"{Q}.riskRules.1.condition", "sec_a1 &&"), f"{QP}.riskRules[1].condition: syntax error"),
    (_set(f"{Q}.riskRules.1", "sec_a1"), f"{QP}.riskRules[1]: must be an object, found a string"),
    (
        _set("pillars", lambda p: [*p, {**copy.deepcopy(p[0]), "id": "reliability"}]),
        f'pillars[1].questions[0]: duplicate question id "sec_q1" (first at {QP})',
    ),
    (
        _set("pillars", lambda p: [*p, copy.deepcopy(p[0])]),
        'pillars[1]: duplicate pillar id "security" (first at pillars[0])',
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), RULES_CASES, ids=[expected[:60] for _, expected in RULES_CASES])
def test_it_reports_every_broken_rule_with_its_place(mutate, expected):
    data = _small_lens()
    assert validate_aws_lens(data) == []
    mutate(data)

    problems = validate_aws_lens(data)

    assert any(problem.startswith(expected) for problem in problems), problems


def test_it_lists_50_problems_of_a_lens_file_and_counts_the_others():
    data = _small_lens()
    data["pillars"] = [0] * 5000

    problems = validate_aws_lens(data)

    assert problems[0] == "pillars: must have 1 to 10 entries, found 5000"
    assert problems[1:3] == [
        "pillars[0]: must be an object, found a number",
        "pillars[1]: must be an object, found a number",
    ]
    assert (len(problems), problems[-1]) == (51, "… and 4951 more problems")


def test_it_refuses_a_file_over_500_kb_on_that_alone():
    data = _small_lens()
    data["pillars"] = [0] * 300_000

    assert validate_aws_lens(data) == [f"lens: larger than 500000 bytes ({len(json.dumps(data))})"]


def test_it_refuses_a_file_over_500_kb():
    data = _small_lens()
    data["pillars"] = [copy.deepcopy(data["pillars"][0]) for _ in range(10)]
    for p, pillar in enumerate(data["pillars"]):
        pillar["id"] = f"pillar_{p}"
        pillar["questions"] = [{**q, "id": f"p{p}_{q['id']}"} for q in _questions(20)]
        for question in pillar["questions"]:
            question["description"] = "d" * 2048
            question["choices"] = _choices(3)
            question["riskRules"] = [{"condition": "default", "risk": "HIGH_RISK"}]
            for choice in question["choices"]:
                choice["improvementPlan"]["displayText"] = "i" * 1024

    problems = validate_aws_lens(data)

    assert len(problems) == 1
    assert problems[0].startswith("lens: larger than 500000 bytes")


def test_it_accepts_what_the_format_allows():
    data = _small_lens()
    data["pillars"][0]["questions"] = _questions(20)
    _question(data)["choices"] = [*_choices(14), {"id": "c_no", "title": "None"}]
    _question(data)["riskRules"] = [
        {"condition": "!(c_00 || c_01) && c_02", "risk": "HIGH_RISK"},
        {"condition": "default", "risk": "NO_RISK"},
    ]
    _choice(data)["additionalResources"] = [
        {"type": "HELPFUL_RESOURCE", "content": [{"displayText": "x", "url": "https://e.com"}] * 5},
        {"type": "IMPROVEMENT_PLAN", "content": [{"displayText": "y"}]},
    ]
    data["name"], data["description"] = "n" * 128, "d" * 2048

    assert validate_aws_lens(data) == []


# --- Import ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_round_trips_the_serverless_lens(serverless_lens, language):
    exported = lens_to_aws(serverless_lens, language=language)

    imported = lens_from_aws(json.dumps(exported, ensure_ascii=False), language=language, slug="serverless-copy")

    assert lens_to_aws(imported, language=language) == exported
    assert (imported.slug, imported.version, imported.status) == ("serverless-copy", "1", Lens.Status.DRAFT)
    assert [p.short_label for p in imported.pillars.order_by("order")] == ["OPS", "SEC", "REL", "PERF", "COST"]
    labels = list(Question.objects.filter(pillar__lens=imported).values_list("key", "label"))
    assert labels == list(Question.objects.filter(pillar__lens=serverless_lens).values_list("key", "label"))
    nones = set(Choice.objects.filter(question__pillar__lens=imported, is_none=True).values_list("key", flat=True))
    assert nones == set(
        Choice.objects.filter(question__pillar__lens=serverless_lens, is_none=True).values_list("key", flat=True)
    )
    rules = RiskRule.objects.filter(question__pillar__lens=imported).order_by("question__key", "order")
    originals = RiskRule.objects.filter(question__pillar__lens=serverless_lens).order_by("question__key", "order")
    assert list(rules.values_list("condition", "risk")) == list(originals.values_list("condition", "risk"))


def test_it_imports_a_custom_pillar_and_ignores_unknown_keys(db):
    lens = lens_from_aws(SUSTAINABILITY.read_bytes(), language="en")

    assert (lens.slug, lens.version, lens.name_en) == ("green-platform-lens", "1", "Green Platform Lens")
    assert list(lens.pillars.order_by("order").values_list("key", "short_label", "name_en")) == [
        ("sustainability", "SUS", "Sustainability"),
        ("platform_ops", "PLAT", "Platform operations"),
    ]
    assert list(Question.objects.filter(pillar__lens=lens).values_list("key", "label")) == [
        ("sus_region", "SUS 1"),
        ("sus_data", "SUS 2"),
        ("plat_idle", "PLAT 1"),
    ]
    region = Question.objects.get(pillar__lens=lens, key="sus_region")
    # The question's link and the choice's additional resources stay data, not Markdown folded into texts.
    assert region.description_en == (
        "The Region you run in affects the carbon intensity of the energy your workload uses."
    )
    assert (region.helpful_resource_en, region.helpful_resource_url) == (
        "Region selection",
        "https://docs.aws.amazon.com/wellarchitected/latest/sustainability-pillar/region-selection.html",
    )
    low_carbon = Choice.objects.get(question=region, key="sus_region_low_carbon")
    assert low_carbon.description_en.startswith("Business requirements allowing")
    assert low_carbon.helpful_resource_url == "https://sustainability.aboutamazon.com/"
    assert low_carbon.helpful_resource_en == "Pick Regions where the grid has a lower published carbon intensity."
    assert low_carbon.improvement_plan_en == (
        "List the Regions your latency and data residency rules allow and rank them by carbon intensity."
    )
    assert low_carbon.helpful_links == [
        {"text": "Amazon sustainability report", "url": "https://sustainability.aboutamazon.com/reporting"}
    ]
    assert low_carbon.improvement_links == [
        {
            "text": "Customer carbon footprint tool",
            "url": "https://aws.amazon.com/aws-cost-management/aws-customer-carbon-footprint-tool/",
        },
        {"text": "Review the ranking every year", "url": ""},
    ]
    assert list(Choice.objects.filter(question__pillar__lens=lens, is_none=True).values_list("key", flat=True)) == [
        "sus_region_no",
        "sus_data_no",
        "plat_idle_no",
    ]
    assert Choice.objects.get(key="sus_data_classify").improvement_plan_url.endswith("/data.html")
    assert list(RiskRule.objects.filter(question__key="sus_data").values_list("condition", "risk")) == [
        ("sus_data_classify && sus_data_lifecycle", "NO_RISK"),
        ("sus_data_classify || sus_data_lifecycle", "MEDIUM_RISK"),
        ("default", "HIGH_RISK"),
    ]


def test_it_fills_only_the_files_language_and_the_pages_fall_back(db, client_for):
    lens = lens_from_aws(SUSTAINABILITY.read_text(), language="en", status=Lens.Status.PUBLISHED)
    question = Question.objects.get(pillar__lens=lens, key="sus_region")

    assert not lens.name_ko and not question.title_ko and not question.description_ko
    assert not Choice.objects.get(key="sus_region_low_carbon").title_ko
    with translation.override("ko"):
        assert Question.objects.get(pk=question.pk).title == "How do you choose Regions for your workload?"
        assert Lens.objects.get(pk=lens.pk).name == "Green Platform Lens"
    owner = make_user("olive")
    review = make_workload(owner, lens=lens).reviews.get()
    response = client_for(owner, language="ko").get(
        reverse("reviewapp:review_question", args=[review.pk, "sus_region"])
    )
    assertContains(response, "How do you choose Regions for your workload?")
    assertContains(response, "Choose Regions near Amazon renewable energy projects")


def test_it_imports_a_korean_file_into_the_korean_fields(db):
    data = _small_lens()
    data["name"], _question(data)["title"] = "작은 렌즈", "데이터를 어떻게 보호합니까?"

    lens = lens_from_aws(data, language="ko")

    question = Question.objects.get(pillar__lens=lens)
    assert (lens.name_ko, question.title_ko) == ("작은 렌즈", "데이터를 어떻게 보호합니까?")
    assert not lens.name_en and not question.title_en
    assert lens.slug == "lens"  # a name without Latin letters gives no slug of its own


def test_it_numbers_new_versions_of_a_slug(db):
    first = lens_from_aws(_small_lens(), language="en", slug="small")
    second = lens_from_aws(_small_lens(), language="en", slug="small", force=True)
    named = lens_from_aws(_small_lens(), language="en", slug="small", version="2025-01", force=True)
    dated = lens_from_aws(_small_lens(), language="en", slug="small", force=True)
    dated_again = lens_from_aws(_small_lens(), language="en", slug="small", force=True)

    today = timezone.localdate().isoformat()
    assert [first.version, second.version, named.version] == ["1", "2", "2025-01"]
    assert [dated.version, dated_again.version] == [today, f"{today}.2"]
    assert Lens.objects.filter(slug="small").count() == 5


def test_it_dates_a_new_version_when_one_is_numbered_in_superscript(db):
    lens_from_aws(_small_lens(), language="en", slug="small", version="\u00b2")

    dated = lens_from_aws(_small_lens(), language="en", slug="small", force=True)

    assert dated.version == timezone.localdate().isoformat()  # "²".isdigit(), yet int("²") fails


def test_it_makes_no_copy_of_a_lens_imported_already(db):
    first = lens_from_aws(_small_lens(), language="en", slug="small")
    before = _row_counts()

    with pytest.raises(interchange.LensAlreadyImported) as refused:
        lens_from_aws(_small_lens(), language="en")

    assert refused.value.lens == first
    assert refused.value.messages == [
        'lens "small" version "1" already has this content: nothing was imported (import again with force to make a copy)'
    ]
    assert _row_counts() == before
    changed = _small_lens()
    changed["pillars"][0]["questions"][0]["title"] = "How do you protect your data?"
    assert lens_from_aws(changed, language="en").version == "2"


def test_it_makes_no_copy_through_the_command_unless_forced(db, tmp_path):
    path = tmp_path / "small.json"
    path.write_text(json.dumps(_small_lens()))
    call_command("import_lens", str(path), "--language", "en", stdout=io.StringIO())
    err = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_lens", str(path), "--language", "en", stdout=io.StringIO(), stderr=err)

    assert refused.value.returncode == 2
    assert 'lens "small" version "1" already has this content' in err.getvalue()
    assert list(Lens.objects.values_list("version", flat=True)) == ["1"]
    call_command("import_lens", str(path), "--language", "en", "--force", stdout=io.StringIO())
    assert list(Lens.objects.order_by("pk").values_list("version", flat=True)) == ["1", "2"]


def test_it_adds_a_version_to_the_serverless_lens(serverless_lens):
    data = lens_to_aws(serverless_lens, language="en")

    lens = lens_from_aws(data, language="en", slug="serverless", version="2024-06", force=True)

    assert list(Lens.objects.filter(slug="serverless").values_list("version", flat=True)) == ["2019-12", "2024-06"]
    assert lens.pillars.count() == 5


# --- Bad files ---------------------------------------------------------------------------------


def _serverless_with(mutate):
    def build(lens):
        data = lens_to_aws(lens, language="en")
        mutate(data)
        return json.dumps(data)

    return build


def _rules_of(data, p, q):
    return data["pillars"][p]["questions"][q]["riskRules"]


BAD_FILES = {
    "not JSON": (
        lambda lens: '{"schemaVersion": "2021-11-01",',
        ["not JSON: Expecting property name enclosed in double quotes at line 1 column"],
    ),
    "not UTF-8": (lambda lens: b'{"name": "\xff"}', ["not JSON: the file is not UTF-8"]),
    "not an object": (lambda lens: "[1, 2]", ["lens: must be an object, found an array"]),
    "missing keys": (
        lambda lens: json.dumps({"schemaVersion": "2021-11-01"}),
        ['lens: "name" is missing', 'lens: "description" is missing', 'lens: "pillars" is missing'],
    ),
    "wrong types": (
        _serverless_with(lambda d: d["pillars"][1]["questions"][0].update(title=["x"], choices="sec")),
        [
            "pillars[1].questions[0].title: must be a string, found an array",
            "pillars[1].questions[0].choices: must be an array, found a string",
        ],
    ),
    "unknown choice in a rule": (
        _serverless_with(lambda d: _rules_of(d, 2, 0)[1].update(condition="rel_rel_q1_a1 && sec_x")),
        ['pillars[2].questions[0].riskRules[1]: unknown choice "sec_x"'],
    ),
    "duplicate pillar": (
        _serverless_with(lambda d: d["pillars"][4].update(id="security")),
        ['pillars[4]: duplicate pillar id "security" (first at pillars[1])'],
    ),
    "duplicate question": (
        _serverless_with(lambda d: d["pillars"][3]["questions"][0].update(id="ops_q2")),
        ['pillars[3].questions[0]: duplicate question id "ops_q2" (first at pillars[0].questions[1])'],
    ),
    "duplicate choice": (
        _serverless_with(lambda d: d["pillars"][0]["questions"][0]["choices"][2].update(id="ops_ops_q1_a1")),
        [
            'pillars[0].questions[0].choices[2]: duplicate choice id "ops_ops_q1_a1" '
            "(first at pillars[0].questions[0].choices[0])"
        ],
    ),
    "text over the limit": (
        _serverless_with(lambda d: d["pillars"][0]["questions"][1].update(title="x" * 200)),
        ["pillars[0].questions[1].title: longer than 128 characters (200)"],
    ),
    "more than three rules": (
        _serverless_with(lambda d: _rules_of(d, 0, 0).insert(0, {"condition": "ops_ops_q1_a2", "risk": "NO_RISK"})),
        ["pillars[0].questions[0].riskRules: must have 1 to 3 entries, found 4"],
    ),
    "no default rule": (
        _serverless_with(lambda d: _rules_of(d, 4, 0).pop()),
        ['pillars[4].questions[0].riskRules: the last rule must be "default"'],
    ),
    "two None of these": (
        _serverless_with(lambda d: d["pillars"][1]["questions"][1]["choices"][0].update(id="sec_sec_q2_a1_no")),
        ['pillars[1].questions[1].choices: more than one "None of these" choice'],
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_it_refuses_a_bad_file_and_imports_nothing(serverless_lens, case):
    build, expected = BAD_FILES[case]
    raw = build(serverless_lens)
    before = _row_counts()

    with pytest.raises(LensImportError) as refused:
        lens_from_aws(raw, language="en", slug="bad")

    for message in expected:
        assert any(problem.startswith(message) for problem in refused.value.messages), refused.value.messages
    assert _row_counts() == before
    assert not Lens.objects.filter(slug="bad").exists()


def test_it_lists_every_problem_of_a_file(db):
    data = _small_lens()
    data["name"] = "n" * 200
    _question(data)["riskRules"][0]["condition"] = "sec_x || sec_y"
    _choice(data, 1)["id"] = "sec_a1"

    with pytest.raises(LensImportError) as refused:
        lens_from_aws(data, language="en")

    assert refused.value.messages == [
        "name: longer than 128 characters (200)",
        'pillars[0].questions[0].choices[1]: duplicate choice id "sec_a1" '
        "(first at pillars[0].questions[0].choices[0])",
        'pillars[0].questions[0].riskRules[0]: unknown choice "sec_x"',
        'pillars[0].questions[0].riskRules[0]: unknown choice "sec_y"',
    ]


def test_it_refuses_a_taken_slug_and_version(serverless_lens):
    data = lens_to_aws(serverless_lens, language="en")
    before = _row_counts()

    with pytest.raises(LensImportError) as refused:
        lens_from_aws(data, language="en", slug="serverless", version="2019-12")

    assert refused.value.messages == ['lens "serverless" version "2019-12" already exists']
    assert _row_counts() == before


def test_it_imports_a_question_id_as_long_as_aws_allows(db):
    data = _small_lens()
    _question(data)["id"] = "q" * 128

    lens = lens_from_aws(data, language="en")

    assert Question.objects.get(pillar__lens=lens).key == "q" * 128


def test_it_lets_a_review_answer_a_question_whose_id_is_as_long_as_aws_allows(db, client_for):
    data = _small_lens()
    _question(data)["id"] = "q" * 128
    lens = lens_from_aws(data, language="en", status=Lens.Status.PUBLISHED)
    owner = make_user("olga")
    review = make_workload(owner, lens=lens).reviews.get()

    response = client_for(owner).post(
        reverse("reviewapp:answer_save", args=[review.pk]), {"question": "q" * 128, "choices": ["sec_a1"]}
    )

    assert response.status_code == 302, response.content.decode()
    answer = review.answers.get(question__key="q" * 128)
    assert (sorted(answer.selected_choices.values_list("key", flat=True)), answer.risk) == (["sec_a1"], "MEDIUM_RISK")


def test_it_records_history_for_every_imported_row(db):
    lens = lens_from_aws(json.loads(SUSTAINABILITY.read_text()), language="en", slug="sus")

    for model, lens_path in (
        (Pillar, "lens"),
        (Question, "pillar__lens"),
        (Choice, "question__pillar__lens"),
        (RiskRule, "question__pillar__lens"),
    ):
        rows = model.objects.filter(**{lens_path: lens})
        created = model.history.filter(id__in=rows.values("id"), history_type="+")
        assert rows.count() > 0
        assert sorted(created.values_list("id", flat=True)) == sorted(rows.values_list("id", flat=True)), model


def test_it_refuses_an_unknown_language(db):
    with pytest.raises(LensImportError, match='language "fr"'):
        lens_from_aws(_small_lens(), language="fr")


def test_it_rolls_back_a_half_done_import(db, monkeypatch):
    data = _small_lens()
    data["pillars"].append({**copy.deepcopy(data["pillars"][0]), "id": "reliability"})
    data["pillars"][1]["questions"][0]["id"] = "rel_q1"
    before = _row_counts()
    calls = []

    def fail_on_second(objs, *args, **kwargs):
        calls.append(list(objs))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(calls[-1], *args, **kwargs)

    original = RiskRule.objects.bulk_create
    monkeypatch.setattr(RiskRule.objects, "bulk_create", fail_on_second)

    with pytest.raises(RuntimeError):
        lens_from_aws(data, language="en", slug="half")

    assert len(calls) == 2
    assert _row_counts() == before


# --- Commands ----------------------------------------------------------------------------------


def test_it_exports_through_the_command_to_stdout_and_to_a_file(serverless_lens, tmp_path):
    out = io.StringIO()
    call_command("export_lens", "serverless", "--language", "en", stdout=out)
    assert json.loads(out.getvalue()) == lens_to_aws(serverless_lens, language="en")

    target = tmp_path / "serverless-ko.json"
    call_command("export_lens", "serverless", "--version", "2019-12", "-o", str(target), stderr=io.StringIO())
    assert json.loads(target.read_text(encoding="utf-8")) == lens_to_aws(serverless_lens, language="ko")


def test_it_warns_when_the_exported_lens_breaks_the_format(db):
    make_lens(slug="mini")  # pillar ids "p1", "p2" are shorter than AWS allows
    Choice.objects.filter(key="p1_q2_no").update(key="p1_q2_none")
    out, err = io.StringIO(), io.StringIO()

    call_command("export_lens", "mini", "--language", "en", stdout=out, stderr=err)

    assert 'warning: pillars[0].id: "p1" must be 3-64 letters, digits or underscores' in err.getvalue()
    assert 'warning: "None of these" choice "p1_q2_none" does not end in _no' in err.getvalue()
    assert json.loads(out.getvalue())["pillars"][0]["id"] == "p1"


def test_it_says_when_there_is_no_such_lens_to_export(db):
    with pytest.raises(CommandError, match="No lens 'nope'"):
        call_command("export_lens", "nope")


def test_it_imports_through_the_command(db):
    out = io.StringIO()

    call_command("import_lens", str(SUSTAINABILITY), "--language", "en", "--slug", "green", "--publish", stdout=out)

    lens = Lens.objects.get(slug="green")
    assert lens.status == Lens.Status.PUBLISHED
    assert "as green version 1" in out.getvalue()
    assert "2 pillars, 3 questions" in out.getvalue()


@pytest.mark.parametrize(("language", "status"), [("en", "Published"), ("ko", "게시됨")])
def test_it_reports_the_import_in_the_language_asked_for(db, language, status):
    out = io.StringIO()

    with translation.override("ko" if language == "en" else "en"):
        call_command("import_lens", str(SUSTAINABILITY), "--language", language, "--publish", stdout=out)

    assert f"version 1 ({status}): 2 pillars, 3 questions." in out.getvalue()


def test_it_refuses_a_bad_file_through_the_command_with_status_2(db, tmp_path):
    data = _small_lens()
    data["name"] = "n" * 200
    _question(data)["riskRules"][1]["condition"] = "sec_x"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    before, err = _row_counts(), io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_lens", str(bad), "--language", "en", stderr=err)

    assert refused.value.returncode == 2
    assert "2 problems" in str(refused.value)
    assert err.getvalue().splitlines() == [
        "name: longer than 128 characters (200)",
        'pillars[0].questions[0].riskRules[1]: unknown choice "sec_x"',
    ]
    assert _row_counts() == before


def test_it_says_when_the_file_to_import_is_missing(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read") as refused:
        call_command("import_lens", str(tmp_path / "missing.json"))
    assert refused.value.returncode == 2


@pytest.mark.parametrize(
    ("pillar_id", "name", "label"),
    [
        ("Security", "Data", "SEC"),
        ("SECURITY", "Data", "SEC"),
        ("cost_optimization", "Money", "COST"),
        ("OperationalExcellence", "Ops", "OPS"),
        ("performanceEfficiency", "Speed", "PERF"),
        ("Reliability", "Uptime", "REL"),
        ("sustainability", "Green", "SUS"),
        ("Securities", "Money", "SECU"),
    ],
)
def test_it_labels_the_aws_pillars_whatever_the_case_of_their_ids(db, pillar_id, name, label):
    data = _small_lens()
    data["pillars"][0].update(id=pillar_id, name=name)

    lens = lens_from_aws(data, language="en")

    assert Pillar.objects.get(lens=lens).short_label == label


def test_it_imports_a_pillar_of_its_own_with_derived_short_labels(db):
    data = _small_lens()
    data["pillars"] = [
        {**copy.deepcopy(data["pillars"][0]), "id": pillar_id} for pillar_id in ("data_protection", "data_quality")
    ]
    data["pillars"][1]["questions"][0]["id"] = "sec_q2"

    lens = lens_from_aws(data, language="en")

    assert list(Pillar.objects.filter(lens=lens).values_list("short_label", flat=True)) == ["DATA", "DAT2"]
    assert list(Question.objects.filter(pillar__lens=lens).values_list("label", flat=True)) == ["DATA 1", "DAT2 1"]


def test_it_counts_every_problem_of_a_refused_lens_file(db):
    data = _small_lens()
    data["pillars"] = [0] * 5000

    with pytest.raises(LensImportError) as refused:
        lens_from_aws(data, language="en")

    assert (len(refused.value.messages), refused.value.total) == (51, 5001)
