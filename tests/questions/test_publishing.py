"""One rule for every way of publishing a lens (questions/languages.py, versions.validate_lens).

The admin's publish page and ``import_lens --publish`` accept and refuse the same lenses: a
lens in one language is publishable, its pages falling back to that language and saying so;
a lens with a real problem is refused by both with the same message.
"""

import copy
import html
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from questions.interchange import lens_from_aws
from questions.models import Lens

from ..factories import make_user, make_workload

ENGLISH_ONLY = {
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
                    "choices": [
                        {
                            "id": "sec_q1_a1",
                            "title": "Encrypt at rest",
                            "improvementPlan": {"displayText": "Turn on encryption."},
                        },
                        {"id": "sec_q1_no", "title": "None of these"},
                    ],
                    "riskRules": [
                        {"condition": "sec_q1_a1", "risk": "NO_RISK"},
                        {"condition": "default", "risk": "HIGH_RISK"},
                    ],
                }
            ],
        }
    ],
}


def _no_practice() -> dict:
    """Valid in the AWS format, but a question with nothing to choose but "None of these" cannot be published."""
    data = copy.deepcopy(ENGLISH_ONLY)
    question = data["pillars"][0]["questions"][0]
    question["choices"] = [question["choices"][1]]
    question["riskRules"] = [{"condition": "default", "risk": "HIGH_RISK"}]
    return data


CASES = [
    pytest.param(ENGLISH_ONLY, [], id="one-language-publishable"),
    pytest.param(_no_practice(), ["SEC 1 (sec_q1): The question has no best practice to choose."], id="no-practice"),
]


@pytest.fixture
def eddie(db):
    return make_user("eddie", is_staff=True, is_superuser=True)


def _publish_with_the_command(data: dict, tmp_path) -> tuple[list[str], str | None]:
    path = tmp_path / "lens.json"
    path.write_text(__import__("json").dumps(data))
    err = io.StringIO()
    try:
        call_command(
            "import_lens",
            str(path),
            "--language",
            "en",
            "--slug",
            "small",
            "--publish",
            stdout=io.StringIO(),
            stderr=err,
        )
    except CommandError:
        prefix = "not publishable: "
        return [line.removeprefix(prefix) for line in err.getvalue().splitlines() if line.startswith(prefix)], None
    return [], Lens.objects.get(slug="small").status


def _publish_in_the_admin(data: dict, client) -> tuple[list[str], str | None]:
    draft = lens_from_aws(data, language="en", slug="small")
    response = client.post(reverse("admin:questions_lens_publish", args=[draft.pk]), {"version": "1"})
    draft.refresh_from_db()
    if draft.status == Lens.Status.PUBLISHED:
        return [], draft.status
    text = html.unescape(response.content.decode())
    return [
        p for p in ("SEC 1 (sec_q1): The question has no best practice to choose.",) if f"<li>{p}</li>" in text
    ], None


@pytest.mark.parametrize(("data", "problems"), CASES)
def test_it_publishes_the_same_lenses_through_the_command_and_the_admin(data, problems, tmp_path, client_for, eddie):
    through_command = _publish_with_the_command(data, tmp_path)
    Lens.objects.filter(slug="small").delete()
    through_admin = _publish_in_the_admin(data, client_for(eddie))

    expected = (problems, None if problems else Lens.Status.PUBLISHED)
    assert through_command == expected
    assert through_admin == expected
    if problems:
        assert Lens.objects.filter(slug="small", status=Lens.Status.PUBLISHED).count() == 0


def test_it_explains_the_rule_on_the_publish_page(client_for, eddie):
    draft = lens_from_aws(ENGLISH_ONLY, language="en", slug="small")

    page = html.unescape(
        client_for(eddie).get(reverse("admin:questions_lens_publish", args=[draft.pk])).content.decode()
    )

    assert "Every text needs one language, not both" in page
    assert "The draft cannot be published yet" not in page  # an English-only draft has nothing to fix


def test_it_shows_where_a_one_language_lens_falls_back(tmp_path, client_for, eddie):
    lens = lens_from_aws(ENGLISH_ONLY, language="en", slug="small", status=Lens.Status.PUBLISHED)
    assert lens.status == Lens.Status.PUBLISHED and not lens.name_ko
    workload = make_workload(eddie, lens=lens)
    review = workload.reviews.get()
    url = reverse("reviewapp:review_detail", args=[review.pk])

    korean = html.unescape(client_for(eddie, language="ko").get(url).content.decode())
    english = html.unescape(client_for(eddie, language="en").get(url).content.decode())

    assert "이 렌즈는 한국어로 모두 번역되지 않았습니다" in korean
    assert "How do you protect data?" in korean  # the English text, through the fallback
    assert "not fully translated" not in english and "language-fallback" not in english


# --- Importing the same lens again makes no copy unless asked -----------------------------------------


def test_it_makes_no_copy_through_the_admin_unless_the_box_is_ticked(client_for, eddie):
    from django.core.files.uploadedfile import SimpleUploadedFile

    first = lens_from_aws(ENGLISH_ONLY, language="en", slug="small")
    client = client_for(eddie)
    url = reverse("admin:questions_lens_import")

    def upload(**extra):
        body = __import__("json").dumps(ENGLISH_ONLY).encode()
        return client.post(url, {"file": SimpleUploadedFile("lens.json", body), "language": "en", **extra})

    refused = upload()

    assert refused.status_code == 400
    assert "Small (1, Draft) already has this content: nothing was imported." in html.unescape(refused.content.decode())
    assert list(Lens.objects.values_list("pk", flat=True)) == [first.pk]

    upload(force="on")

    assert list(Lens.objects.order_by("pk").values_list("version", flat=True)) == ["1", "2"]
