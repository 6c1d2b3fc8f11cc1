"""Who may do what through /api/v1/: every endpoint, for every persona, by token and by session.

Personas: alice owns the workload, bob contributes, vera views, charlie is a stranger who owns
another workload ("Zeta"), sam is staff (a member of nothing), and an anonymous caller.
"""

import codecs
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from questions.models import Lens
from questions.profiles import profile_draft_create, profile_publish
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.api import urls as api_urls
from reviewapp.bank import load_bank
from reviewapp.comments import comment_add
from reviewapp.invitations import invitation_create
from reviewapp.models import (
    Answer,
    AnswerRisk,
    Comment,
    ImprovementItem,
    Invitation,
    Membership,
    Milestone,
    Review,
    ReviewSession,
    Role,
    TrackerConnection,
    Workload,
)
from reviewapp.profiles import workload_profile_set
from reviewapp.review_templates import template_create
from reviewapp.sessions.planning import AgendaEntry, session_plan
from reviewapp.trackers.encryption import encrypt_token

from ..factories import make_lens, make_profile, make_user, make_workload, workload_snapshot


@dataclass(frozen=True)
class Endpoint:
    """One API call under the workload, and what success looks like."""

    name: str  # the URL name in reviewapp/api/urls.py, plus a suffix when one URL has several calls
    method: str
    url: Callable
    body: Callable | None = None
    seen: Callable | None = None  # what a permitted read returned, in short...
    expected: Callable | None = None  # ...and what it should be
    effect: Callable | None = None  # asserts the change a permitted write made

    def call(self, client: Client, w):
        kwargs = {"data": json.dumps(self.body(w)), "content_type": "application/json"} if self.body else {}
        return getattr(client, self.method)(self.url(w), **kwargs)

    @property
    def url_name(self) -> str:
        return self.name.split(":")[0]


def _api(path: str) -> str:
    return f"/api/v1/{path}"


def _workload_edit(w) -> dict:
    return {
        "name": "Shop renamed",
        "description": "A bigger shop.",
        "environment": "PREPRODUCTION",
        "regions": ["us-east-1"],
        "review_owner": "Team",
        "industry": "Retail",
    }


def _renamed(w, user):
    w.workload.refresh_from_db()
    assert (w.workload.name, w.workload.environment, w.workload.regions) == (
        "Shop renamed",
        "PREPRODUCTION",
        ["us-east-1"],
    )


def _answered(w, user):
    answer = Answer.objects.get(review=w.review, question__key="p1_q2")
    assert set(answer.selected_choices.values_list("key", flat=True)) == {"p1_q2_a1"}
    assert (answer.risk, answer.version, answer.updated_by) == (AnswerRisk.MEDIUM, 1, user)


def _item_tracked(w, user):
    item = ImprovementItem.objects.get(review=w.review, choice__key="p1_q1_a2")
    assert (item.status, item.owner.username, item.updated_by) == ("in_progress", "bob", user)


def _milestone_taken(w, user):
    milestone = Milestone.objects.get(review=w.review, name="Sprint 1")
    assert milestone.created_by == user
    assert milestone.answers.count() == 4


def _session_planned(w, user):
    session = ReviewSession.objects.get(review=w.review, title="Security")
    assert session.created_by == user and session.facilitator.username == "bob"
    assert [(i.target_key, i.minutes) for i in session.agenda.all()] == [("pillar:p1", 30)]


def _session_started(w, user):
    w.session.refresh_from_db()
    assert w.session.status == "running"
    assert list(w.session.events.values_list("kind", "by")) == [("start", user.pk)]


def _commented(w, user):
    comment = Comment.objects.get(review=w.review, question__key="p1_q2")
    assert (comment.author, comment.body) == (user, "Ask @vera")
    assert list(comment.mentions.values_list("username", flat=True)) == ["vera"]


def _comment_changed(w, user):
    assert Comment.objects.get(pk=w.comment.pk).body == "Changed by its author"


def _comment_deleted(w, user):
    assert Comment.objects.get(pk=w.comment.pk).deleted_at is not None


