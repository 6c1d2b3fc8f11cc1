"""Security: sign-in throttling, CSP, production settings, health probes and escaping of user text."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import F
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertRedirects

from questions.models import Choice, Lens, Pillar, Question, RiskRule
from reviewapp.models import (
    ApiToken,
    Comment,
    ImprovementItem,
    Membership,
    Milestone,
    ParkingItem,
    ReviewSession,
    Role,
    Workload,
)
from reviewapp.reports import ReportRequest, render_report_html

from .factories import make_lens, make_user

BASE_DIR = Path(django_settings.BASE_DIR)
LOGIN = reverse("login")
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- HTML inspection --------------------------------------------------------------------------


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes (entities decoded, as a browser sees them)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def tags_of(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


def assert_inert(html: str) -> None:
    """Nothing in the page runs script: no inline script, no handler, no script URL, no raw payload."""
    assert "<script>alert(" not in html
    assert "<img src=x" not in html
    for tag, attrs in tags_of(html):
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"<{tag}> has event handler attributes {handlers}"
        for name in URL_ATTRIBUTES & set(attrs):
            value = re.sub(r"\s", "", attrs[name]).lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:text/html")), f"<{tag} {name}={value!r}>"
        if tag == "script":
            src = attrs.get("src", "")
            assert src.startswith("/") and not src.startswith("//"), f"inline or foreign <script {attrs}>"
        if tag == "img":
            assert attrs.get("src") != "x"


# --- Sign-in throttling (django-axes) --------------------------------------------------------


@pytest.fixture
def accounts(db):
    return make_user("alice", password="alice-right-pass"), make_user("bob", password="bob-right-pass")


def _sign_in(client, username, password, *, ip="10.0.0.1", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def _signed_in_as(client) -> str | None:
    response = client.get(reverse("reviewapp:workload_list"))
    return response.context["user"].username if response.status_code == 200 else None


def test_it_locks_out_a_username_after_five_wrong_passwords_from_one_address(accounts, client_for):
    client = client_for(None)
    statuses = [_sign_in(client, "alice", f"wrong-{n}").status_code for n in range(5)]

    response = _sign_in(client, "alice", "alice-right-pass")

    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure already locks
    assert response.status_code == 429
    assertContains(response, "Too many failed sign-ins", status_code=429)
    assert _signed_in_as(client) is None
    assert AccessAttempt.objects.get(username="alice").failures_since_start >= 5


def test_it_lets_another_username_sign_in_from_the_locked_address(accounts, client_for):
    for n in range(5):
        _sign_in(client_for(None), "alice", f"wrong-{n}")
    client = client_for(None)

    response = _sign_in(client, "bob", "bob-right-pass")

    assertRedirects(response, reverse("reviewapp:workload_list"), fetch_redirect_response=False)
    assert _signed_in_as(client) == "bob"


def test_it_lets_the_locked_username_sign_in_from_another_address(accounts, client_for):
    for n in range(5):
        _sign_in(client_for(None), "alice", f"wrong-{n}")
    client = client_for(None)

    response = _sign_in(client, "alice", "alice-right-pass", ip="10.0.0.2")

    assert response.status_code == 302
    assert _signed_in_as(client) == "alice"


def test_it_ignores_a_forwarded_for_header_sent_by_the_client(accounts, client_for):
    for n in range(5):
        _sign_in(client_for(None), "alice", f"wrong-{n}")

    response = _sign_in(client_for(None), "alice", "alice-right-pass", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert response.status_code == 429


def test_it_forgets_the_failures_after_a_successful_sign_in(accounts, client_for):
    client = client_for(None)
    for n in range(4):
        _sign_in(client, "alice", f"wrong-{n}")
    assert _sign_in(client, "alice", "alice-right-pass").status_code == 302
    client.post(reverse("logout"))
    for n in range(4):
        _sign_in(client, "alice", f"wrong-again-{n}")

    assert _sign_in(client, "alice", "alice-right-pass").status_code == 302


def test_it_lets_the_user_in_again_after_the_cool_off(accounts, client_for):
    for n in range(5):
        _sign_in(client_for(None), "alice", f"wrong-{n}")
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - django_settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    assert _sign_in(client_for(None), "alice", "alice-right-pass").status_code == 302


# --- Content-Security-Policy and inline scripts -----------------------------------------------


@pytest.fixture
def site(workload, review, client_for, alice):
    """alice's workload with an answer, a milestone, a token and a newer lens version; clients per person."""
    admin = make_user("root", is_staff=True, is_superuser=True)
    as_alice = client_for(alice)
    as_alice.post(reverse("reviewapp:answer_save", args=[review.pk]), {"question": "p1_q1", "choices": ["p1_q1_a1"]})
    as_alice.post(reverse("reviewapp:milestone_list", args=[review.pk]), {"name": "Before"})
    as_alice.post(reverse("reviewapp:token_list"), {"name": "CI"})
    make_lens(slug="mini", version="2")
    Lens.objects.filter(pk=make_lens(slug="draft", version="d1").pk).update(status=Lens.Status.DRAFT)
    return {
        "review": review,
        "workload": workload,
        "alice": as_alice,
        "admin": client_for(admin),
        "anonymous": client_for(None),
    }


