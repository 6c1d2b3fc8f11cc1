"""Small formatting filters for the review pages."""

from urllib.parse import urlparse

from django import template

from ..markup import render_markdown, render_markdown_inline
from ..models import AnswerRisk

register = template.Library()

_RISK_CLASS = {
    AnswerRisk.HIGH: "high",
    AnswerRisk.MEDIUM: "medium",
    AnswerRisk.NONE: "none",
    AnswerRisk.NOT_APPLICABLE: "na",
    AnswerRisk.UNANSWERED: "unanswered",
}


@register.filter
def risk_label(value: str) -> str:
    """'HIGH_RISK' -> 'High risk' in the active language."""
    try:
        return AnswerRisk(value).label
    except ValueError:
        return value


@register.filter
def risk_class(value: str) -> str:
    return _RISK_CLASS.get(value, "unanswered")


@register.filter
def markdown(value: str):
    """Markdown rendered and sanitized (the one pipeline in ``markup.py``)."""
    return render_markdown(value)


@register.filter
def markdown_inline(value: str):
    """A short Markdown text rendered and sanitized, without the paragraph around it."""
    return render_markdown_inline(value)


@register.filter
def url_host(value: str) -> str:
    """'https://docs.aws.amazon.com/lambda/...' -> 'docs.aws.amazon.com'."""
    return urlparse(value).hostname or value


@register.filter
def people_on(here: dict, key: str) -> list:
    """The people present on a question (from the live view's presence map)."""
    return here.get(key, []) if isinstance(here, dict) else []


@register.filter
def http_url(value: str) -> str:
    """The URL if it is http(s), else nothing: a link never runs ``javascript:`` whatever the database holds."""
    return value if isinstance(value, str) and urlparse(value).scheme in ("http", "https") else ""
