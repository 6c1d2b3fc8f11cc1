"""The PDF report of a review or a milestone: one template, rendered by WeasyPrint, cached by revision
(rendered as a background job: ``reviewapp.report_jobs``).

User text (notes, names, imported lens text) only reaches the report through the
template's escaping or ``render_markdown``; the URL fetcher lets WeasyPrint read
nothing but ``data:`` URLs and the app's own static files.
"""

import gc
import hashlib
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.db.models import Max
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .charts import pillar_bars
from .improvements import improvement_plan
from .models import ImprovementItem, Milestone, Review
from .profiles import review_prioritised_keys
from .progress import state_of
from .risk import RiskCounts
from .sessions.minutes import Minutes, session_minutes

PAGE_SIZES = {"a4": "A4", "letter": "letter"}
REPORT_FORMAT = 5  # bump when the report's layout changes, so cached copies are not served
CACHE_SECONDS = 60 * 60 * 24


class StaticOnlyFetcher(URLFetcher):
    """Fetches ``data:`` URLs and files under the app's static folders; refuses everything else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)
        self.roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
        if settings.STATIC_ROOT:
            self.roots.append(Path(settings.STATIC_ROOT).resolve())

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"refused to fetch {url}: only the app's static files may be read")
        elif not url.startswith("data:"):
            raise ValueError(f"refused to fetch {url}: only data: URLs and static files may be read")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class ReportRequest:
    review: Review
    milestone: Milestone | None
    language: str
    page_size: str  # a key of PAGE_SIZES
    sessions: tuple[Minutes, ...] = ()  # the minutes to add as a chapter (``report_sessions``), or none

    def cache_key(self) -> str:
        workload = f"{self.review.workload.updated_at.timestamp():.6f}"  # the cover shows the workload now
        if self.milestone is not None:  # its answers are frozen
            state = f"m{self.milestone.pk}-{workload}"
        else:
            items = ImprovementItem.objects.filter(review=self.review).aggregate(latest=Max("updated_at"))["latest"]
            state = f"r{self.review.revision}-{workload}-{items.timestamp() if items else 0:.6f}"
        if self.sessions:  # minutes change with attendance, parking and states too: key on what they say
            minutes = json.dumps([m.as_json() for m in self.sessions], sort_keys=True, ensure_ascii=False)
            state += "-s" + hashlib.sha256(minutes.encode()).hexdigest()[:16]
        return f"report:v{REPORT_FORMAT}:{self.review.pk}:{state}:{self.language}:{self.page_size}"

    def etag(self) -> str:
        return '"' + hashlib.sha256(self.cache_key().encode()).hexdigest()[:32] + '"'

    def filename(self, today: datetime | None = None) -> str:
        when = (today or timezone.localtime()).strftime("%Y-%m-%d")
        what = self.milestone.name if self.milestone else "review"
        stem = "-".join(
            part
            for part in (slugify(self.review.workload.name, allow_unicode=True), slugify(what, allow_unicode=True))
            if part
        )
        return f"{stem or 'review'}-{when}.pdf"


def report_sessions(review: Review) -> tuple[Minutes, ...]:
    """The minutes of the review's sessions that have started, oldest first (the report's optional chapter)."""
    sessions = review.sessions.filter(started_at__isnull=False).select_related("facilitator").order_by("started_at")
    minutes = []
    for session in sessions:
        session.review = review
        minutes.append(session_minutes(session))
    return tuple(minutes)


def report_context(request: ReportRequest) -> dict:
    """Everything the report template shows, computed before rendering."""
    review = request.review
    state = state_of(review, request.milestone)
    bank = state.bank
    plan = improvement_plan(state, with_items=request.milestone is None)
    chart = pillar_bars([(f"{p.pillar.short_label} {p.pillar.name}", p.counts) for p in state.pillars])
    prioritised = review_prioritised_keys(review)
    return {
        "review": review,
        "workload": review.workload,
        "lens": bank.lens,
        "milestone": request.milestone,
        "state": state,
        "plan": plan,
        "chart": chart,
        "generated_at": timezone.localtime(),
        "page_size": PAGE_SIZES[request.page_size],
        "sessions": request.sessions,
        "stylesheet": _stylesheet(),
        "prioritised": prioritised,
        "prioritised_counts": RiskCounts.of(q.risk for q in state.questions if q.item.key in prioritised),
    }


def _stylesheet() -> str:
    return (Path(settings.BASE_DIR) / "static" / "css" / "report.css").read_text(encoding="utf-8")


def render_report_html(request: ReportRequest) -> str:
    with translation.override(request.language):
        return render_to_string("reviewapp/report/report.html", report_context(request))


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """This thread's font configuration, kept between reports.

    A new one per report would open and measure the fonts again (about 40 ms);
    Pango font maps are not thread-safe, so each thread has its own.
    """
    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config


@contextmanager
def _collector_paused():
    """Pause Python's cycle collector while WeasyPrint lays out and draws.

    A report makes hundreds of thousands of short-lived objects, so the collector would run
    many times during one render and walk every object of the process each full pass
    (10-20 % of a render's time). What the render leaves behind is collected afterwards as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_pdf(html: str) -> bytes:
    base_url = (Path(settings.BASE_DIR) / "static").as_uri() + "/"
    with _collector_paused():
        document = HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher())
        return document.write_pdf(font_config=_font_config())


def render_report_pdf(request: ReportRequest) -> bytes:
    return _write_pdf(render_report_html(request))


def warm_up() -> None:
    """Compile the report's template and load its fonts and WeasyPrint's stylesheets once,
    so a worker's first report is not slower than the next (about 0.3 s saved).

    Called by ``config.wsgi`` when a web worker starts; harmless anywhere else.
    """
    get_template("reviewapp/report/report.html")
    _write_pdf(f"<style>{_stylesheet()}</style><h2>보고서 Report</h2><p><b>굵게 bold</b> 본문 text</p>")