def _pages(site) -> list[tuple[str, str, str, dict]]:
    """(who, method, url, data) of every kind of page we render."""
    review, workload = site["review"], site["workload"]
    milestone = Milestone.objects.get(review=review)
    lens = review.lens
    question = Question.objects.get(pillar__lens=lens, key="p1_q1")
    r = lambda name, *args: reverse(f"reviewapp:{name}", args=args)  # noqa: E731
    return [
        ("anonymous", "get", LOGIN, {}),
        ("alice", "get", r("workload_list"), {}),
        ("alice", "get", r("workload_create"), {}),
        ("alice", "get", r("workload_detail", workload.pk), {}),
        ("alice", "get", r("workload_edit", workload.pk), {}),
        ("alice", "post", r("workload_edit", workload.pk), {"name": ""}),  # the form with errors
        ("alice", "get", r("review_detail", review.pk), {}),
        ("alice", "get", r("review_pillar", review.pk, "p1"), {}),
        ("alice", "get", r("review_question", review.pk, "p1_q1"), {}),
        ("alice", "post", r("answer_save", review.pk), {"question": "p1_q1", "version": 0, "notes": "x"}),  # 409 page
        ("alice", "post", r("answer_save", review.pk), {"question": "nope"}),  # 400 page
        ("alice", "post", r("answers_import", review.pk), {}),  # 400 page
        ("alice", "get", r("review_upgrade", review.pk), {}),
        ("alice", "get", r("plan", review.pk), {}),
        ("alice", "get", r("milestone_list", review.pk), {}),
        ("alice", "get", r("milestone_detail", review.pk, milestone.pk), {}),
        ("alice", "get", r("milestone_compare", review.pk), {}),
        ("alice", "get", r("token_list"), {}),
        ("alice", "get", reverse("api:docs"), {}),
        ("alice", "get", "/no-such-page/", {}),
        ("admin", "get", reverse("admin:index"), {}),
        ("admin", "get", reverse("admin:questions_lens_changelist"), {}),
        ("admin", "get", reverse("admin:questions_lens_change", args=[lens.pk]), {}),
        ("admin", "get", reverse("admin:questions_lens_import"), {}),
        ("admin", "get", reverse("admin:questions_lens_bank_history", args=[lens.pk]), {}),
        ("admin", "get", reverse("admin:questions_lens_publish", args=[Lens.objects.get(slug="draft").pk]), {}),
        ("admin", "get", reverse("admin:questions_question_change", args=[question.pk]), {}),
        ("admin", "get", reverse("admin:reviewapp_workload_change", args=[workload.pk]), {}),
    ]


def _fetch(site, who, method, url, data):
    return getattr(site[who], method)(url, data)


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_it_sends_a_csp_that_allows_scripts_only_from_our_origin(site):
    for who, method, url, data in _pages(site):
        response = _fetch(site, who, method, url, data)
        assert "Content-Security-Policy" in response, url
        policy = _csp(response)
        assert policy["script-src"] == ["'self'"], (url, policy)
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]