def _member_added(w, user):
    assert Membership.objects.get(workload=w.workload, user=w.dave).role == Role.VIEWER


def _member_removed(w, user):
    assert not Membership.objects.filter(workload=w.workload, user__username="vera").exists()


def _nothing_changed(w, user):
    assert Workload.objects.count() == 2 and w.workload.memberships.count() == 3


def _csv_head(response):
    return response.content[:3], response.content.decode("utf-8-sig").splitlines()[0].split(",")[:2]


READS = [
    Endpoint(
        "tracker",
        "get",
        lambda w: _api(f"workloads/{w.workload.pk}/tracker/"),
        seen=lambda r: (r.json()["kind"], r.json()["project"], "token" in " ".join(r.json())),
        expected=lambda w: ("github", "acme/shop", False),
    ),
    Endpoint(
        "workload-detail",
        "get",
        lambda w: _api(f"workloads/{w.workload.pk}/"),
        seen=lambda r: (r.json()["name"], r.json()["reviews"]),
        expected=lambda w: ("Shop", [w.review.pk]),
    ),
    Endpoint(
        "member-list",
        "get",
        lambda w: _api(f"workloads/{w.workload.pk}/members/"),
        seen=lambda r: [(m["username"], m["role"]) for m in r.json()],
        expected=lambda w: [("alice", "owner"), ("bob", "contributor"), ("vera", "viewer")],
    ),
    Endpoint(
        "review-detail",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/"),
        seen=lambda r: (r.json()["id"], r.json()["lens"]["slug"]),
        expected=lambda w: (w.review.pk, "mini"),
    ),
    Endpoint(
        "review-summary",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/summary/"),
        seen=lambda r: (r.json()["counts"]["total"], r.json()["counts"]["medium"]),
        expected=lambda w: (4, 1),
    ),
    Endpoint(
        "answer-list",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/answers/"),
        seen=lambda r: [a["question"] for a in r.json()],
        expected=lambda w: ["p1_q1", "p1_q2", "p2_q1", "p2_q2"],
    ),
    Endpoint(
        "answer-detail",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/answers/p1_q1/"),
        seen=lambda r: (r.json()["selected_choices"], r["ETag"]),
        expected=lambda w: (["p1_q1_a1"], '"1"'),
    ),
    Endpoint(
        "plan",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/improvement-plan/"),
        seen=lambda r: [(q["question"], [i["choice"] for i in q["items"]]) for q in r.json()],
        expected=lambda w: [("p1_q1", ["p1_q1_a2", "p1_q1_a3"])],
    ),
    Endpoint(
        "milestone-list",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/milestones/"),
        seen=lambda r: [m["name"] for m in r.json()["results"]],
        expected=lambda w: ["Baseline"],
    ),
    Endpoint(
        "milestone-detail",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/milestones/{w.milestone.pk}/"),
        seen=lambda r: (r.json()["name"], r.json()["counts"]["unanswered"]),
        expected=lambda w: ("Baseline", 4),
    ),
    Endpoint(
        "session-list",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/sessions/"),
        seen=lambda r: [(x["title"], x["facilitator"], x["agenda"]) for x in r.json()],
        expected=lambda w: [("Kick-off", "bob", [{"target": "question:p1_q1", "minutes": 10}])],
    ),
    Endpoint(
        "session-detail",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/sessions/{w.session.pk}/"),
        seen=lambda r: (r.json()["title"], r.json()["status"], r.json()["expected"]),
        expected=lambda w: ("Kick-off", "planned", ["alice", "bob"]),
    ),
    Endpoint(
        "session-minutes",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/sessions/{w.session.pk}/minutes/"),
        seen=lambda r: (r.json()["title"], r.json()["changes"], [a["username"] for a in r.json()["attendees"]]),
        expected=lambda w: ("Kick-off", [], ["alice", "bob"]),
    ),
    Endpoint(
        "comment-list",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/answers/p1_q1/comments/"),
        seen=lambda r: [(c["author"], c["body"]) for c in r.json()],
        expected=lambda w: [("bob", "First thoughts")],
    ),
    Endpoint(
        "comment-detail",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/comments/{w.comment.pk}/"),
        seen=lambda r: (r.json()["question"], r.json()["author"]),
        expected=lambda w: ("p1_q1", "bob"),
    ),
    Endpoint(
        "answers-export:csv",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/export.csv"),
        seen=_csv_head,
        expected=lambda w: (codecs.BOM_UTF8, ["pillar", "question_id"]),
    ),
    Endpoint(
        "answers-aws-export",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/answers/aws/"),
        seen=lambda r: [a["QuestionId"] for a in json.loads(r.content)["AnswerSummaries"]][:2],
        expected=lambda w: ["p1_q1", "p1_q2"],
    ),
    Endpoint(
        "answers-export:json",
        "get",
        lambda w: _api(f"reviews/{w.review.pk}/export.json"),
        seen=lambda r: json.loads(r.content)["workload"],
        expected=lambda w: {"id": w.workload.pk, "name": "Shop"},
    ),
]
WRITES = [
    Endpoint(
        "workload-detail:patch",
        "patch",
        lambda w: _api(f"workloads/{w.workload.pk}/"),
        body=lambda w: {"name": "Shop renamed", "environment": "PREPRODUCTION", "regions": ["us-east-1"]},
        effect=_renamed,
    ),
    Endpoint(
        "workload-detail:put",
        "put",
        lambda w: _api(f"workloads/{w.workload.pk}/"),
        body=_workload_edit,
        effect=_renamed,
    ),
    Endpoint(
        "answer-detail:patch",
        "patch",
        lambda w: _api(f"reviews/{w.review.pk}/answers/p1_q2/"),
        body=lambda w: {"selected_choices": ["p1_q2_a1"], "version": 0},
        effect=_answered,
    ),
    Endpoint(
        "answer-detail:put",
        "put",
        lambda w: _api(f"reviews/{w.review.pk}/answers/p1_q2/"),
        body=lambda w: {"selected_choices": ["p1_q2_a1"], "notes": "", "version": 0},
        effect=_answered,
    ),
    Endpoint(
        "plan-item",
        "patch",
        lambda w: _api(f"reviews/{w.review.pk}/improvement-plan/p1_q1_a2/"),
        body=lambda w: {"status": "in_progress", "owner": "bob"},
        effect=_item_tracked,
    ),
    Endpoint(
        "comment-list:post",
        "post",
        lambda w: _api(f"reviews/{w.review.pk}/answers/p1_q2/comments/"),
        body=lambda w: {"body": "Ask @vera"},
        effect=_commented,
    ),
    Endpoint(
        "session-list:post",
        "post",
        lambda w: _api(f"reviews/{w.review.pk}/sessions/"),
        body=lambda w: {
            "title": "Security",
            "planned_start": "2026-12-03T10:00:00Z",
            "facilitator": "bob",
            "expected": ["vera"],
            "agenda": [{"target": "pillar:p1", "minutes": 30}],
        },
        effect=_session_planned,
    ),
    Endpoint(
        # bob facilitates: he, the owner and staff may run the clock.
        "session-step",
        "post",
        lambda w: _api(f"reviews/{w.review.pk}/sessions/{w.session.pk}/step/"),
        body=lambda w: {"action": "start"},
        effect=_session_started,
    ),
    Endpoint(
        "milestone-list:post",
        "post",
        lambda w: _api(f"reviews/{w.review.pk}/milestones/"),
        body=lambda w: {"name": "Sprint 1"},
        effect=_milestone_taken,
    ),
    Endpoint(
        "answers-aws-import",
        "post",
        lambda w: _api(f"reviews/{w.review.pk}/answers/import/"),
        body=lambda w: {"AnswerSummaries": [{"QuestionId": "p1_q2", "SelectedChoices": ["p1_q2_a1"]}]},
        effect=_answered,
    ),
]


