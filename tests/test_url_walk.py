"""Every URL of the site, walked as a stranger: nothing of a workload leaks.

The walk reads the URL patterns themselves (``get_resolver()``, admin and API included), so a
URL added later is walked too. Path parameters are filled with the ids of alice's workload
and its review, milestone, member and token. Whatever answers with content instead of the
sign-in redirect (anonymous) or 403/404 (an outsider) must be listed below with its reason.
"""

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.regex_helper import normalize

from reviewapp import urls as reviewapp_urls
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.api import urls as api_urls
from reviewapp.bank import load_bank
from reviewapp.comments import comment_add
from reviewapp.improvements import improvement_update
from reviewapp.invitations import invitation_create
from reviewapp.milestones import milestone_create
from reviewapp.models import (
    AnswerChange,
    ApiToken,
    Attendance,
    Comment,
    ImprovementItem,
    Invitation,
    Membership,
    Milestone,
    Notification,
    ParkingItem,
    QuestionDiscussion,
    ReviewSession,
    ReviewTemplate,
    Role,
    Webhook,
    WebhookDelivery,
    Workload,
)
from reviewapp.profiles import workload_profile_set
from reviewapp.review_templates import template_from_review
from reviewapp.sessions.discussion import discussion_set, parking_add
from reviewapp.sessions.planning import AgendaEntry, session_plan
from reviewapp.sessions.running import session_start
from reviewapp.tokens import token_create

from .factories import add_member, make_profile, make_workload, workload_snapshot

SECRET_NAME = "Secret Harbour Workload"
SECRETS = [SECRET_NAME, "harbour-secret"]  # the name, and a marker in every other text of the workload
LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")

# Reachable without signing in, each for a reason; anything else anonymous must be sent to sign in.
ANONYMOUS_EXCEPTIONS = {
    "healthz": ({200}, "load balancer probe: says only whether the database answers"),
    "livez": ({200}, "liveness probe: answers 'ok' and touches nothing"),
    "login": ({200}, "the sign-in page"),
    "logout": ({302, 405}, "signing out is a POST; a GET is refused or sent to sign in"),
    "set_language": ({200, 204, 302}, "sets the language cookie and goes back; no data"),
    "admin:login": ({200}, "the admin's sign-in page"),
    "admin:logout": ({302}, "the admin sends a stranger signing out to its index (which asks to sign in)"),
    "reviewapp:review_live": ({200}, "the one-query poll checks the session itself and answers HX-Redirect to sign in"),
    "reviewapp:tracker_hook": ({405}, "an issue tracker's webhook: a POST signed with the connection's secret"),
    "reviewapp:invitation_accept": (
        {404},
        "the invitee may have no account: the token is the permission (a wrong one: 404)",
    ),
}

# What an outsider (signed in, not staff, member of nothing of alice's) may open with 200: their own
# things or the public question bank. Everything else must be 403/404 or a redirect.
OUTSIDER_PAGES = {
    "healthz": "probe",
    "livez": "probe",
    "set_language": "language cookie",
    "admin:login": "the admin's sign-in page, saying charlie may not enter",
    "api:schema": "API description",
    "api:docs": "API description",
    "redoc_script": "the API docs page's script (Redoc), the same for everyone",
    "reviewapp:workload_list": "charlie's own workloads (none)",
    "reviewapp:workload_create": "an empty form",
    "reviewapp:workload_import": "an empty upload form (an import makes a workload of charlie's own)",
    "reviewapp:token_list": "charlie's own tokens",
    "reviewapp:consolidated_export": "risk counts of charlie's own workloads (none) for a lens",
    "api:workload-list": "charlie's own workloads",
    "api:review-list": "reviews of charlie's own workloads",
    "api:consolidated-export": "risk counts of charlie's own workloads",
    "reviewapp:portfolio": "the portfolio of charlie's own workloads (none) for a lens",
    "reviewapp:portfolio_export": "the portfolio of charlie's own workloads (none) for a lens",
    "api:lens-portfolio": "the portfolio of charlie's own workloads (none) for a lens",
    "api:lens-list": "the question bank, the same for everyone",
    "api:lens-detail": "the question bank",
    "api:lens-aws-export": "the question bank",
    "reviewapp:template_list": "charlie's own review templates (none)",
    "api:template-list": "charlie's own review templates (none)",
    "api:profile-list": "the profiles of the question bank, the same for everyone",
    "api:profile-detail": "a profile of the question bank",
    "reviewapp:notification_list": "charlie's own notifications (none)",
    "reviewapp:notification_preferences": "charlie's own notification preferences",
    "api:notification-list": "charlie's own notifications (none)",
}