def test_it_sends_the_csp_on_the_locked_out_page_too(db, client_for):
    make_user("alice", password="right")
    client = client_for(None)
    for n in range(5):
        response = _sign_in(client, "alice", f"wrong-{n}")

    assert response.status_code == 429
    assert _csp(response)["script-src"] == ["'self'"]
    assert_inert(response.content.decode())


def test_it_has_no_inline_script_on_any_page(site):
    statuses = {}
    for who, method, url, data in _pages(site):
        response = _fetch(site, who, method, url, data)
        statuses[url, method] = response.status_code
        body = response.content.decode()
        assert_inert(body)
        scripts = [attrs for tag, attrs in tags_of(body) if tag == "script"]
        assert all(attrs.get("src") for attrs in scripts), (url, scripts)
    unexpected = {page: status for page, status in statuses.items() if status not in {200, 400, 404, 409}}
    assert not unexpected  # each page really rendered


def test_it_sets_the_other_protective_headers(site):
    response = site["alice"].get(reverse("reviewapp:workload_list"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# --- Production settings ----------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "prod-" + "k3y-" * 16,  # 69 characters, many distinct
    "ALLOWED_HOSTS": "reviews.example.org",
    "TRUSTED_PROXY_COUNT": "1",
}
FLAGS = [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "DEBUG",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
]


def _production(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with the environment of a production deployment."""
    # Not inherited: what the test run itself sets (DJANGO_ALLOW_ASYNC_UNSAFE comes from the browser tests).
    dropped = {
        *PRODUCTION_ENV,
        "SECURE_SSL_REDIRECT",
        "CACHE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DJANGO_SETTINGS_MODULE",
    }
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base.setdefault("DATABASE_URL", "postgres://app@db.internal:5432/reviews")
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**base, **PRODUCTION_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def production_settings() -> dict:
    script = f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in {FLAGS!r}}}))"
    result = _production("-c", "import django; django.setup(); " + script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_makes_cookies_secure_and_sets_hsts_in_production(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and s["SECURE_HSTS_PRELOAD"] is True
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["X_FRAME_OPTIONS"] == "DENY" and s["SECURE_CONTENT_TYPE_NOSNIFF"] is True


@pytest.fixture
def production(settings, production_settings):
    """This process's settings switched to the production values read above (the tests run on plain HTTP)."""
    for name in FLAGS:
        value = production_settings[name]
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    return settings


def test_it_sends_secure_cookies_and_hsts_over_https(production, db, client_for):
    make_user("alice", password="alice-right-pass")
    client = client_for(None)

    page = client.get(LOGIN, secure=True)
    signed_in = client.post(LOGIN, {"username": "alice", "password": "alice-right-pass"}, secure=True)

    assert page.status_code == 200 and signed_in.status_code == 302
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    session = signed_in.cookies[django_settings.SESSION_COOKIE_NAME]
    assert csrf["secure"] and session["secure"] and session["httponly"]


def test_it_redirects_plain_http_to_https_except_the_probes(production, db, client_for):
    client = client_for(None)

    page = client.get(reverse("reviewapp:workload_list"))
    health = client.get(reverse("healthz"))
    alive = client.get(reverse("livez"))

    assert page.status_code == 301 and page["Location"].startswith("https://")
    assert (health.status_code, alive.status_code) == (200, 200)


def test_it_trusts_the_proxys_https_header(production, db, client_for):
    response = client_for(None).get(LOGIN, HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_it_passes_the_deployment_checks(db):
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "TRUSTED_PROXY_COUNT"])
def test_it_refuses_to_start_without_a_secret_or_database_in_production(missing):
    script = "import django; django.setup()"
    env = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION_ENV, missing, "SECURE_SSL_REDIRECT"}}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, **{k: v for k, v in PRODUCTION_ENV.items() if k != missing}},
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and missing in result.stderr


