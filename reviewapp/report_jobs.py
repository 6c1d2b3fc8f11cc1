"""PDF reports as background jobs on the task queue (django-tasks): one render per report state.

A report is asked for by its state (``ReportRequest.cache_key``: review revision, language, paper
size). The first person to ask creates the state's ``ReportRender`` row and queues one job;
everyone else who asks meanwhile finds the row and waits for the same job (single flight). The
finished PDF is kept on the row (the source of truth) and in the cache (the fast path).

A job whose worker died (killed mid-render, machine restarted) leaves its row "rendering": the
next person to ask after ``REPORT_RENDER_STALE_SECONDS`` queues it again under a new attempt
number, and only the job of the row's current attempt may write the result, so it is written once.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from . import reports
from .cache_guard import CacheUnavailable, guarded
from .models import ReportRender
from .reports import ReportRequest

logger = logging.getLogger(__name__)
Status = ReportRender.Status


@dataclass(frozen=True)
class ReportOutcome:
    """Either the PDF, or the render it waits for."""

    pdf: bytes | None
    render: ReportRender | None


def requested_report(request: ReportRequest, *, retry: bool = False) -> ReportOutcome:
    """The report's PDF if it is rendered; otherwise its render, queued once whoever asks.

    ``retry`` queues a failed render again (a person pressed "Try again").
    """
    key = request.cache_key()
    pdf = _cached(key)
    if pdf is not None:
        return ReportOutcome(pdf=pdf, render=None)
    render, created = _render_row(request, key)
    if created:
        _enqueue(render)
    elif render.status == Status.READY:
        return _ready(render)
    elif _should_requeue(render, retry=retry):
        _requeue(render)
    render = ReportRender.objects.defer("pdf").get(pk=render.pk)
    if render.status == Status.READY:  # an immediate backend (tests) or a fast worker
        return _ready(render)
    return ReportOutcome(pdf=None, render=render)


def _render_row(request: ReportRequest, key: str) -> tuple[ReportRender, bool]:
    fields = {
        "review": request.review,
        "milestone": request.milestone,
        "language": request.language,
        "page_size": request.page_size,
        "with_sessions": bool(request.sessions),
        "requested_at": timezone.now(),
    }
    try:
        return ReportRender.objects.defer("pdf").get_or_create(key=key, defaults=fields)
    except IntegrityError:  # another request created it between our read and our insert
        return ReportRender.objects.defer("pdf").get(key=key), False


def _should_requeue(render: ReportRender, *, retry: bool) -> bool:
    if render.status == Status.FAILED:
        return retry
    stale = timezone.now() - timedelta(seconds=settings.REPORT_RENDER_STALE_SECONDS)
    if render.status == Status.RENDERING:
        return render.started_at is not None and render.started_at < stale
    return render.requested_at < stale  # queued that long: its job was lost with the queue


def _requeue(render: ReportRender) -> None:
    """Queue the render again under the next attempt number, once however many ask at once."""
    moved = ReportRender.objects.filter(pk=render.pk, attempt=render.attempt).update(
        attempt=F("attempt") + 1, status=Status.QUEUED, requested_at=timezone.now(), started_at=None, error=""
    )
    if moved:
        logger.warning("report render %s queued again (attempt %s was %s)", render.key, render.attempt, render.status)
        render.attempt += 1
        _enqueue(render)


def _enqueue(render: ReportRender) -> None:
    render_report.enqueue(render_id=render.pk, attempt=render.attempt)


def _ready(render: ReportRender) -> ReportOutcome:
    pdf = bytes(ReportRender.objects.values_list("pdf", flat=True).get(pk=render.pk))
    _cache(render.key, pdf)
    return ReportOutcome(pdf=pdf, render=None)


def _cached(key: str) -> bytes | None:
    try:
        return guarded(lambda: cache.get(key))
    except CacheUnavailable:  # a cache that does not answer only costs the fast path (logged once)
        return None


def _cache(key: str, pdf: bytes) -> None:
    try:
        guarded(lambda: cache.set(key, pdf, reports.CACHE_SECONDS), kind="store")
    except CacheUnavailable:  # Redis down, a full or read-only disk: the row still holds the PDF
        pass


@task()
def render_report(render_id: int, attempt: int) -> str:
    """Render one report state; a job of an attempt that is no longer the row's does nothing."""
    claimed = ReportRender.objects.filter(pk=render_id, attempt=attempt, status=Status.QUEUED).update(
        status=Status.RENDERING, started_at=timezone.now()
    )
    if not claimed:
        return "superseded"
    render = ReportRender.objects.select_related("review__workload", "milestone").defer("pdf").get(pk=render_id)
    request = ReportRequest(
        review=render.review,
        milestone=render.milestone,
        language=render.language,
        page_size=render.page_size,
        sessions=reports.report_sessions(render.review) if render.with_sessions else (),
    )
    mine = ReportRender.objects.filter(pk=render_id, attempt=attempt, status=Status.RENDERING)
    try:
        pdf = reports.render_report_pdf(request)
    except Exception as error:
        logger.exception("report render %s failed", render.key)
        mine.update(status=Status.FAILED, error=f"{type(error).__name__}: {error}"[:1000], finished_at=timezone.now())
        return "failed"
    if not mine.update(status=Status.READY, pdf=pdf, finished_at=timezone.now()):
        return "superseded"
    _cache(render.key, pdf)
    # Older states of the same report are never asked for again: keep one PDF per report.
    ReportRender.objects.filter(
        review_id=render.review_id,
        milestone_id=render.milestone_id,
        language=render.language,
        page_size=render.page_size,
        with_sessions=render.with_sessions,
        status__in=[Status.READY, Status.FAILED],
    ).exclude(pk=render_id).delete()
    return "ready"