def _invited(w, user):
    invitation = Invitation.objects.exclude(pk=w.invitation.pk).get(workload=w.workload)
    assert (invitation.role, invitation.created_by, invitation.state) == (Role.CONTRIBUTOR, user, "pending")


def _invitation_withdrawn(w, user):
    w.invitation.refresh_from_db()
    assert w.invitation.state == Invitation.State.REVOKED


OWNER_ONLY = [
    Endpoint(
        "tracker-sync",
        "post",
        lambda w: _api(f"workloads/{w.workload.pk}/tracker/sync/"),
        effect=_nothing_changed,  # the sync is queued after the commit; its effect: tests/api/test_trackers.py
    ),
    Endpoint(
        "member-list:post",
        "post",
        lambda w: _api(f"workloads/{w.workload.pk}/members/"),
        body=lambda w: {"username": "dave", "role": "viewer"},
        effect=_member_added,
    ),
    Endpoint(
        "member-detail",
        "delete",
        lambda w: _api(f"workloads/{w.workload.pk}/members/{w.vera_membership.pk}/"),
        effect=_member_removed,
    ),
    Endpoint(
        # A read, but of everything (members included): owners and staff only. Its body: tests/reviewapp/test_archives.py.
        "workload-archive",
        "get",
        lambda w: _api(f"workloads/{w.workload.pk}/archive/"),
        effect=_nothing_changed,
    ),
    Endpoint(
        "invitation-list:post",
        "post",
        lambda w: _api(f"workloads/{w.workload.pk}/invitations/"),
        body=lambda w: {"role": "contributor"},
        effect=_invited,
    ),
    Endpoint(
        "invitation-detail",
        "delete",
        lambda w: _api(f"workloads/{w.workload.pk}/invitations/{w.invitation.pk}/"),
        effect=_invitation_withdrawn,
    ),
]
# Only who wrote it (bob) changes a comment: not the owner, not staff.
AUTHOR_ONLY = [
    Endpoint(
        "comment-detail:patch",
        "patch",
        lambda w: _api(f"reviews/{w.review.pk}/comments/{w.comment.pk}/"),
        body=lambda w: {"body": "Changed by its author"},
        effect=_comment_changed,
    ),
    Endpoint(
        "comment-detail:delete",
        "delete",
        lambda w: _api(f"reviews/{w.review.pk}/comments/{w.comment.pk}/"),
        effect=_comment_deleted,
    ),
]