# --- Health probes ----------------------------------------------------------------------------


def test_it_answers_healthz_anonymously_when_the_database_answers(db, client_for):
    response = client_for(None).get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "jobs": {"backend": "ImmediateBackend"}}
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_is_unreachable(db, client_for):
    client = client_for(None)
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("could not connect to server")):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable", "cache": "ok"}
    assert "could not connect" not in response.content.decode()  # no detail for strangers


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def test_it_answers_degraded_but_200_when_redis_is_unreachable(db, client_for, settings):
    """Sessions fall back to the database and presence degrades: the node still serves, so a
    load balancer must not take every node out for a Redis outage."""
    settings.CACHES = {  # the default cache replaced; the bank's rendered text stays in local memory
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        },
    }

    response = client_for(None).get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unreachable",
        "jobs": {"backend": "ImmediateBackend"},
    }


def test_it_gives_redis_a_one_second_timeout_in_production():
    script = "from django.conf import settings; print(settings.CACHES['default'])"
    result = _production("-c", script, env={"CACHE_URL": "redis://cache.internal:6379/0"})

    assert result.returncode == 0, result.stderr
    assert "RedisCache" in result.stdout
    assert "'socket_connect_timeout': 1.0" in result.stdout and "'socket_timeout': 1.0" in result.stdout


def test_it_answers_livez_anonymously_without_touching_the_database(db, client_for, django_assert_num_queries):
    client = client_for(None)
    with django_assert_num_queries(0), mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get(reverse("livez"))

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("name", ["healthz", "livez"])
def test_it_answers_head_but_not_post_on_the_probes(db, client_for, name):
    client = client_for(None)

    assert client.head(reverse(name)).status_code == 200
    assert client.post(reverse(name)).status_code == 405


# --- Escaping of everything people type ------------------------------------------------------


def payload(field: str) -> str:
    """A script tag, an attribute break-out and an event handler, marked with the field it went into."""
    return f'<script>alert("{field}")</script>"><img src=x onerror=alert(1)>'


SHORT = "<b onclick=alert(1)>"  # for 16-character fields (pillar and question labels)
NOTES = payload("notes") + "\n\n[click](javascript:alert(1)) and <a href='javascript:alert(2)'>a</a>"
DIAGRAM_URL = 'https://diagrams.example/?q="><script>alert("url")</script>'


def make_tainted_lens() -> Lens:
    """An imported lens whose every text carries a payload."""
    lens = Lens.objects.create(
        slug="tainted",
        version="1",
        name_en=payload("lens"),
        name_ko=payload("lens"),
        description_en=payload("lens-description"),
    )
    pillar = Pillar.objects.create(
        lens=lens, key="t", short_label=SHORT[:16], name_en=payload("pillar"), name_ko=payload("pillar"), order=1
    )
    question = Question.objects.create(
        pillar=pillar,
        key="t_q1",
        label=SHORT[:16],
        order=1,
        title_en=payload("question"),
        title_ko=payload("question"),
        description_en=payload("question-description") + "\n\n[x](javascript:alert(1))",
    )
    for n, tier in ((1, "required"), (2, "good")):
        Choice.objects.create(
            question=question,
            key=f"t_q1_a{n}",
            order=n,
            tier=tier,
            title_en=payload("choice"),
            title_ko=payload("choice"),
            description_en=payload("choice-description"),
            improvement_plan_en=payload("plan") + " [guide](javascript:alert(1))",
            helpful_resource_en=payload("resource"),
            improvement_plan_url="https://docs.example/guide",
        )
    Choice.objects.create(question=question, key="t_q1_no", order=9, is_none=True, title_en="None of these")
    for order, (condition, risk) in enumerate(
        [("t_q1_a1 && t_q1_a2", "NO_RISK"), ("t_q1_a1", "MEDIUM_RISK"), ("default", "HIGH_RISK")], 1
    ):
        RiskRule.objects.create(question=question, order=order, condition=condition, risk=risk)
    return lens


