"""Every page, every person, every screen: no sideways scrolling, nothing sticking out, no serious a11y fault.

One browser context per role and language; each page is loaded once and checked at every width by resizing
the viewport (cheaper than reloading). axe-core (bundled by axe-playwright-python) runs on every page in both
languages, as the owner and as the viewer; anything serious or critical fails the test.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from questions.models import Lens, Profile
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.comments import comment_add
from reviewapp.improvements import improvement_update
from reviewapp.invitations import invitation_create
from reviewapp.milestones import milestone_create
from reviewapp.models import Notification, Role
from reviewapp.profiles import workload_profile_set
from reviewapp.review_templates import template_from_review

from ..factories import add_member, make_user, make_workload
from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 768, 1280, 1920)
SCREENSHOT_WIDTHS = (390, 1280)

# What sticks out: the page itself, and any visible element whose right edge passes the viewport
# without a scrolling container (a table's own scroller, say) to hold it.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > window.innerWidth) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  const scrolls = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden") return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    if (box.right > width + 1 && !scrolls(el)) found.push(`${name(el)} ends at ${Math.round(box.right)}px`);
    if (found.length > 8) break;
  }
  return found;
}"""


@pytest.fixture
def world(transactional_db, live_server):
    """A workload on the Serverless Lens with answers, plan items, a milestone and an invitation; three members."""
    call_command("loaddata", "serverless_lens", verbosity=0)
    lens = Lens.objects.get(slug="serverless")
    owner, contributor, viewer = make_user("olivia"), make_user("carl"), make_user("vic")
    workload = make_workload(owner, name="Booking platform for the Seoul region", lens=lens)
    add_member(workload, contributor, Role.CONTRIBUTOR)
    add_member(workload, viewer, Role.VIEWER)
    review = workload.reviews.get()
    bank = load_bank(lens)
    for key, picked in [("ops_q1", {"ops_ops_q1_a1"}), ("ops_q2", {"ops_ops_q2_a1", "ops_ops_q2_a2"})]:
        answer_save(
            review=review,
            item=bank.by_key[key],
            user=owner,
            state=AnswerState(
                choices=frozenset(picked), applicable=True, reason="", notes="We alert on **default** metrics only."
            ),
        )
    milestone = milestone_create(review=review, name="Baseline workshop", user=owner)
    answer_save(
        review=review,
        item=bank.by_key["sec_q1"],
        user=owner,
        state=AnswerState(choices=frozenset(), applicable=False, reason="OUT_OF_SCOPE", notes=""),
    )
    improvement_update(
        review=review,
        choice=bank.by_key["ops_q1"].choices_by_key["ops_ops_q1_a2"],
        user=owner,
        status="in_progress",
        owner=contributor,
        due_date=None,
        note="Dashboards first.",
    )
    _invitation, token = invitation_create(workload=workload, role=Role.CONTRIBUTOR, created_by=owner)
    call_command("loaddata", "serverless_profile", verbosity=0)
    workload_profile_set(
        workload=workload,
        profile=Profile.objects.latest_published("serverless-context"),
        answers={"public_api": ["public_api_yes"], "main_constraint": ["constraint_cost"]},
    )
    template = template_from_review(review=review, owner=owner, name="Standard serverless platform")
    for n in range(3):  # the owner's notification list: mentions with long words, one read
        comment_add(
            review=review,
            question_key="ops_q1",
            user=contributor,
            body=f"@olivia Can we settle the alarm thresholds before Friday? {'Observability' * 4} ({n})",
        )
    Notification.objects.filter(pk=owner.notifications.earliest("pk").pk).update(read_at=timezone.now())
    pillar, question = bank.questions[0].pillar.key, bank.questions[0].key
    pages = [
        ("workloads", "/"),
        ("workload-new", "/workloads/new/"),
        ("workload", f"/workloads/{workload.pk}/"),
        ("review", f"/reviews/{review.pk}/"),
        ("pillar", f"/reviews/{review.pk}/pillars/{pillar}/"),
        ("question", f"/reviews/{review.pk}/questions/{question}/"),
        ("plan", f"/reviews/{review.pk}/plan/"),
        ("milestones", f"/reviews/{review.pk}/milestones/"),
        ("milestone", f"/reviews/{review.pk}/milestones/{milestone.pk}/"),
        ("compare", f"/reviews/{review.pk}/compare/"),
        ("tokens", "/account/tokens/"),
        ("notifications", "/notifications/"),
        ("notification-preferences", "/notifications/preferences/"),
        ("present", f"/reviews/{review.pk}/present/?question=ops_q2"),
        ("review-prioritised", f"/reviews/{review.pk}/?prioritised=1"),
        ("plan-prioritised", f"/reviews/{review.pk}/plan/?prioritised=on"),
    ]
    return {
        "review": review,
        "bank": bank,
        "url": live_server.url,
        "users": {"owner": owner, "contributor": contributor, "viewer": viewer},
        "pages": pages,
        "edit": ("workload-edit", f"/workloads/{workload.pk}/edit/"),
        "profile": ("workload-profile", f"/workloads/{workload.pk}/profile/"),
        "owner_pages": [
            ("templates", "/templates/"),
            ("template", f"/templates/{template.pk}/"),
            ("template-new", f"/reviews/{review.pk}/template/"),
        ],
        "anonymous": [("sign-in", "/accounts/login/"), ("invitation", f"/invitations/{token}/")],
    }