def _profile_is(version: int):
    def effect(w, user):
        w.workload.refresh_from_db()
        assert w.workload.profile.version == version

    return effect


def _profile_upgraded(w, user):
    _profile_is(2)(w, user)
    assert Milestone.objects.filter(review=w.review, name="Before profile upgrade to version 2").exists()


def _profile_removed(w, user):
    w.workload.refresh_from_db()
    assert (w.workload.profile, w.workload.profile_answers) == (None, {})


READS.append(
    Endpoint(
        "workload-profile",
        "get",
        lambda w: _api(f"workloads/{w.workload.pk}/profile/"),
        seen=lambda r: (r.json()["profile"], r.json()["prioritised_questions"], r.json()["newer_version"]),
        expected=lambda w: (w.profile.pk, ["p1_q1"], w.newer_profile.pk),
    )
)
WRITES.extend(
    [
        Endpoint(
            "workload-profile:put",
            "put",
            lambda w: _api(f"workloads/{w.workload.pk}/profile/"),
            body=lambda w: {"profile": w.newer_profile.pk, "answers": {"exposed": ["exposed_no"]}},
            effect=_profile_is(2),
        ),
        Endpoint(
            "workload-profile:delete",
            "delete",
            lambda w: _api(f"workloads/{w.workload.pk}/profile/"),
            effect=_profile_removed,
        ),
        Endpoint(
            "workload-profile-upgrade",
            "post",
            lambda w: _api(f"workloads/{w.workload.pk}/profile/upgrade/"),
            effect=_profile_upgraded,
        ),
        Endpoint(
            "review-list:post",
            "post",
            lambda w: _api("reviews/"),
            body=lambda w: {"workload": w.workload.pk, "lens": w.other_lens.pk},
            effect=lambda w, user: w.workload.reviews.get(lens=w.other_lens),
        ),
    ]
)

UNDER_THE_WORKLOAD = READS + WRITES + OWNER_ONLY + AUTHOR_ONLY


