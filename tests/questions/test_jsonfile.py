"""The one reader of outside JSON (questions/jsonfile.py): data, or NotJSON saying where and why."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from questions.jsonfile import NotJSON, read_json
from questions.models import Lens

from ..factories import make_user


def test_it_reads_json_text_and_bytes():
    assert read_json('{"a": [1, "가"]}') == read_json('{"a": [1, "가"]}'.encode()) == {"a": [1, "가"]}


@pytest.mark.parametrize("raw", ["[" * 100_000, "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000])
def test_it_refuses_json_nested_too_deeply_instead_of_crashing(raw):
    with pytest.raises(NotJSON) as refused:
        read_json(raw)

    assert str(refused.value) == "not JSON we can read: arrays or objects are nested too deeply"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ('{"a": "b', "not JSON: Unterminated string starting at line 1 column 7"),
        ('["a\x01"]', "not JSON: Invalid control character at line 1 column 4"),
        ("[1,]", "not JSON: Expecting value at line 1 column 4"),
    ],
)
def test_it_says_where_the_text_breaks_in_plain_words(raw, message):
    with pytest.raises(NotJSON) as refused:
        read_json(raw)

    assert str(refused.value) == message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_it_refuses_numbers_json_does_not_have(constant):
    with pytest.raises(NotJSON, match=f"{constant} is not a JSON number"):
        read_json(f"[{constant}]")


def test_it_refuses_a_lens_file_nested_too_deeply_in_the_admin(db, client_for):
    upload = SimpleUploadedFile("lens.json", b"[" * 100_000 + b"]" * 100_000, content_type="application/json")
    client = client_for(make_user("root", is_staff=True, is_superuser=True))

    response = client.post(reverse("admin:questions_lens_import"), {"file": upload, "language": "en"})

    assert response.status_code == 400
    assert "not JSON we can read: arrays or objects are nested too deeply" in response.content.decode()
    assert not Lens.objects.exists()