@pytest.fixture
def tainted(db, alice, client_for):
    """Everything a person can type, typed by people through the pages, each field with its payload."""
    lens = make_tainted_lens()
    as_alice = client_for(alice)
    created = as_alice.post(
        reverse("reviewapp:workload_create"),
        {
            "name": payload("name"),
            "description": payload("description"),
            "environment": "PRODUCTION",
            "regions": f"ap-northeast-2, {payload('region')}",
            "review_owner": payload("owner"),
            "industry": payload("industry"),
            "architecture_diagram_url": DIAGRAM_URL,
            "notes": payload("wnotes"),
            "lenses": [lens.pk],
        },
    )
    assert created.status_code == 302, created.content
    workload = Workload.objects.get()
    review = workload.reviews.get()
    mallory = make_user(payload("user"))  # an account named by a directory sync, not by our forms
    shared = as_alice.post(
        reverse("reviewapp:member_share", args=[workload.pk]), {"username": mallory.username, "role": Role.CONTRIBUTOR}
    )
    assert shared.status_code == 302 and Membership.objects.filter(user=mallory).exists()
    as_mallory = client_for(mallory)
    saved = as_mallory.post(
        reverse("reviewapp:answer_save", args=[review.pk]), {"question": "t_q1", "choices": ["t_q1_a1"], "notes": NOTES}
    )
    assert saved.status_code == 302
    item = as_alice.post(
        reverse("reviewapp:plan_item_update", args=[review.pk, "t_q1_a2"]),
        {"t_q1_a2-status": "in_progress", "t_q1_a2-owner": mallory.pk, "t_q1_a2-note": payload("item")},
    )
    assert item.status_code == 302 and ImprovementItem.objects.get(choice__key="t_q1_a2").note == payload("item")
    as_alice.post(reverse("reviewapp:milestone_list", args=[review.pk]), {"name": payload("milestone")})
    as_alice.post(reverse("reviewapp:token_list"), {"name": payload("token")})
    assert Milestone.objects.get().name == payload("milestone") and ApiToken.objects.get().name == payload("token")
    planned = as_alice.post(
        reverse("reviewapp:session_create", args=[review.pk]),
        {
            "title": payload("session"),
            "planned_start": "2026-12-03T10:00",
            "facilitator": mallory.pk,
            "expected": [mallory.pk],
            "target": ["question:t_q1", "pillar:t"],
            "minutes": ["5", "5"],
        },
    )
    session = ReviewSession.objects.get()
    assert planned.status_code == 302 and session.title == payload("session")
    session_url = lambda name: reverse(f"reviewapp:{name}", args=[review.pk, session.pk])  # noqa: E731
    as_mallory.post(session_url("session_step"), {"action": "start"})
    as_mallory.post(
        reverse("reviewapp:answer_save", args=[review.pk]), {"question": "t_q1", "choices": ["t_q1_no"], "notes": NOTES}
    )  # a1 (its title a payload) is dropped; a2 stays missing, its plan item with it
    as_mallory.post(session_url("session_discussion"), {"question": "t_q1", "state": "needs_evidence"})
    as_mallory.post(
        session_url("session_parking"), {"question": "t_q1", "text": payload("parking"), "owner": mallory.pk}
    )
    assert ParkingItem.objects.get().text == payload("parking")
    as_mallory.post(
        reverse("reviewapp:comment_add", args=[review.pk, "t_q1"]),
        {"body": payload("comment") + " [x](javascript:alert(1)) @" + mallory.username},
    )
    assert Comment.objects.get().body.startswith(payload("comment"))  # shown as Markdown, cleaned: inert
    as_mallory.get(reverse("reviewapp:review_live", args=[review.pk]), {"page": "question:t_q1"}, **HTMX)
    return {"workload": workload, "review": review, "alice": as_alice, "mallory": mallory, "session": session}