def _by_name(endpoints):
    return pytest.mark.parametrize("endpoint", endpoints, ids=lambda e: e.name)


@pytest.fixture
def w(workload, review, milestone, alice, charlie, lens):
    """The personas' workload with p1_q1 answered (medium risk), and charlie's own workload "Zeta"."""
    item = load_bank(review.lens).by_key["p1_q1"]
    answer_save(
        review=review,
        item=item,
        user=alice,
        state=AnswerState(choices=frozenset({"p1_q1_a1"}), applicable=True, reason="", notes=""),
    )
    profile = make_profile()
    workload_profile_set(workload=workload, profile=profile, answers={"exposed": ["exposed_yes"]})
    newer_profile = profile_publish(profile=profile_draft_create(profile=profile))
    other_lens = make_lens(slug="other")
    return SimpleNamespace(
        workload=workload,
        review=review,
        milestone=milestone,
        profile=profile,
        newer_profile=newer_profile,
        other_lens=other_lens,
        template=template_create(owner=alice, name="Std", lens=lens, answers={}),
        zeta=make_workload(charlie, name="Zeta", lens=lens),
        tracker=TrackerConnection.objects.create(
            workload=workload,
            kind="github",
            base_url="http://127.0.0.1:9",
            project="acme/shop",
            token_encrypted=encrypt_token("tok-never-shown"),
            risks="high",
            language="en",
            site_url="http://testserver/",
        ),
        dave=make_user("dave"),
        vera_membership=workload.memberships.get(user__username="vera"),
        invitation=invitation_create(workload=workload, role=Role.VIEWER, created_by=alice)[0],
        comment=comment_add(
            review=review,
            question_key="p1_q1",
            user=workload.members().get(username="bob"),
            body="First thoughts",
        ),
        session=session_plan(
            review=review,
            user=alice,
            title="Kick-off",
            planned_start=timezone.now(),
            facilitator=workload.members().get(username="bob"),
            agenda=[AgendaEntry("question:p1_q1", 10)],
            expected=list(workload.members().filter(username__in=["alice", "bob"])),
        ),
    )


def _user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture(params=["token", "session"])
def client_of(request, api_for, client_for):
    """``client_of(username)``: a client acting as the user through a personal token, or a signed-in session."""

    def make(username: str) -> Client:
        user = _user(username)
        return api_for(user) if request.param == "token" else client_for(user)

    return make


def _everything(w) -> dict:
    """All that any call of the matrix could change."""
    items = ImprovementItem.objects.filter(review=w.review).values_list("choice__key", "status", "owner_id", "note")
    return {
        "workload": workload_snapshot(w.workload),
        "milestones": sorted(Milestone.objects.values_list("review_id", "name")),
        "items": sorted(items),
        "counts": {m.__name__: m.objects.count() for m in (Workload, Membership, Review, Answer, Lens, Invitation)},
        "invitations": sorted(Invitation.objects.values_list("pk", "revoked_at")),
        "sessions": sorted(ReviewSession.objects.values_list("pk", "title", "status", "version")),
        "comments": sorted(Comment.objects.values_list("pk", "body", "deleted_at")),
    }


