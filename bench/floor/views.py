"""The floor: the least a Django + gunicorn + PostgreSQL stack does for each kind of request.

Each runs under the app's full middleware (sessions, CSRF, authentication, the sign-in rule), so
``request.user`` costs the session read and the user query as in the app. Nothing here is
reachable in the app: only ``bench.floor.urls`` mounts these views.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from reviewapp.models import Answer, Review


@login_not_required
def trivial(request: HttpRequest) -> HttpResponse:
    """No session, no database: the cost of the middleware stack and gunicorn alone."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def user_name(request: HttpRequest) -> HttpResponse:
    """``request.user`` with the standard middleware: a session read and the user query."""
    return HttpResponse(request.user.get_username(), content_type="text/plain")


@require_GET
def conditional(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in conditional GET: the review's revision as the ETag; 304 when the client has it."""
    revision = Review.objects.filter(pk=pk).values_list("revision", flat=True).first()
    if revision is None:
        return HttpResponse("no such review", status=404, content_type="text/plain")
    etag = f'"{revision}"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified(headers={"ETag": etag})
    return HttpResponse(str(revision), content_type="text/plain", headers={"ETag": etag})


@require_POST
def save(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    """A signed-in, CSRF-checked optimistic save: the notes if the answer is still at or past the
    version sent, its version and the review's revision bumped, in one transaction."""
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        return HttpResponse("version must be a number", status=400, content_type="text/plain")
    now = timezone.now()
    with transaction.atomic():
        answer = Answer.objects.filter(pk=answer_pk, review_id=pk, version__gte=version)
        if not answer.update(notes=request.POST.get("notes", ""), version=F("version") + 1, updated_at=now):
            return HttpResponse("conflict", status=409, content_type="text/plain")
        Review.objects.filter(pk=pk).update(revision=F("revision") + 1, updated_at=now)
    return HttpResponse("saved", content_type="text/plain")
