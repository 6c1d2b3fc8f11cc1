"""The issue tracker page and the plan's issue links, on a phone and a desktop, in Korean and English.

Nothing sticks out sideways, nothing serious for axe-core; the PNGs land in test-artifacts/ to look at.
"""

import pytest

from reviewapp.models import Role
from reviewapp.trackers.connecting import tracker_connect
from reviewapp.trackers.sync import sync_tracker_workload

from ..factories import add_member, make_lens, make_user, make_workload
from ..reviewapp.test_trackers import _save
from ..reviewapp.tracker_fakes import FakeTracker
from .test_screens import _check_page, _context, _serious

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tracked(transactional_db, live_server, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.TRACKER_RETRY_DELAYS = []
    fake = FakeTracker()
    owner, contributor = make_user("olivia"), make_user("carl")
    workload = make_workload(owner, name="Booking platform for the Seoul region", lens=make_lens())
    add_member(workload, contributor, Role.CONTRIBUTOR)
    review = workload.reviews.get()
    _save(review, "p1_q1", ["p1_q1_no"], owner)
    _save(review, "p1_q2", ["p1_q2_a1"], owner)
    yield {"fake": fake, "workload": workload, "review": review, "owner": owner, "url": live_server.url}
    fake.close()


def test_the_tracker_pages_fit_every_screen(browser, tracked):
    fake, workload, review = tracked["fake"], tracked["workload"], tracked["review"]
    world = {"url": tracked["url"]}
    problems = []
    for language in ("en", "ko"):
        context = _context(browser, world, tracked["owner"], language)
        page = context.new_page()
        label = f"{language}-owner-tracker-new"
        problems += _check_page(page, f"{world['url']}/workloads/{workload.pk}/tracker/", label, shots=True)
        problems += _serious(page, label)
        context.close()

    tracker_connect(
        workload=workload,
        user=tracked["owner"],
        kind="github",
        base_url=fake.url,
        project="acme/shop",
        token=fake.token,
        risks="high_medium",
        language="en",
        site_url=world["url"],
    )
    sync_tracker_workload.call(workload_pk=workload.pk)
    fake.token = "tok-revoked"  # one sync later the token is refused: every item says so
    sync_tracker_workload.call(workload_pk=workload.pk)
    for language in ("en", "ko"):
        context = _context(browser, world, tracked["owner"], language)
        page = context.new_page()
        for name, path in [("tracker", f"/workloads/{workload.pk}/tracker/"), ("plan", f"/reviews/{review.pk}/plan/")]:
            label = f"{language}-owner-{name}-connected"
            problems += _check_page(page, world["url"] + path, label, shots=True)
            page.set_viewport_size({"width": 1280, "height": 900})
            problems += _serious(page, label)
        context.close()

    assert not problems, "\n".join(problems)