def _assert_json_error(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert isinstance(error, str) and error
    return error


def test_it_covers_every_api_url_under_a_workload():
    under = ("v1/workloads/<", "v1/reviews/<")
    named = {pattern.name for pattern in api_urls.urlpatterns if str(pattern.pattern).startswith(under)}
    named.add("review-list")  # its POST starts a review of the workload named in the body

    assert {e.url_name for e in UNDER_THE_WORKLOAD} == named


# --- Anonymous -----------------------------------------------------------------------------------


ANONYMOUS_TOO = [
    Endpoint("workload-list", "get", lambda w: _api("workloads/")),
    Endpoint(
        "workload-list:post",
        "post",
        lambda w: _api("workloads/"),
        body=lambda w: {"name": "X", "description": "d", "review_owner": "T"},
    ),
    Endpoint("review-list", "get", lambda w: _api("reviews/")),
    Endpoint("lens-list", "get", lambda w: _api("lenses/")),
    Endpoint("lens-detail", "get", lambda w: _api(f"lenses/{w.review.lens_id}/")),
    Endpoint("lens-aws-export", "get", lambda w: _api(f"lenses/{w.review.lens_id}/aws/?language=en")),
    Endpoint(
        "lens-aws-import",
        "post",
        lambda w: _api("lenses/import/?language=en"),
        body=lambda w: {"schemaVersion": "2021-11-01", "name": "X", "pillars": []},
    ),
    Endpoint("consolidated-export", "get", lambda w: _api("lenses/mini/risks.csv")),
    Endpoint("lens-portfolio", "get", lambda w: _api("lenses/mini/portfolio/")),
    Endpoint("workload-import", "post", lambda w: _api("workloads/import/"), body=lambda w: {"format": "x"}),
    Endpoint("profile-list", "get", lambda w: _api("profiles/")),
    Endpoint("profile-detail", "get", lambda w: _api(f"profiles/{w.profile.pk}/")),
    Endpoint("template-list", "get", lambda w: _api("templates/")),
    Endpoint("template-detail", "get", lambda w: _api(f"templates/{w.template.pk}/")),
    Endpoint("template-upgrade", "post", lambda w: _api(f"templates/{w.template.pk}/upgrade/")),
    # One's own notifications (tests/reviewapp/test_notifications.py: only one's own are listed or marked).
    Endpoint("notification-list", "get", lambda w: _api("notifications/")),
    Endpoint("notifications-read", "post", lambda w: _api("notifications/read/"), body=lambda w: {"all": True}),
]


def test_it_covers_every_api_url():
    named = {pattern.name for pattern in api_urls.urlpatterns if str(pattern.pattern).startswith("v1/")}

    assert {e.url_name for e in UNDER_THE_WORKLOAD + ANONYMOUS_TOO} == named


@_by_name(UNDER_THE_WORKLOAD + ANONYMOUS_TOO)
def test_it_answers_401_with_a_json_error_to_anonymous_callers(w, api_for, endpoint):
    before = _everything(w)

    response = endpoint.call(api_for(None), w)

    assert _assert_json_error(response, 401) == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert _everything(w) == before


# --- Outsider ------------------------------------------------------------------------------------


@_by_name(UNDER_THE_WORKLOAD)
def test_it_answers_404_to_an_outsider_for_everything_under_the_workload(w, client_of, endpoint):
    before = _everything(w)

    response = endpoint.call(client_of("charlie"), w)

    _assert_json_error(response, 404)
    assert _everything(w) == before


# --- Readers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["vera", "bob", "alice", "sam"])
@_by_name(READS)
def test_it_lets_every_member_and_staff_read(w, api_for, staff, endpoint, persona):
    response = endpoint.call(api_for(_user(persona)), w)

    assert response.status_code == 200, response.content
    assert endpoint.seen(response) == endpoint.expected(w)


@_by_name(READS)
def test_it_lets_a_viewer_read_through_the_session_too(w, client_for, vera, endpoint):
    response = endpoint.call(client_for(vera), w)

    assert response.status_code == 200, response.content
    assert endpoint.seen(response) == endpoint.expected(w)


# --- Writers -------------------------------------------------------------------------------------


@_by_name(WRITES + OWNER_ONLY + AUTHOR_ONLY)
def test_it_refuses_every_write_of_a_viewer(w, client_of, endpoint):
    before = _everything(w)

    response = endpoint.call(client_of("vera"), w)

    _assert_json_error(response, 403)
    assert _everything(w) == before


@pytest.mark.parametrize("persona", ["bob", "alice", "sam"])
@_by_name(WRITES)
def test_it_lets_contributors_owners_and_staff_write(w, api_for, staff, endpoint, persona):
    user = _user(persona)

    response = endpoint.call(api_for(user), w)

    assert response.status_code in (200, 201, 204), response.content
    endpoint.effect(w, user)


@_by_name(WRITES)
def test_it_lets_a_contributor_write_through_the_session_too(w, client_for, bob, endpoint):
    response = endpoint.call(client_for(bob), w)

    assert response.status_code in (200, 201, 204), response.content
    endpoint.effect(w, bob)


@_by_name(OWNER_ONLY)
def test_it_refuses_member_management_to_a_contributor(w, client_of, endpoint):
    before = _everything(w)

    response = endpoint.call(client_of("bob"), w)

    assert _assert_json_error(response, 403) == "Only an owner of this workload may do that."
    assert _everything(w) == before


@pytest.mark.parametrize("persona", ["alice", "sam"])
@_by_name(OWNER_ONLY)
def test_it_lets_owners_and_staff_manage_members(w, client_of, staff, endpoint, persona):
    response = endpoint.call(client_of(persona), w)

    assert response.status_code in (200, 201, 202, 204), response.content
    endpoint.effect(w, _user(persona))


# --- Lists across workloads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "names"),
    [("alice", ["Shop"]), ("bob", ["Shop"]), ("vera", ["Shop"]), ("charlie", ["Zeta"]), ("sam", ["Shop", "Zeta"])],
)
def test_it_lists_only_the_workloads_and_reviews_a_user_may_see(w, client_of, staff, persona, names):
    client = client_of(persona)

    workloads = client.get(_api("workloads/")).json()
    reviews = client.get(_api("reviews/")).json()

    assert [item["name"] for item in workloads["results"]] == names
    assert workloads["count"] == len(names)
    by_name = {"Shop": w.review.pk, "Zeta": w.zeta.reviews.get().pk}
    assert [item["id"] for item in reviews["results"]] == sorted(by_name[name] for name in names)