@dataclass(frozen=True)
class Route:
    """One URL pattern, leaf of the resolver tree, with the regexes of the patterns above it."""

    pieces: tuple
    namespace: str
    pattern: URLPattern

    @property
    def name(self) -> str:
        name = self.pattern.name or f"<unnamed {self.pattern.lookup_str}>"
        return f"{self.namespace}:{name}" if self.namespace else name

    @cached_property
    def template(self) -> tuple[str, list[str]]:
        """The path as a %-format string and its parameters (what ``reverse`` works from)."""
        text, params = "", []
        for piece in self.pieces:
            fmt, names = normalize(piece.regex.pattern)[0]
            text += fmt
            params += names
        return text, params

    def __str__(self) -> str:
        return f"{self.name} /" + "".join(str(piece) for piece in self.pieces)


def _walk(resolver: URLResolver, pieces: tuple = (), namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _walk(entry, (*pieces, entry.pattern), inner)
        else:
            yield Route((*pieces, entry.pattern), namespace, entry)


ROUTES = list(_walk(get_resolver()))


@pytest.fixture
def world(alice, vera, charlie, lens):
    """alice's secret workload with everything that hangs off it, and a bit of everything else."""
    workload = make_workload(
        alice,
        name=SECRET_NAME,
        lens=lens,
        description="harbour-secret-description",
        notes="harbour-secret-notes",
        industry="harbour-secret-industry",
    )
    vera_membership = add_member(workload, vera, Role.VIEWER)
    review = workload.reviews.get()
    item = load_bank(lens).by_key["p1_q1"]
    answer = answer_save(
        review=review,
        item=item,
        user=alice,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes="harbour-secret-answer"),
    )
    milestone = milestone_create(review=review, name="harbour-secret-milestone", user=alice)
    choice = item.choices_by_key["p1_q1_a2"]
    improvement_update(
        review=review,
        choice=choice,
        user=alice,
        status="in_progress",
        owner=alice,
        due_date=None,
        note="harbour-secret-item",
    )
    token, _key = token_create(user=alice, name="harbour-secret-token")
    invitation, _token = invitation_create(workload=workload, role=Role.OWNER, created_by=alice)
    session = session_plan(
        review=review,
        user=alice,
        title="harbour-secret-session",
        planned_start=timezone.now(),
        facilitator=alice,
        agenda=[AgendaEntry("question:p1_q1", 10)],
        expected=[alice],
    )
    session = session_start(session=session, user=alice)
    discussion_set(session=session, user=alice, question_key="p1_q1", state="deferred")
    parking = parking_add(session=session, user=alice, text="harbour-secret-parking", question_key="p1_q1")
    comment = comment_add(review=review, question_key="p1_q1", user=alice, body="harbour-secret-comment @vera")
    Group.objects.create(name="bank editors")
    webhook = Webhook.objects.create(
        workload=workload, url="https://hooks.example.com/harbour-secret-hook", events=["answer.saved"], secret="s"
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="answer.saved", payload={"note": "harbour-secret-payload"}
    )
    profile = make_profile()
    workload_profile_set(workload=workload, profile=profile, answers={"exposed": ["exposed_yes"]})
    template = template_from_review(
        review=review, owner=alice, name="harbour-secret-template", description="harbour-secret-template-text"
    )
    return {
        "profile": profile,
        "template": template,
        "notification": Notification.objects.get(recipient=vera, kind="mention"),  # alice's comment names vera
        "webhook": webhook,
        "delivery": delivery,
        "comment": comment,
        "session": session,
        "parking": parking,
        "workload": workload,
        "review": review,
        "answer": answer,
        "milestone": milestone,
        "token": token,
        "membership": vera_membership,
        "invitation": invitation,
        "lens": lens,
        "alice": alice,
        "choice": choice,
        "question": item.question,
        "pillar": item.pillar,
    }


