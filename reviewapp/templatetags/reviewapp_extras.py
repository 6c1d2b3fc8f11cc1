"""Small formatting filters for the review pages."""

from urllib.parse import urlparse

from django import template
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import get_language, get_language_info, gettext

from questions.markup import render_markdown, render_markdown_inline

from ..models import AnswerRisk
from ..risk import RISK_CSS_CLASS

register = template.Library()


@register.filter
def risk_label(value: str) -> str:
    """'HIGH_RISK' -> 'High risk' in the active language."""
    try:
        return AnswerRisk(value).label
    except ValueError:
        return value


@register.filter
def risk_class(value: str) -> str:
    return RISK_CSS_CLASS.get(value, "unanswered")


@register.filter
def markdown(value: str):
    """Markdown rendered and sanitized (the one pipeline in ``markup.py``)."""
    return render_markdown(value)


@register.filter
def markdown_inline(value: str):
    """A short Markdown text rendered and sanitized, without the paragraph around it."""
    return render_markdown_inline(value)


@register.filter
def language_fallback_note(bank) -> str:
    """A note when the lens lacks texts in the reader's language and the pages show another one; else ""."""
    language = get_language()
    if language not in getattr(bank, "incomplete_languages", ()):  # no bank on pages without a review state
        return ""
    fallback = settings.MODELTRANSLATION_FALLBACK_LANGUAGES.get(language, ("en",))[0]
    return gettext(
        "This lens is not fully translated into %(language)s: texts without a translation are shown in %(fallback)s."
    ) % {
        "language": get_language_info(language)["name_translated"],
        "fallback": get_language_info(fallback)["name_translated"],
    }


@register.filter
def url_host(value: str) -> str:
    """'https://docs.aws.amazon.com/lambda/...' -> 'docs.aws.amazon.com'."""
    return urlparse(value).hostname or value


@register.filter
def people_on(here: dict, key: str) -> list:
    """The people present on a question (from the live view's presence map)."""
    return here.get(key, []) if isinstance(here, dict) else []


@register.filter
def question_label(key: str, state) -> str:
    """'ops_q2' -> 'OPS 2': a question of the review's lens by its label (the key itself if unknown)."""
    found = state.question(key) if state is not None and key else None
    return found.question.label if found else key


@register.filter
def http_url(value: str) -> str:
    """The URL if it is http(s), else nothing: a link never runs ``javascript:`` whatever the database holds."""
    return value if isinstance(value, str) and urlparse(value).scheme in ("http", "https") else ""


@register.filter
def practice_facts(practice) -> str:
    """A plan practice's tier and its item's tracking on one line: "Good · In progress · bob · due 2030-01-31"."""
    facts = [practice.choice.get_tier_display()] if practice.choice.tier else []
    item = practice.item
    if item is not None:
        facts.append(item.get_status_display())
        if item.owner:
            facts.append(item.owner.get_username())
        if item.due_date:
            facts.append(gettext("due %(due)s") % {"due": date_format(item.due_date, "Y-m-d")})
    return " · ".join(str(fact) for fact in facts)