@pytest.mark.parametrize(
    ("persona", "role"), [("alice", "owner"), ("bob", "contributor"), ("vera", "viewer"), ("sam", "owner")]
)
def test_it_tells_each_user_their_role(w, api_for, staff, persona, role):
    response = api_for(_user(persona)).get(_api(f"workloads/{w.workload.pk}/"))
    listed = api_for(_user(persona)).get(_api("workloads/?search=Shop"))

    assert response.json()["role"] == role
    assert listed.json()["results"][0]["role"] == role


def test_it_lets_any_signed_in_user_create_a_workload_they_then_own(w, client_of):
    response = client_of("charlie").post(
        _api("workloads/"), {"name": "Lab", "description": "d", "review_owner": "T"}, content_type="application/json"
    )

    assert response.status_code == 201, response.content
    workload = Workload.objects.get(pk=response.json()["id"])
    assert list(workload.memberships.values_list("user__username", "role")) == [("charlie", Role.OWNER)]


# --- CSRF on sessions ----------------------------------------------------------------------------


def test_it_refuses_a_session_write_without_a_csrf_token(w, bob):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    before = _everything(w)

    response = client.patch(
        _api(f"reviews/{w.review.pk}/answers/p1_q2/"),
        json.dumps({"selected_choices": ["p1_q2_a1"], "version": 0}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert "CSRF" in _assert_json_error(response, 403)
    assert _everything(w) == before


def test_it_needs_no_csrf_token_with_a_personal_token(w, bob, api_for):
    from reviewapp.tokens import token_create

    _token, key = token_create(user=bob, name="ci")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {key}"})

    response = client.patch(
        _api(f"reviews/{w.review.pk}/answers/p1_q2/"),
        json.dumps({"selected_choices": ["p1_q2_a1"], "version": 0}),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    _answered(w, bob)


@pytest.mark.parametrize("persona", ["alice", "sam"])
@_by_name(AUTHOR_ONLY)
def test_it_refuses_a_comment_change_to_anyone_but_its_author(w, client_of, staff, endpoint, persona):
    before = _everything(w)

    response = endpoint.call(client_of(persona), w)

    _assert_json_error(response, 403)
    assert _everything(w) == before


@_by_name(AUTHOR_ONLY)
def test_it_lets_the_author_change_a_comment(w, client_of, endpoint):
    response = endpoint.call(client_of("bob"), w)

    assert response.status_code in (200, 204), response.content
    endpoint.effect(w, _user("bob"))
