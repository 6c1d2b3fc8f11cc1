"""A review's workload (with its profile), lens and facilitator, kept per process.

Every review page, save and live refresh needs them. Read with the review in one four-table
join they cost about four times the rest of the request's query (some sixty columns and five
model instances on every request). Instead the review's query reads, besides its own row, only
what tells whether the kept ones are still current (``STAMPS``: the workload's ``updated_at``
and webhook events, the lens's status), and each kept object is used for at most
``KEPT_SECONDS``, which bounds what no stamp covers (a facilitator's renamed account).
Each request gets its own copy, so nothing it changes reaches another.
"""

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import F

from questions.models import Lens

from .models import Review, Workload

KEPT_SECONDS = 30.0
KEPT_MAX = 2000

# What the review's query reads to tell whether the kept workload and lens are still current.
STAMPS = {
    "kept_workload_updated": F("workload__updated_at"),
    "kept_workload_events": F("workload__webhook_events"),
    "kept_lens_status": F("lens__status"),
}

_kept: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
_lock = threading.Lock()


def with_relations(review: Review) -> Review:
    """The review (read with ``STAMPS``) given its workload and profile, lens and facilitator."""
    events = tuple(review.kept_workload_events or ())
    review.workload = _kept_or_read(
        ("workload", review.workload_id, review.kept_workload_updated, events),
        lambda: Workload.objects.select_related("profile").get(pk=review.workload_id),
    )
    review.lens = _kept_or_read(
        ("lens", review.lens_id, review.kept_lens_status), lambda: Lens.objects.get(pk=review.lens_id)
    )
    if review.facilitator_id is not None:
        review.facilitator = _kept_or_read(
            ("account", review.facilitator_id), lambda: get_user_model().objects.get(pk=review.facilitator_id)
        )
    return review


def relations_forget() -> None:
    """Drop everything kept (tests that roll the database back between them)."""
    with _lock:
        _kept.clear()


def _kept_or_read(key: tuple, read: Callable[[], object]):
    now = time.monotonic()
    with _lock:
        found = _kept.get(key)
    if found is None or now - found[0] > KEPT_SECONDS:
        found = (now, read())
        with _lock:
            _kept[key] = found
            _kept.move_to_end(key)
            while len(_kept) > KEPT_MAX:
                _kept.popitem(last=False)
    return copy.copy(found[1])