def _tainted_pages(t) -> dict[str, tuple[str, dict, list[str]]]:
    """name: (url, htmx headers or {}, fields whose escaped payload the page must show)."""
    workload, review = t["workload"], t["review"]
    milestone = Milestone.objects.get()
    r = lambda name, *args: reverse(f"reviewapp:{name}", args=args)  # noqa: E731
    head = ["name", "lens"]
    return {
        "workload list": (r("workload_list"), {}, ["name", "owner"]),
        "workload": (
            r("workload_detail", workload.pk),
            {},
            ["name", "description", "owner", "industry", "wnotes", "region", "user", "lens"],
        ),
        "workload edit": (
            r("workload_edit", workload.pk),
            {},
            ["name", "description", "owner", "industry", "wnotes", "region"],
        ),
        "review": (r("review_detail", review.pk), {}, [*head, "pillar", "question", "user"]),
        "pillar": (r("review_pillar", review.pk, "t"), {}, [*head, "pillar", "question", "choice", "notes", "user"]),
        "question": (
            r("review_question", review.pk, "t_q1"),
            {},
            [*head, "pillar", "question", "choice", "notes", "user"],
        ),
        "plan": (r("plan", review.pk), {}, [*head, "question", "choice", "item", "user"]),
        "milestones": (r("milestone_list", review.pk), {}, [*head, "milestone"]),
        "milestone": (r("milestone_detail", review.pk, milestone.pk), {}, [*head, "milestone", "question", "choice"]),
        "compare": (
            r("milestone_compare", review.pk) + f"?before={milestone.pk}&after=current",
            {},
            [*head, "milestone", "question"],
        ),
        "tokens": (r("token_list"), {}, ["token"]),
        "history": (r("answer_history", review.pk, "t_q1"), HTMX, ["user", "choice"]),
        "live": (r("review_live", review.pk) + "?page=question:t_q1", HTMX, ["user", "pillar", "question"]),
        "keep theirs": (r("answer_fields", review.pk, "t_q1"), HTMX, ["user"]),
        "sessions": (r("session_list", review.pk), {}, [*head, "session", "user"]),
        "session": (
            r("session_detail", review.pk, t["session"].pk),
            {},
            [*head, "session", "user", "question", "choice", "parking", "pillar"],
        ),
        "session minutes": (
            r("session_minutes", review.pk, t["session"].pk),
            {},
            [*head, "session", "user", "question", "choice", "parking", "pillar"],
        ),
        "session edit": (r("session_edit", review.pk, t["session"].pk), {}, [*head, "session", "user", "question"]),
    }


def test_it_escapes_every_user_text_on_every_page(tainted):
    for name, (url, headers, fields) in _tainted_pages(tainted).items():
        response = tainted["alice"].get(url, **headers)
        assert response.status_code == 200, (name, response.status_code)
        body = response.content.decode()
        assert_inert(body)
        missing = [field for field in fields if escape(payload(field)) not in body]
        assert not missing, f"{name}: no escaped text of {missing}"


def test_it_hands_the_notes_to_the_page_script_as_escaped_data_only(tainted):
    """Fragments carry an answer as data (answers.js lays it over the form): one attribute, the exact text."""
    review = tainted["review"]
    for url in (
        reverse("reviewapp:review_live", args=[review.pk]) + "?page=question:t_q1",
        reverse("reviewapp:answer_fields", args=[review.pk, "t_q1"]),
    ):
        body = tainted["alice"].get(url, **HTMX).content.decode()
        answers = [attrs["data-answer"] for tag, attrs in tags_of(body) if "data-answer" in attrs]
        assert [json.loads(data)["notes"] for data in answers] == [NOTES], url
        assert_inert(body)


def test_it_shows_the_diagram_url_as_an_escaped_link(tainted):
    body = tainted["alice"].get(reverse("reviewapp:workload_detail", args=[tainted["workload"].pk])).content.decode()

    links = [
        attrs["href"]
        for tag, attrs in tags_of(body)
        if tag == "a" and attrs.get("href", "").startswith("https://diagrams")
    ]
    assert links == [DIAGRAM_URL]  # one attribute, the whole URL, quotes and all
    assert f'<a href="{escape(DIAGRAM_URL)}" rel="noopener noreferrer nofollow">{escape(DIAGRAM_URL)}</a>' in body


