"""A lens file imported and exported again is the same file (questions/interchange/).

Everything the AWS custom lens format holds comes back: a question's helpfulResource, a
choice's description and additionalResources included. Keys the format does not define
(``owner``, ``_version``, a question's ``url``, a choice's ``tags``) are ignored by the import,
as the format's documentation in ``questions/interchange/__init__.py`` says, and so are left
out of the comparison.
"""

import copy
import json
from pathlib import Path

import pytest

from questions.interchange import lens_from_aws, lens_to_aws, validate_aws_lens

DATA = Path(__file__).resolve().parent.parent / "data" / "aws"
LENS_FILES = [path for path in sorted(DATA.glob("*.json")) if "schemaVersion" in json.loads(path.read_text())]

FORMAT_KEYS = {
    "lens": {"schemaVersion", "name", "description", "pillars"},
    "pillar": {"id", "name", "questions"},
    "question": {"id", "title", "description", "helpfulResource", "choices", "riskRules"},
    "choice": {"id", "title", "description", "helpfulResource", "improvementPlan", "additionalResources"},
}


def _format_only(data: dict) -> dict:
    """The file with only the keys the format defines."""

    def keep(obj: dict, kind: str) -> dict:
        return {k: v for k, v in obj.items() if k in FORMAT_KEYS[kind]}

    lens = keep(data, "lens")
    lens["pillars"] = []
    for pillar in data["pillars"]:
        questions = []
        for question in pillar.get("questions", []):
            q = keep(question, "question")
            q["choices"] = [keep(choice, "choice") for choice in question["choices"]]
            questions.append(q)
        lens["pillars"].append({**keep(pillar, "pillar"), "questions": questions})
    return lens


def _canonical(data: dict) -> str:
    """Equal for two files that differ only in key order."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1)


THIRD_PARTY = {
    "schemaVersion": "2021-11-01",
    "name": "Acme Platform Lens",
    "description": "Acme's own questions, with links everywhere the format allows them.",
    "pillars": [
        {
            "id": "acme_delivery",
            "name": "Delivery",
            "questions": [
                {
                    "id": "acme_deploy",
                    "title": "How do you deploy?",
                    "description": "Deployments should be *boring*: see [the runbook](https://acme.example/runbook).",
                    "helpfulResource": {"displayText": "Deploying at Acme", "url": "https://acme.example/deploy"},
                    "choices": [
                        {
                            "id": "acme_deploy_pipeline",
                            "title": "Every change goes through the pipeline",
                            "description": "No hand-made [releases].",
                            "helpfulResource": {"displayText": "Why a pipeline", "url": "https://acme.example/why"},
                            "improvementPlan": {
                                "displayText": "Add the service to the pipeline.",
                                "url": "https://acme.example/pipeline",
                            },
                            "additionalResources": [
                                {
                                    "type": "IMPROVEMENT_PLAN",
                                    "content": [
                                        {"displayText": "Pipeline template [v2]", "url": "https://acme.example/t"},
                                        {"displayText": "Ask the platform team"},
                                    ],
                                },
                                {
                                    "type": "HELPFUL_RESOURCE",
                                    "content": [
                                        {"displayText": "DORA metrics", "url": "https://dora.dev/"},
                                    ],
                                },
                            ],
                        },
                        {
                            "id": "acme_deploy_canary",
                            "title": "Canary releases",
                            "improvementPlan": {"displayText": "Route 5 % first."},
                            "additionalResources": [
                                {
                                    "type": "HELPFUL_RESOURCE",
                                    "content": [
                                        {"displayText": f"Canary guide {n}", "url": f"https://acme.example/c{n}"}
                                        for n in range(1, 6)
                                    ],
                                },
                            ],
                        },
                        {
                            "id": "acme_deploy_no",
                            "title": "None of these",
                            "helpfulResource": {"displayText": "Choose this when you deploy by hand."},
                        },
                    ],
                    "riskRules": [
                        {"condition": "acme_deploy_pipeline && acme_deploy_canary", "risk": "NO_RISK"},
                        {"condition": "acme_deploy_pipeline", "risk": "MEDIUM_RISK"},
                        {"condition": "default", "risk": "HIGH_RISK"},
                    ],
                },
                {
                    "id": "acme_rollback",
                    "title": "How do you roll back?",
                    "helpfulResource": {"displayText": "Only a text, no link"},
                    "choices": [
                        {
                            "id": "acme_rollback_auto",
                            "title": "Automatically",
                            "improvementPlan": {"displayText": "Watch the alarms during deploys."},
                        },
                        {"id": "acme_rollback_no", "title": "None of these"},
                    ],
                    "riskRules": [
                        {"condition": "acme_rollback_auto", "risk": "NO_RISK"},
                        {"condition": "default", "risk": "HIGH_RISK"},
                    ],
                },
            ],
        },
        {
            "id": "security",
            "name": "Security",
            "questions": [
                {
                    "id": "acme_secrets",
                    "title": "Where do secrets live?",
                    "choices": [
                        {
                            "id": "acme_secrets_vault",
                            "title": "In the vault",
                            "helpfulResource": {"displayText": "Vault", "url": "https://acme.example/vault"},
                            "improvementPlan": {"displayText": "Move them."},
                        },
                    ],
                    "riskRules": [
                        {"condition": "acme_secrets_vault", "risk": "NO_RISK"},
                        {"condition": "default", "risk": "HIGH_RISK"},
                    ],
                },
            ],
        },
    ],
}

LENSES = [pytest.param(json.loads(path.read_text()), id=path.name) for path in LENS_FILES]
LENSES.append(pytest.param(THIRD_PARTY, id="third-party"))


def test_it_has_lens_files_to_try():
    assert [path.name for path in LENS_FILES] == ["custom_lens_sustainability.json"]
    assert validate_aws_lens(THIRD_PARTY) == []


@pytest.mark.parametrize("data", LENSES)
@pytest.mark.parametrize("language", ["en", "ko"])
def test_it_exports_an_imported_lens_as_the_file_it_came_from(db, data, language):
    lens = lens_from_aws(copy.deepcopy(data), language=language, slug="roundtrip")

    assert _canonical(lens_to_aws(lens, language=language)) == _canonical(_format_only(data))


@pytest.mark.parametrize("data", LENSES)
def test_it_gives_the_same_file_after_export_import_export(db, data):
    first = lens_to_aws(lens_from_aws(copy.deepcopy(data), language="en", slug="first"), language="en")

    second = lens_to_aws(lens_from_aws(copy.deepcopy(first), language="en", slug="second"), language="en")

    assert _canonical(second) == _canonical(first) == _canonical(_format_only(data))


@pytest.mark.parametrize("language", ["en", "ko"])
def test_it_gives_the_serverless_lens_back_after_export_import_export(serverless_lens, language):
    exported = lens_to_aws(serverless_lens, language=language)

    again = lens_to_aws(lens_from_aws(copy.deepcopy(exported), language=language, slug="copy"), language=language)

    assert _canonical(again) == _canonical(exported)
