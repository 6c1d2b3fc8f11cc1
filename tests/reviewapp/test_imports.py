"""Uploading an AWS answers file on the review page (views/imports.py): bad files refused whole, in bounded words."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from ..factories import answer_snapshot


def _upload(client, review, content: bytes):
    upload = SimpleUploadedFile("answers.json", content, content_type="application/json")
    return client.post(reverse("reviewapp:answers_import", args=[review.pk]), {"file": upload})


def test_it_imports_an_uploaded_file(review, client_for, bob):
    response = _upload(client_for(bob), review, b'[{"QuestionId": "p1_q1", "SelectedChoices": ["p1_q1_a1"]}]')

    assert response.status_code == 302
    assert list(review.answers.get(question__key="p1_q1").selected_choices.values_list("key", flat=True)) == [
        "p1_q1_a1"
    ]


def test_it_refuses_a_file_nested_too_deeply_with_the_page_not_a_500(review, client_for, bob):
    before = answer_snapshot(review)

    response = _upload(client_for(bob), review, b"[" * 100_000 + b"]" * 100_000)

    assertContains(response, "not JSON we can read: arrays or objects are nested too deeply", status_code=400)
    assert answer_snapshot(review) == before


def test_it_refuses_a_long_list_of_zeros_in_one_sentence(review, client_for, bob):
    response = _upload(client_for(bob), review, b"[" + b"0," * 200_000 + b"0]")

    assertContains(response, "the file has 200001 answers, more than the 4 questions of lens mini", status_code=400)
    assert response.content.count(b"<li>") == 1


def test_it_refuses_notes_with_a_nul_character(review, client_for, bob):
    before = answer_snapshot(review)

    response = _upload(client_for(bob), review, b'[{"QuestionId": "p1_q1", "Notes": "a\\u0000"}]')

    assertContains(response, "[0].Notes: must not contain NUL characters", status_code=400)
    assert answer_snapshot(review) == before


def test_it_refuses_a_file_over_5_mb(review, client_for, bob, settings):
    response = _upload(client_for(bob), review, b" " * (settings.IMPORT_MAX_BYTES + 1))

    assertContains(response, "The file is larger than 5 MB.", status_code=400)
