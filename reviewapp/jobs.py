"""Queueing a background job (django-tasks), now or at a given time when the backend can defer."""

from datetime import datetime


def enqueue(job, at: datetime | None = None, **kwargs) -> None:
    """Queue ``job`` with ``kwargs``; ``at``: not before then (a backend that cannot defer runs it now)."""
    if at is not None and job.get_backend().supports_defer:
        job.using(run_after=at).enqueue(**kwargs)
    else:
        job.enqueue(**kwargs)
