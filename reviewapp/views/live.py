"""The live view of a review: polled every ~1.5 s by each open page.

An unchanged review answers 204 after one database query (the review's revision and the
caller's membership and session check together); only what changed is sent, as htmx
out-of-band fragments. The same request records presence (in the cache) and carries
facilitator mode: the facilitator's page becomes the review's current question, and
followers are sent there.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ..access import get_review_for_user, live_access, live_review
from ..comments import question_comments
from ..facilitation import review_facilitator_set
from ..forms import FacilitatorForm, LivePoll, error_messages
from ..models import Comment, Review
from ..presence import presence_token, presence_touch
from ..progress import review_state
from ..sessions.attendance import attendance_touch
from ..sessions.bar import session_token
from .reviews import review_context, review_members


def _in_lens(review_id: int, key: str) -> bool:
    """Whether the question key is one of the review's lens (checked only when the facilitator moves)."""
    return Review.objects.filter(pk=review_id, lens__pillars__questions__key=key).exists()


@login_not_required  # the session is checked below, in the same query as the review
@never_cache
@require_GET
def review_live(request: HttpRequest, pk: int) -> HttpResponse:
    access = live_access(request, pk)
    if access is None:
        return HttpResponseClientRedirect(reverse("login") + f"?next={reverse('reviewapp:review_detail', args=[pk])}")
    user_id, role = access.user_id, access.role
    poll = LivePoll.of(request.GET)
    page = poll.page
    people = presence_touch(review_id=pk, user_id=user_id, username=access.username, page=page)
    token = presence_token(people)
    if access.live_session_id:  # a session runs: the poll counts the caller present (in the cache)
        attendance_touch(session_id=access.live_session_id, user_id=user_id)
    sess = session_token(access.live_session_id, access.session_version)
    leading = access.facilitator_id == user_id
    lead_question = access.facilitator_question if access.facilitator_id else ""
    if leading and page.startswith("question:") and lead_question != page[9:] and _in_lens(pk, page[9:]):
        Review.objects.filter(pk=pk).update(facilitator_question=page[9:])
        lead_question = page[9:]
    if poll.follow and lead_question and not leading and page != f"question:{lead_question}":
        return HttpResponseClientRedirect(reverse("reviewapp:review_question", args=[pk, lead_question]))
    since = poll.rev
    leader = str(access.facilitator_id or "")
    if (
        since == access.revision
        and poll.seen == token
        and poll.lead == lead_question
        and poll.by == leader
        and poll.sess == sess
    ):
        return HttpResponse(status=204)
    return _changes(request, pk, role, page, since, people, token, lead_question, poll.by != leader)


def _changes(request, pk: int, role: str, page: str, since: int, people, token: str, lead_question: str, led: bool):
    """The changed parts; ``led``: someone started or stopped leading, so the facilitation controls change too."""
    review = live_review(pk)
    state = review_state(review)
    changed = {q.item.key for q in state.questions if q.answer.review_revision > since}
    kind, _sep, key = page.partition(":")
    shown = (
        [state.question(key)]
        if kind == "question" and state.question(key)
        else state.pillar(key).questions
        if kind == "pillar" and state.pillar(key)
        else []
    )
    here = {}
    for person in people or []:
        if person.question:
            here.setdefault(person.question, []).append(person)
    current_pillar = (
        state.pillar(shown[0].item.pillar.key)
        if kind == "question" and shown
        else state.pillar(key)
        if kind == "pillar"
        else None
    )
    # The question's comment thread, when one of its comments changed since the page's revision.
    # Each revision is one write; when every revision since the page's is an answer's, no comment
    # changed and nothing needs asking (a workshop's usual case: only answers change).
    answered = {
        q.answer.review_revision for q in state.questions if since < q.answer.review_revision <= review.revision
    }
    thread = (
        question_comments(review, key)
        if kind == "question"
        and shown
        and len(answered) < review.revision - since
        and Comment.objects.filter(review=review, question__key=key, review_revision__gt=since).exists()
        else None
    )
    context = review_context(
        request,
        review,
        role,
        state,
        page=page,
        thread=thread,
        token=token,
        lead_question=lead_question,
        people=people or [],
        presence_unavailable=people is None,
        here=here,
        facilitation_changed=led,
        members=review_members(review, role) if led else [],
        page_url=request.htmx.current_url_abs_path or reverse("reviewapp:review_detail", args=[pk]),
        refreshed=[q for q in shown if q.item.key in changed],
        shown=shown,
        current_pillar=current_pillar,
        nav=current_pillar.questions if kind == "question" and current_pillar else [],
        current=shown[0] if kind == "question" and shown else None,
    )
    # What the navigation's items show besides who is where (the cache key of their fragment).
    prioritised = context["prioritised"]
    context["nav_key"] = ".".join(f"{q.item.key}:{q.risk}:{q.item.key in prioritised:d}" for q in context["nav"])
    return render(request, "reviewapp/live.html", context)


@require_POST
def facilitator_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner picks who leads (or leads); the owner or the facilitator stops it."""
    review, _role = get_review_for_user(request, pk)
    form = FacilitatorForm(request.POST, workload=review.workload)
    try:
        if not form.is_valid():
            raise ValidationError(error_messages(form))
        facilitator = form.cleaned_data["facilitator"]
        review_facilitator_set(review=review, user=request.user, facilitator=facilitator)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Facilitator mode is on: followers are moved to the question the facilitator opens.")
            if facilitator
            else _("Facilitator mode is off."),
        )
    back = request.POST.get("next")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("reviewapp:review_detail", args=[pk])
    return redirect(back)