def test_it_drops_script_links_from_markdown(tainted):
    body = (
        tainted["alice"].get(reverse("reviewapp:review_question", args=[tainted["review"].pk, "t_q1"])).content.decode()
    )

    assert '<a rel="noopener noreferrer nofollow">click</a>' in body  # the link text stays, its target goes
    # The raw text is only in the box and in the answer's data for the page's script, both escaped.
    outside_the_textarea = re.sub(r"<textarea.*?</textarea>|data-answer=\"[^\"]*\"", "", body, flags=re.S)
    assert "javascript:" not in outside_the_textarea
    assert_inert(body)


def test_it_escapes_a_payload_in_a_conflict(tainted, client_for):
    review = tainted["review"]

    response = tainted["alice"].post(
        reverse("reviewapp:answer_save", args=[review.pk]),
        {"question": "t_q1", "version": 0, "notes": payload("mine")},
        **HTMX,
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert_inert(body)
    assert f'name="notes" value="{escape(payload("mine"))}"' in body


def test_it_escapes_an_unknown_username_in_the_sharing_message(tainted):
    workload = tainted["workload"]
    client = tainted["alice"]

    client.post(
        reverse("reviewapp:member_share", args=[workload.pk]), {"username": payload("nobody"), "role": "viewer"}
    )
    body = client.get(reverse("reviewapp:workload_detail", args=[workload.pk])).content.decode()

    assert escape(payload("nobody")) in body
    assert_inert(body)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]
)
def test_it_refuses_a_diagram_url_that_is_not_http(tainted, url):
    workload = tainted["workload"]
    data = {
        "name": "n",
        "description": "d",
        "environment": "PRODUCTION",
        "review_owner": "o",
        "architecture_diagram_url": url,
    }

    page = tainted["alice"].post(reverse("reviewapp:workload_edit", args=[workload.pk]), data)
    api = tainted["alice"].patch(
        reverse("api:workload-detail", args=[workload.pk]),
        {"architecture_diagram_url": url},
        content_type="application/json",
    )

    assert page.status_code == 200 and page.context["form"].errors["architecture_diagram_url"]
    assert api.status_code == 400
    workload.refresh_from_db()
    assert workload.architecture_diagram_url == DIAGRAM_URL


def test_it_escapes_every_user_text_in_the_report_html(tainted):
    html = render_report_html(ReportRequest(review=tainted["review"], milestone=None, language="en", page_size="a4"))

    assert_inert(html)
    for field in ("name", "owner", "industry", "region", "lens", "pillar", "question", "choice", "item"):
        assert escape(payload(field)) in html, field
    milestone_html = render_report_html(
        ReportRequest(review=tainted["review"], milestone=Milestone.objects.get(), language="en", page_size="a4")
    )
    assert_inert(milestone_html)
    assert escape(payload("milestone")) in milestone_html


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_it_prints_user_text_in_the_pdf_as_text(tainted, tmp_path):
    response = tainted["alice"].get(reverse("reviewapp:report", args=[tainted["review"].pk]), {"lang": "en"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)

    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    flat = " ".join(text.split())
    for field in ("name", "owner", "industry", "question", "choice"):
        assert " ".join(payload(field).split()) in flat, field


def test_it_writes_the_minutes_markdown_without_raw_html(tainted):
    session = tainted["session"]
    url = reverse("reviewapp:session_minutes_export", args=[tainted["review"].pk, session.pk, "md"])

    text = tainted["alice"].get(url).content.decode()

    assert "<script>" not in text and "<img" not in text
    assert '&lt;script&gt;alert("parking")&lt;/script&gt;' in text  # shown as text, escaped


def test_it_escapes_a_comment_in_its_authors_edit_form(tainted, client_for):
    comment = Comment.objects.get()
    url = reverse("reviewapp:comment_edit", args=[tainted["review"].pk, comment.pk])

    body = client_for(tainted["mallory"]).get(url).content.decode()

    assert_inert(body)
    assert escape(payload("comment")) in body
