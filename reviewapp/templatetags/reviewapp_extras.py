"""Small formatting filters for the review pages."""

from urllib.parse import urlparse

from django import template
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import get_language, get_language_info, gettext

from questions.markup import render_markdown, render_markdown_inline
from questions.models import Lens

from ..access import role_of
from ..models import AnswerRisk
from ..presence import presence_of
from ..risk import RISK_CSS_CLASS
from ..sessions import may_run_as
from ..sessions.bar import session_bar

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
def bank_fragment_seconds(lens) -> int | None:
    """How long a page may keep the rendered text of this lens's questions and practices ({% cache %}):
    for ever (None) for a published or retired lens, which never changes; not at all (0) for a draft
    or when the bank is not cached (``BANK_CACHE``, off in tests that edit a lens in place)."""
    status = getattr(lens, "status", None)  # no lens in the context: nothing is kept
    if status not in (Lens.Status.PUBLISHED, Lens.Status.RETIRED) or not getattr(settings, "BANK_CACHE", True):
        return 0
    return None


@register.filter
def in_language(value) -> str:
    """A fragment's cache key part: the value in the language being rendered (ko and en differ)."""
    return f"{value}:{get_language()}"


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


@register.filter
def clock(seconds: int) -> str:
    """Seconds as m:ss (h:mm:ss past an hour); a minus sign once over time."""
    sign, seconds = ("−", -seconds) if seconds < 0 else ("", seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes}:{secs:02d}"


@register.inclusion_tag("reviewapp/_session_bar.html", takes_context=True)
def session_bar_for(context, oob: bool = False) -> dict:
    """The running session's bar for the page's review: from the view's ``live`` when it read it."""
    review, request = context["review"], context["request"]
    bar = context["live"] if "live" in context else session_bar(review)
    can_run = False
    if bar is not None:
        role = context.get("role") or role_of(request.user, review.workload)
        can_run = may_run_as(user_id=request.user.pk, role=role, facilitator_id=bar.facilitator_id)
    back = context.get("page_url") or request.get_full_path()
    people = (context.get("people") or presence_of(review.pk)) if bar is not None else []
    return {
        "people": people,
        "live": bar,
        "review": review,
        "can_run": can_run,
        "oob": oob,
        "back": back,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def md_cell(value) -> str:
    """Text for one line or table cell of a Markdown export: no line breaks, no table pipes, no raw HTML."""
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