# Which object a path parameter names, by the start of the path it is in: (value, alice's?).
def _pk(route: Route, w) -> tuple[object, bool]:
    path = route.template[0]
    for prefix, value, owned in [
        ("account/tokens/", w["token"].pk, True),
        ("notifications/", w["notification"].pk, True),
        ("workloads/", w["workload"].pk, True),
        ("reviews/", w["review"].pk, True),
        ("api/v1/workloads/", w["workload"].pk, True),
        ("api/v1/reviews/", w["review"].pk, True),
        ("api/v1/lenses/", w["lens"].pk, False),
        ("templates/", w["template"].pk, True),
        ("api/v1/templates/", w["template"].pk, True),
        ("api/v1/profiles/", w["profile"].pk, False),
        ("admin/questions/lens/", w["lens"].pk, False),
    ]:
        if path.startswith(prefix):
            return value, owned
    raise AssertionError(f"the walk does not know what 'pk' names in {route}: add it to _pk")


ADMIN_OBJECTS = {
    ("reviewapp", "workload"): lambda w: w["workload"].pk,
    ("reviewapp", "review"): lambda w: w["review"].pk,
    ("reviewapp", "answer"): lambda w: w["answer"].pk,
    ("auth", "user"): lambda w: w["alice"].pk,
    ("questions", "lens"): lambda w: w["lens"].pk,
    ("questions", "pillar"): lambda w: w["pillar"].pk,
    ("questions", "question"): lambda w: w["question"].pk,
    ("questions", "choice"): lambda w: w["choice"].pk,
}


def _admin_object(route: Route, w) -> object:
    app_label, model = route.template[0].split("/")[1:3]
    if (app_label, model) in ADMIN_OBJECTS:
        return ADMIN_OBJECTS[app_label, model](w)
    first = apps.get_model(app_label, model).objects.order_by("pk").first()
    return first.pk if first else 1


def fill(route: Route, w) -> tuple[str, bool]:
    """The route's URL for alice's things, and whether it names something of alice's."""
    fmt, params = route.template
    values, owned = {}, False
    for param in params:
        if param == "pk":
            values[param], mine = _pk(route, w)
            owned |= mine
        elif param == "member_pk":
            values[param], owned = w["membership"].pk, True
        elif param == "milestone_pk":
            values[param], owned = w["milestone"].pk, True
        elif param == "version":
            values[param] = 1
        elif param == "key":
            values[param] = (
                "p1"
                if route.name == "reviewapp:review_pillar"
                else w["choice"].key
                if route.name in {"reviewapp:plan_item_update", "api:plan-item"}
                else "p1_q1"
            )
        elif param == "fmt":
            values[param] = "csv"
        elif param == "slug":
            values[param] = w["lens"].slug
        elif param == "language":
            values[param] = "en"
        elif param == "app_label":
            values[param] = "reviewapp"
        elif param == "url":
            values[param] = "no-such-page/"
        elif param == "content_type_id":
            values[param], owned = ContentType.objects.get_for_model(Workload).pk, True
        elif param == "object_id":
            values[param] = w["workload"].pk if route.name == "admin:view_on_site" else _admin_object(route, w)
            owned = True
        elif param == "webhook_pk":
            values[param], owned = w["webhook"].pk, True
        elif param == "delivery_pk":
            values[param], owned = w["delivery"].pk, True
        elif param == "session_pk":
            values[param], owned = w["session"].pk, True
        elif param == "comment_pk":
            values[param], owned = w["comment"].pk, True
        elif param == "item_pk":
            values[param], owned = w["parking"].pk, True
        elif param == "ext":
            values[param] = "json"
        elif param == "invitation_pk":
            values[param], owned = w["invitation"].pk, True
        elif param == "token":
            values[param] = "not-the-invitation-token"  # the real one is never stored, so never guessed
        elif param == "id":
            values[param], owned = w["alice"].pk, True
        elif param == "hook_id":
            values[param] = "00000000-0000-4000-8000-000000000000"  # no connection has it: 404 to a POST
        else:
            raise AssertionError(f"the walk does not know how to fill '{param}' of {route}: add it to fill()")
    url = "/" + fmt % values
    assert resolve(url).func is route.pattern.callback, f"{url} does not reach {route}"
    return url, owned


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _assert_no_secret(response, route, who) -> None:
    body = _body(response).lower()
    leaked = [secret for secret in SECRETS if secret.lower() in body]
    assert not leaked, f"{route} shows {leaked} to {who}"


