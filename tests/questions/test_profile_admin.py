"""Profiles in the admin: bank editors write drafts and publish them; published versions are read-only."""

import pytest
from django.contrib.auth.models import Group

from questions.models import Profile
from tests.factories import make_profile, make_user


@pytest.fixture
def eddie(db):
    user = make_user("eddie", is_staff=True)
    user.groups.add(Group.objects.get(name="Bank editors"))
    return user


def test_a_bank_editor_publishes_a_draft_and_copies_the_next_version(lens, eddie, client_for):
    v1 = make_profile(status="draft")
    client = client_for(eddie)
    response = client.post("/admin/questions/profile/", {"action": "publish", "_selected_action": [v1.pk]}, follow=True)
    assert "Published:" in response.content.decode()
    v1.refresh_from_db()
    assert v1.status == Profile.Status.PUBLISHED
    client.post("/admin/questions/profile/", {"action": "make_draft", "_selected_action": [v1.pk]})
    assert Profile.objects.get(slug="ctx", version=2).status == Profile.Status.DRAFT


def test_a_published_profile_is_read_only_and_other_staff_only_read(lens, eddie, staff, client_for):
    profile = make_profile()
    page = client_for(eddie).get(f"/admin/questions/profile/{profile.pk}/change/").content.decode()
    assert 'name="name_en"' not in page and "Business context" in page
    assert client_for(staff).get("/admin/questions/profile/").status_code == 200
    response = client_for(staff).post(
        "/admin/questions/profile/add/", {"slug": "x", "version": 1, "lens_slug": "mini", "name_en": "X"}
    )
    assert response.status_code == 403
    assert not Profile.objects.filter(slug="x").exists()


def test_a_bank_editor_creates_a_profile_as_a_draft(lens, eddie, client_for):
    response = client_for(eddie).post(
        "/admin/questions/profile/add/",
        {
            "slug": "new",
            "version": 1,
            "lens_slug": "mini",
            "name_en": "New context",
            "name_ko": "새 맥락",
            "questions-TOTAL_FORMS": 1,
            "questions-INITIAL_FORMS": 0,
            "questions-0-order": 1,
            "questions-0-key": "public",
            "questions-0-title_en": "Public?",
            "questions-0-title_ko": "공개?",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = Profile.objects.get(slug="new")
    assert (profile.status, profile.name_ko, [q.key for q in profile.questions.all()]) == (
        "draft",
        "새 맥락",
        ["public"],
    )
