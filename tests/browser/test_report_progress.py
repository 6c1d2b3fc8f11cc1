"""A report rendered in the background, seen in a browser: the page says it is being prepared,
and the download starts by itself once a worker has rendered it (Korean, phone width too)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from reviewapp.models import ReportRender, Role

from ..factories import add_member, make_user, make_workload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def review(transactional_db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    call_command("loaddata", "serverless_lens", verbosity=0)
    from questions.models import Lens

    owner = make_user("olivia", password="report-pass-01")
    workload = make_workload(owner, name="Ticket shop", lens=Lens.objects.get(slug="serverless"))
    add_member(workload, make_user("victor", password="report-pass-01"), Role.VIEWER)
    return workload.reviews.get()


def _sign_in(browser, base, username, *, locale, width):
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("report-pass-01")
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(base + "/")
    return context, page


@pytest.mark.parametrize(
    ("locale", "width", "waiting", "ready"),
    [
        ("en-US", 1280, "Waiting for a worker to render the report", "Your report is ready"),
        ("ko-KR", 390, "보고서를 만들 작업자를 기다리는 중", "보고서가 준비되었습니다"),
    ],
)
def test_the_page_waits_for_the_render_then_downloads_the_pdf(
    live_server, browser, review, screenshot, locale, width, waiting, ready
):
    context, page = _sign_in(browser, live_server.url, "victor", locale=locale, width=width)
    lang = "ko" if locale.startswith("ko") else "en"
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page.goto(f"{live_server.url}/reviews/{review.pk}/")
    page.locator(".report-form button[type=submit]").click()

    expect(page.locator("#report-status")).to_contain_text(waiting)
    screenshot(page, f"report-waiting-{lang}-{width}")
    assert ReportRender.objects.get().status == ReportRender.Status.QUEUED

    with page.expect_download(timeout=30_000) as download_info:
        call_command("db_worker", batch=True, no_startup_delay=True, interval=0.1, verbosity=0)
    download = download_info.value
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert download.suggested_filename.endswith(".pdf")
    expect(page.locator("#report-status")).to_contain_text(ready)
    screenshot(page, f"report-ready-{lang}-{width}")
    context.close()