def _context(browser, world, user, language: str):
    context = browser.new_context(locale=language, viewport={"width": WIDTHS[-1], "height": 900})
    host = world["url"].split("//", 1)[1].split(":")[0]
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"})
    context.add_cookies(cookies)
    return context


def _check_page(page, url: str, label: str, *, shots: bool) -> list[str]:
    problems = []
    response = page.goto(url)
    assert response.status < 400, f"{label}: {response.status}"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{label} at {width}px: {found}" for found in page.evaluate(OVERFLOW_JS)]
        if shots and width in SCREENSHOT_WIDTHS:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"screen-{label}-{width}.png"), full_page=True)
    return problems


def _serious(page, label: str) -> list[str]:
    results = Axe().run(page)
    return [
        f"{label}: {violation['id']} ({violation['impact']}) {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_it_fits_every_page_on_every_screen_for_every_role(browser, world, language):
    problems = []
    for role in ("owner", "contributor", "viewer", None):
        user = world["users"][role] if role else None
        context = _context(browser, world, user, language)
        page = context.new_page()
        page.set_default_timeout(15_000)
        pages = world["anonymous"] if role is None else world["pages"]
        if role in ("owner", "contributor"):
            pages = [*pages, world["edit"], world["profile"]]
        if role == "owner":
            pages = [*pages, *world["owner_pages"]]
        for name, path in pages:
            label = f"{language}-{role or 'anonymous'}-{name}"
            problems += _check_page(page, world["url"] + path, label, shots=role in ("owner", None))
            if role in ("owner", "viewer", None):
                page.set_viewport_size({"width": 1280, "height": 900})
                problems += _serious(page, label)
        context.close()

    assert not problems, "\n".join(problems)


def test_it_draws_every_choice_checkbox_the_same_size(browser, world):
    context = _context(browser, world, world["users"]["owner"], "en")
    page = context.new_page()
    question = next(path for name, path in world["pages"] if name == "question")
    page.goto(world["url"] + question)

    sizes = page.eval_on_selector_all(
        ".choice input[type=checkbox]", "boxes => boxes.map(b => [b.offsetWidth, b.offsetHeight])"
    )
    context.close()

    assert len(sizes) > 2 and len(set(map(tuple, sizes))) == 1, sizes


def test_it_shows_the_api_docs_grouped_and_without_errors(browser, world):
    context = _context(browser, world, world["users"]["owner"], "en")
    page = context.new_page()
    errors, failed = [], []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)

    page.goto(world["url"] + "/api/docs/")
    page.get_by_text("Change part of one answer").first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    menu = page.locator("[role=menuitem], .menu-content label").all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screen-en-owner-api-docs-1280.png"))
    context.close()

    assert errors == [] and failed == [], (errors, failed)
    assert any("Improvement plan" in item for item in menu), menu


def test_it_keeps_the_presentation_view_fresh_as_answers_change(browser, world):
    context = _context(browser, world, world["users"]["viewer"], "en")
    page = context.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(world["url"] + f"/reviews/{world['review'].pk}/present/?question=rel_q1")
    badge = page.locator("#status-rel_q1 .badge")
    assert badge.inner_text() == "Unanswered"
    font_size = page.eval_on_selector(".present-question h1", "h => parseFloat(getComputedStyle(h).fontSize)")

    answer_save(
        review=world["review"],
        item=world["bank"].by_key["rel_q1"],
        user=world["users"]["owner"],
        state=AnswerState(
            choices=frozenset(), applicable=False, reason="OUT_OF_SCOPE", notes="Handled by the platform team."
        ),
    )
    page.locator("#status-rel_q1 .badge", has_text="Does not apply").wait_for(timeout=8_000)
    page.locator("#preview-rel_q1").get_by_text("Handled by the platform team.").wait_for(timeout=2_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screen-en-viewer-present-1920.png"))
    context.close()

    assert font_size >= 48  # readable from the back of a room at 1920 px


@pytest.mark.parametrize("language", ["en", "ko"])
def test_it_keeps_the_admin_tools_clear_of_the_lens_title(browser, world, language):
    staff = make_user("root", is_staff=True, is_superuser=True)
    lens = world["review"].lens
    context = _context(browser, world, staff, language)
    page = context.new_page()
    problems = []

    for path in ("/admin/", "/admin/questions/lens/", f"/admin/questions/lens/{lens.pk}/change/"):
        page.goto(world["url"] + path)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            if path.endswith("/change/"):
                title, tools = page.locator("#content h1").bounding_box(), page.locator(".object-tools").bounding_box()
                if tools["y"] < title["y"] + title["height"] and title["y"] < tools["y"] + tools["height"]:
                    problems.append(f"{language} {width}px: the tools overlap the title")
            if width in SCREENSHOT_WIDTHS and path.endswith("/change/"):
                page.screenshot(path=str(ARTIFACTS / f"screen-{language}-admin-lens-{width}.png"))
    assert "Well-Architected" in page.locator("#site-name").inner_text()
    context.close()

    assert not problems, problems
