"""Which languages a lens is complete in, and the one rule for what a lens needs in each.

A lens is publishable when every text a reviewer must read (lens and pillar names, question
and choice titles) is written in at least one language: a lens imported from an AWS file in
one language is publishable as it is. Where a text is missing in the reader's language the
pages show the other one (django-modeltranslation's fallback), and the review pages say so
(see ``Bank.incomplete_languages``), so the fallback is never silent.
"""

from collections.abc import Iterable

from django.conf import settings

from .models import Choice, Lens, Pillar, Question

LANGS = [code for code, _name in settings.LANGUAGES]
# The texts every row needs, per model: in at least one language to publish, in every one to be complete.
REQUIRED_TEXTS = {Lens: ("name",), Pillar: ("name",), Question: ("title",), Choice: ("title",)}


def texts_of(row, name: str) -> dict[str, str]:
    """A translated field of a row in each language, stripped ("" when empty)."""
    return {lang: (getattr(row, f"{name}_{lang}") or "").strip() for lang in LANGS}


def missing_everywhere(row, name: str) -> bool:
    """True when the text is empty in every language: nothing to show, even through the fallback."""
    return not any(texts_of(row, name).values())


def lens_incomplete_languages(
    *, lens: Lens, pillars: Iterable[Pillar], questions: Iterable[Question], choices: Iterable[Choice]
) -> frozenset[str]:
    """Languages in which some required text of the lens is empty (shown in another language)."""
    incomplete = set()
    for row in (lens, *pillars, *questions, *choices):
        for name in REQUIRED_TEXTS[type(row)]:
            incomplete.update(lang for lang, text in texts_of(row, name).items() if not text)
    return frozenset(incomplete)
