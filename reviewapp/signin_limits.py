"""Sign-in lockout thresholds for django-axes: one per (username, address) pair, a higher one per username.

axes counts failures for each of AXES_LOCKOUT_PARAMETERS (the pair first, then the username
alone) and compares the largest count with a single limit. ``failure_limit`` gives it the pair's
limit once the pair has reached it, else the username's: so a pair is locked after
SIGNIN_PAIR_FAILURE_LIMIT failures, and a username tried from rotating addresses after
SIGNIN_USERNAME_FAILURE_LIMIT failures in all.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    pair_attempts = AxesProxyHandler.get_implementation().get_user_attempts(request, credentials)[0]
    pair_failures = pair_attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if pair_failures >= settings.SIGNIN_PAIR_FAILURE_LIMIT:
        return settings.SIGNIN_PAIR_FAILURE_LIMIT
    return settings.SIGNIN_USERNAME_FAILURE_LIMIT
