"""Profiles, a workload's profile, review templates and starting a review from a template, through the API."""

import json

from questions.profiles import profile_draft_create, profile_publish
from reviewapp.answer_state import AnswerState
from reviewapp.models import AnswerChange, Milestone, ReviewTemplate
from reviewapp.review_templates import template_create

from ..factories import make_profile, make_workload


def _send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_it_lists_current_profiles_with_their_questions(lens, api_for, alice):
    v1 = make_profile()
    profile_publish(profile=profile_draft_create(profile=v1))
    make_profile(slug="draft", status="draft")
    listed = api_for(alice).get("/api/v1/profiles/").json()
    assert [(p["slug"], p["version"]) for p in listed] == [("ctx", 2)]
    detail = api_for(alice).get(f"/api/v1/profiles/{listed[0]['id']}/").json()
    assert detail["questions"][0]["key"] == "exposed"
    assert detail["questions"][0]["choices"][0] == {"key": "exposed_yes", "title": "Yes", "prioritises": ["p1_q1"]}
    assert api_for(alice, language="ko").get(f"/api/v1/profiles/{listed[0]['id']}/").json()["name"] == "비즈니스 맥락"


def test_it_sets_clears_and_refuses_a_workload_profile(workload, api_for, alice, vera, charlie):
    profile = make_profile()
    url = f"/api/v1/workloads/{workload.pk}/profile/"
    body = {"profile": profile.pk, "answers": {"exposed": ["exposed_yes"], "constraints": ["cost"]}}
    assert _send(api_for(vera), "put", url, body).status_code == 403
    assert _send(api_for(charlie), "put", url, body).status_code == 404
    response = _send(api_for(alice), "put", url, body)
    assert response.status_code == 200, response.content
    assert response.json()["prioritised_questions"] == ["p1_q1", "p2_q1"]
    bad = _send(api_for(alice), "put", url, {"profile": profile.pk, "answers": {"exposed": ["nope"]}})
    assert bad.status_code == 400
    assert "“nope” is not a choice of the question “exposed”." in bad.json()["details"]["answers"]
    draft = _send(api_for(alice), "put", url, {"profile": make_profile(slug="d", status="draft").pk, "answers": {}})
    assert draft.json()["details"] == {"profile": ["Only a published profile can be chosen."]}
    assert api_for(vera).get(url).json()["answers"] == {"exposed": ["exposed_yes"], "constraints": ["cost"]}
    assert api_for(alice).delete(url).status_code == 204
    workload.refresh_from_db()
    assert workload.profile is None


def test_it_upgrades_the_workload_profile_milestone_first(workload, review, api_for, alice):
    profile = make_profile()
    _send(api_for(alice), "put", f"/api/v1/workloads/{workload.pk}/profile/", {"profile": profile.pk, "answers": {}})
    url = f"/api/v1/workloads/{workload.pk}/profile/upgrade/"
    assert api_for(alice).post(url).status_code == 400
    new = profile_publish(profile=profile_draft_create(profile=profile))
    assert api_for(alice).get(f"/api/v1/workloads/{workload.pk}/profile/").json()["newer_version"] == new.pk
    response = api_for(alice).post(url)
    assert response.status_code == 200 and response.json()["profile"]["version"] == 2
    assert response.json()["milestones"] == list(Milestone.objects.filter(review=review).values_list("pk", flat=True))


def test_templates_crud_and_privacy(lens, api_for, alice, bob):
    answers = {"p1_q1": {"selected_choices": ["p1_q1_a1"], "notes": "CloudWatch alarms"}}
    created = _send(api_for(alice), "post", "/api/v1/templates/", {"name": "Std", "lens": lens.pk, "answers": answers})
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["owner"] == "alice" and data["lens_current"] is True
    assert data["answers"]["p1_q1"]["notes"] == "CloudWatch alarms"
    url = f"/api/v1/templates/{data['id']}/"
    assert api_for(bob).get(url).status_code == 404
    assert api_for(bob).get("/api/v1/templates/").json()["results"] == []
    bad = _send(api_for(alice), "patch", url, {"answers": {"p1_q1": {"selected_choices": ["zzz"]}}})
    assert bad.status_code == 400
    assert ReviewTemplate.objects.get().answers.get().state["notes"] == "CloudWatch alarms"
    renamed = _send(api_for(alice), "patch", url, {"name": "Standard"})
    assert renamed.json()["name"] == "Standard" and renamed.json()["answers"]["p1_q1"]["selected_choices"] == [
        "p1_q1_a1"
    ]
    assert api_for(bob).delete(url).status_code == 404
    assert api_for(alice).delete(url).status_code == 204
    assert not ReviewTemplate.objects.exists()


def test_a_templates_practices_that_do_not_apply_go_in_and_out_of_the_api(lens, api_for, alice):
    answers = {
        "p1_q1": {
            "selected_choices": ["p1_q1_a1"],
            "not_applicable_choices": [{"choice": "p1_q1_a2", "reason": "OUT_OF_SCOPE", "notes": "batch only"}],
        }
    }
    created = _send(api_for(alice), "post", "/api/v1/templates/", {"name": "Std", "lens": lens.pk, "answers": answers})
    assert created.status_code == 201, created.content
    assert created.json()["answers"]["p1_q1"]["not_applicable_choices"] == [
        {"choice": "p1_q1_a2", "reason": "OUT_OF_SCOPE", "notes": "batch only"}
    ]
    assert ReviewTemplate.objects.get().answers.get().state["choice_na"] == {
        "p1_q1_a2": {"reason": "OUT_OF_SCOPE", "notes": "batch only"}
    }
    both = {"p1_q1": {"selected_choices": ["p1_q1_a2"], "not_applicable_choices": [{"choice": "p1_q1_a2"}]}}
    refused = _send(api_for(alice), "patch", f"/api/v1/templates/{created.json()['id']}/", {"answers": both})
    assert refused.status_code == 400  # followed and not applying at once
    assert ReviewTemplate.objects.get().answers.get().state["choice_na"] == {
        "p1_q1_a2": {"reason": "OUT_OF_SCOPE", "notes": "batch only"}
    }


def test_it_starts_a_review_with_a_template(lens, api_for, alice, bob):
    template = template_create(
        owner=alice, name="Std", lens=lens, answers={"p1_q1": AnswerState(choices=frozenset({"p1_q1_a1"}))}
    )
    workload = make_workload(alice, name="New")
    refused = _send(api_for(bob), "post", "/api/v1/reviews/", {"workload": workload.pk, "lens": lens.pk})
    assert refused.status_code == 404
    response = _send(
        api_for(alice), "post", "/api/v1/reviews/", {"workload": workload.pk, "lens": lens.pk, "template": template.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["counts"]["medium"] == 1
    change = AnswerChange.objects.get(answer__review_id=response.json()["id"])
    assert change.template_name == "Std"
    again = _send(api_for(alice), "post", "/api/v1/reviews/", {"workload": workload.pk, "lens": lens.pk})
    assert again.status_code == 400
