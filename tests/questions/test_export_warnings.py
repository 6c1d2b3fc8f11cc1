"""A lens export says what the AWS tool could not hold as it is (questions/interchange/export.py)."""

import io
import json

from django.core.management import call_command
from django.urls import reverse

from questions.interchange import export_warnings, lens_to_aws
from questions.models import Choice, Question

from ..factories import make_lens, make_user


def _long_texts(lens) -> None:
    Question.objects.filter(pillar__lens=lens, key="p1_q1").update(title_en="T" * 140)
    Choice.objects.filter(question__pillar__lens=lens, key="p1_q1_a1").update(
        description_en="D" * 1100, improvement_plan_url="https://example.com/" + "x" * 1100
    )


def test_the_serverless_lens_fits_the_aws_limits(serverless_lens):
    assert export_warnings(serverless_lens, language="ko") == []
    assert export_warnings(serverless_lens, language="en") == []


def test_each_text_over_a_limit_is_named_with_its_length_and_what_happens_to_it(db):
    lens = make_lens(slug="longish")
    _long_texts(lens)

    warnings = export_warnings(lens, language="en")

    assert "question p1_q1 title: 140 characters, over the AWS limit of 128 (cut to 128)" in warnings
    assert "choice p1_q1_a1 description: 1100 characters, over the AWS limit of 1024 (cut to 1024)" in warnings
    assert any(w.startswith("choice p1_q1_a1 URL: 1120 characters") and "(left out)" in w for w in warnings)
    exported = lens_to_aws(lens, language="en")["pillars"][0]["questions"][0]
    assert len(exported["title"]) == 128 and exported["title"].endswith("…")


def test_the_command_prints_the_warnings(db):
    lens = make_lens(slug="longish")
    _long_texts(lens)
    err = io.StringIO()

    call_command("export_lens", "longish", "--language", "en", stdout=io.StringIO(), stderr=err)

    assert "warning: question p1_q1 title: 140 characters, over the AWS limit of 128" in err.getvalue()


def test_the_admin_shows_the_warnings_before_the_download(db, client_for):
    lens = make_lens(slug="longish")
    _long_texts(lens)
    client = client_for(make_user("root", is_staff=True, is_superuser=True))
    url = reverse("admin:questions_lens_export", args=[lens.pk, "en"])

    first = client.get(url)

    assert first["Content-Type"].startswith("text/html")
    page = first.content.decode()
    assert "cannot hold everything of this lens" in page and "question p1_q1 title: 140 characters" in page
    anyway = client.get(url + "?anyway=1")
    assert anyway["Content-Type"] == "application/json"
    assert json.loads(anyway.content) == lens_to_aws(lens, language="en")
