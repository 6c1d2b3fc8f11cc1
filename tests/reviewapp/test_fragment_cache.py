"""The bank's text kept as rendered ({% cache %} in _review_parts.html): each language gets its own,
a draft lens is never kept, and what is kept is exactly what would be rendered."""

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from questions.models import Lens
from reviewapp import bank
from reviewapp.templatetags.reviewapp_extras import bank_fragment_seconds


@pytest.fixture
def kept(settings):
    settings.BANK_CACHE = True  # as in production: a published lens is kept in the process
    bank._BANKS.clear()
    caches["template_fragments"].clear()
    yield caches["template_fragments"]
    bank._BANKS.clear()
    caches["template_fragments"].clear()


def _same(content: bytes) -> bytes:
    """The page without what differs on every request (CSRF tokens, CSP nonces)."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    content = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)
    return re.sub(rb'(nonce|content)="[A-Za-z0-9+/=_-]{20,}"', b"", content)


def _page(client: Client, review, language: str):
    url = reverse("reviewapp:review_question", args=[review.pk, "p1_q1"])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def test_each_language_keeps_its_own_text_and_the_kept_page_is_the_rendered_one(review, bob, kept, settings):
    client = Client()
    client.force_login(bob)
    settings.BANK_CACHE = False
    uncached = {lang: _same(_page(client, review, lang).content) for lang in ("ko", "en")}
    settings.BANK_CACHE = True

    korean, english = _page(client, review, "ko"), _page(client, review, "en")
    assertContains(korean, "모범 사례 1")
    assertContains(korean, "모범 사례 1 적용.")
    assertNotContains(korean, "Practice 1")
    assertContains(english, "Practice 1")
    assertContains(english, "Do practice 1.")
    assertNotContains(english, "모범 사례 1")
    assert len(kept._cache) > 0
    # From the kept fragments now: the same bytes as rendering everything again.
    assert _same(_page(client, review, "ko").content) == _same(korean.content) == uncached["ko"]
    assert _same(_page(client, review, "en").content) == _same(english.content) == uncached["en"]


def test_only_a_published_or_retired_lens_is_kept(lens, settings):
    settings.BANK_CACHE = True
    assert bank_fragment_seconds(lens) is None  # published: for ever
    lens.status = Lens.Status.RETIRED
    assert bank_fragment_seconds(lens) is None
    lens.status = Lens.Status.DRAFT
    assert bank_fragment_seconds(lens) == 0  # a draft changes: never kept
    lens.status = Lens.Status.PUBLISHED
    settings.BANK_CACHE = False
    assert bank_fragment_seconds(lens) == 0
    assert bank_fragment_seconds("") == 0  # a template without the review's lens keeps nothing