def _state(w) -> dict:
    """Everything a stranger's request could change."""
    return {
        "workload": workload_snapshot(w["workload"]),
        "milestones": list(Milestone.objects.values_list("pk", "name")),
        "items": list(ImprovementItem.objects.order_by("pk").values_list("pk", "status", "note", "owner_id")),
        "changes": AnswerChange.objects.count(),
        "tokens": list(ApiToken.objects.values_list("pk", "name", "revoked_at")),
        "invitations": list(Invitation.objects.values_list("pk", "role", "accepted_at", "revoked_at")),
        "members": list(Membership.objects.order_by("pk").values_list("pk", "workload_id", "user_id", "role")),
        "facilitator": list(w["workload"].reviews.values_list("facilitator_id", "facilitator_question")),
        "templates": list(ReviewTemplate.objects.values_list("pk", "name", "description", "lens_id")),
        "sessions": list(ReviewSession.objects.values_list("pk", "title", "status", "version", "current_index")),
        "session parts": (
            list(ParkingItem.objects.values_list("pk", "text")),
            list(QuestionDiscussion.objects.values_list("pk", "state")),
            list(Attendance.objects.values_list("pk", "user_id", "seconds")),
            list(Comment.objects.values_list("pk", "body", "deleted_at")),
        ),
    }


# --- The walk itself ----------------------------------------------------------------------------


def test_it_walks_every_url_of_the_site():
    names = {route.name for route in ROUTES}

    assert {f"reviewapp:{p.name}" for p in reviewapp_urls.urlpatterns} <= names
    assert {f"api:{p.name}" for p in api_urls.urlpatterns} <= names
    assert {"healthz", "livez", "login", "admin:index", "api:workload-list", "reviewapp:review_live"} <= names
    assert len(ROUTES) > 100  # admin and API included
    assert set(ANONYMOUS_EXCEPTIONS) <= names, "an exception names a URL that no longer exists"
    assert set(OUTSIDER_PAGES) <= names, "an exception names a URL that no longer exists"


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_it_sends_anonymous_visitors_nowhere_but_the_sign_in(world, client_for, route):
    url, _owned = fill(route, world)

    response = client_for(None).get(url)

    _assert_no_secret(response, route, "an anonymous visitor")
    if route.name in ANONYMOUS_EXCEPTIONS:
        statuses, _reason = ANONYMOUS_EXCEPTIONS[route.name]
        assert response.status_code in statuses, (route, response.status_code)
        if route.name == "reviewapp:review_live":
            assert response["HX-Redirect"].startswith(LOGIN)
    elif route.namespace == "api":
        assert response.status_code == 401, (route, response.status_code)
    elif route.namespace == "admin":  # the site's sign-in (LoginRequiredMiddleware) comes before the admin's
        assert response.status_code == 302, (route, response.status_code)
        assert response["Location"] in {f"{LOGIN}?next={quote(url)}", f"{ADMIN_LOGIN}?next={quote(url)}"}
    else:
        assert response.status_code == 302, (route, response.status_code)
        assert response["Location"] == f"{LOGIN}?next={quote(url)}"


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_it_shows_an_outsider_nothing_of_the_workload(world, client_for, charlie, route):
    url, owned = fill(route, world)
    client = client_for(charlie)
    before = _state(world)

    response = client.get(url)

    _assert_no_secret(response, route, "an outsider")
    status = response.status_code
    if route.name == "admin:logout":
        assert status == 302 and response["Location"] == reverse("admin:index"), (route, status)
    elif route.namespace == "admin" and route.name != "admin:login":
        assert status == 302 and response["Location"].startswith(ADMIN_LOGIN), (route, status)
    elif owned:
        assert status in {403, 404, 405}, (route, status)
    elif status == 200:
        assert route.name in OUTSIDER_PAGES, f"{route} answers an outsider 200: list it with a reason, or refuse"
    else:
        assert status in {302, 400, 403, 404, 405}, (route, status)
    if status == 405:  # a write-only URL: the writes it takes must be refused as well
        for method in sorted(set(response["Allow"].replace(" ", "").split(",")) - {"GET", "HEAD", "OPTIONS"}):
            written = client.generic(method, url, "", content_type="application/json")
            _assert_no_secret(written, route, "an outsider")
            expected = {403, 404} if owned else {302, 400, 403, 404}  # 302: charlie signing himself out
            assert written.status_code in expected, (route, method, written.status_code)
    assert _state(world) == before, f"{route} changed something for an outsider"
