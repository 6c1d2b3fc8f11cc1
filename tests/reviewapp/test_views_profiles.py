"""Profile pages: answering the questionnaire, flags and filters on the review and plan, upgrading, access."""

from django.urls import reverse
from django.utils import translation

from questions.profiles import profile_draft_create, profile_publish
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import Milestone, Review
from reviewapp.profiles import workload_profile_set
from reviewapp.reports import ReportRequest, render_report_html
from tests.factories import make_profile


def _with_profile(workload, **answers):
    profile = make_profile()
    workload_profile_set(workload=workload, profile=profile, answers=answers or {"exposed": ["exposed_yes"]})
    return profile


def test_it_answers_the_profile_from_the_workload_page(workload, alice, client_for):
    profile = make_profile()
    client = client_for(alice)
    page = client.get(reverse("reviewapp:workload_detail", args=[workload.pk]))
    assert "No profile: no question is prioritised." in page.content.decode()
    form = client.get(reverse("reviewapp:workload_profile", args=[workload.pk]))
    assert "Is it public?" in form.content.decode() and "What constrains it?" in form.content.decode()
    response = client.post(
        reverse("reviewapp:workload_profile", args=[workload.pk]),
        {"profile": profile.pk, "q_exposed": "exposed_yes", "q_constraints": ["cost", "speed"]},
    )
    assert response.status_code == 302
    workload.refresh_from_db()
    assert workload.profile == profile
    assert workload.profile_answers == {"exposed": ["exposed_yes"], "constraints": ["cost", "speed"]}
    page = client.get(reverse("reviewapp:workload_detail", args=[workload.pk])).content.decode()
    assert "Business context" in page and "3 prioritised questions" in page and "Cost, Speed" in page


def test_a_bad_answer_is_refused_and_nothing_changes(workload, alice, client_for):
    profile = _with_profile(workload)
    response = client_for(alice).post(
        reverse("reviewapp:workload_profile", args=[workload.pk]), {"profile": profile.pk, "q_exposed": "maybe"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    workload.refresh_from_db()
    assert workload.profile_answers == {"exposed": ["exposed_yes"]}


def test_viewers_and_strangers_cannot_change_the_profile(workload, vera, charlie, client_for):
    profile = make_profile()
    url = reverse("reviewapp:workload_profile", args=[workload.pk])
    assert client_for(vera).post(url, {"profile": profile.pk, "q_exposed": "exposed_yes"}).status_code == 403
    assert client_for(charlie).get(url).status_code == 404
    remove = reverse("reviewapp:workload_profile_remove", args=[workload.pk])
    assert client_for(vera).post(remove).status_code == 403
    workload.refresh_from_db()
    assert workload.profile is None


def test_prioritised_questions_are_flagged_counted_and_filtered(workload, review, alice, client_for):
    _with_profile(workload)
    bank = load_bank(review.lens)
    answer_save(
        review=review, item=bank.by_key["p1_q1"], user=alice, state=AnswerState(choices=frozenset({"p1_q1_no"}))
    )
    client = client_for(alice)
    url = reverse("reviewapp:review_detail", args=[review.pk])
    page = client.get(url).content.decode()
    assert page.count('class="badge prioritised"') == 1
    assert "Prioritised questions" in page and "1 of 1 answered" in page
    summary = page.split('class="card prioritised-summary"')[1].split("</section>")[0]
    assert "High <b>1</b>" in summary
    assert "Question 2.1?" in page
    filtered = client.get(url, {"prioritised": "1"}).content.decode()
    assert "Question 1.1?" in filtered and "Question 2.1?" not in filtered
    pillar = client.get(reverse("reviewapp:review_pillar", args=[review.pk, "p2"]), {"prioritised": "1"})
    assert "No question of this pillar is prioritised." in pillar.content.decode()
    question = client.get(reverse("reviewapp:review_question", args=[review.pk, "p1_q1"])).content.decode()
    assert question.count('class="badge prioritised"') == 2  # the question and its entry in the list beside it
    present = client.get(reverse("reviewapp:review_present", args=[review.pk]), {"question": "p1_q1"})
    assert 'class="badge prioritised"' in present.content.decode()


def test_the_plan_flags_and_filters_prioritised_questions(workload, review, alice, client_for):
    _with_profile(workload)
    bank = load_bank(review.lens)
    for key in ("p1_q1", "p2_q1"):
        answer_save(
            review=review, item=bank.by_key[key], user=alice, state=AnswerState(choices=frozenset({f"{key}_no"}))
        )
    url = reverse("reviewapp:plan", args=[review.pk])
    page = client_for(alice).get(url).content.decode()
    assert "Question 1.1?" in page and "Question 2.1?" in page and page.count('class="badge prioritised"') == 1
    filtered = client_for(alice).get(url, {"prioritised": "on"}).content.decode()
    assert "Question 1.1?" in filtered and "Question 2.1?" not in filtered


def test_a_workload_without_profile_has_no_prioritised_filter(review, alice, client_for):
    page = client_for(alice).get(reverse("reviewapp:plan", args=[review.pk])).content.decode()
    assert 'name="prioritised"' not in page
    assert (
        "prioritised-summary"
        not in client_for(alice).get(reverse("reviewapp:review_detail", args=[review.pk])).content.decode()
    )


def test_it_tells_of_a_newer_profile_version_and_upgrades_milestone_first(workload, review, alice, client_for):
    profile = _with_profile(workload)
    profile_publish(profile=profile_draft_create(profile=profile))
    client = client_for(alice)
    page = client.get(reverse("reviewapp:workload_detail", args=[workload.pk])).content.decode()
    assert "A newer version of this profile is published: version 2." in page
    url = reverse("reviewapp:workload_profile_upgrade", args=[workload.pk])
    assert "A milestone of each review" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    workload.refresh_from_db()
    assert workload.profile.version == 2 and workload.profile_answers == {"exposed": ["exposed_yes"]}
    assert Milestone.objects.filter(review=review, name="Before profile upgrade to version 2").exists()


def test_korean_pages_speak_korean(workload, alice, client_for):
    _with_profile(workload)
    page = client_for(alice, language="ko").get(reverse("reviewapp:workload_detail", args=[workload.pk]))
    text = page.content.decode()
    assert "비즈니스 맥락" in text and "공개되어 있습니까?" in text


def test_the_report_flags_and_counts_prioritised_questions(workload, review, alice):
    _with_profile(workload)
    review = Review.objects.get(pk=review.pk)  # as the report job reads it
    with translation.override("en"):
        html = render_report_html(ReportRequest(review=review, milestone=None, language="en", page_size="a4"))
    assert html.count('class="badge prioritised"') == 1
    assert "1 prioritised question: 0 high, 0 medium risk" in html


def test_the_admin_shows_a_workload_profile_but_does_not_change_it(workload, staff, client_for):
    _with_profile(workload)
    staff.is_superuser = True
    staff.save()
    url = f"/admin/reviewapp/workload/{workload.pk}/change/"
    page = client_for(staff).get(url).content.decode()
    assert 'name="profile"' not in page and "Business context" in page
