"""Reviews, their summaries, improvement plans and milestones, and the lenses, through the API."""

import datetime
import json

import pytest

from questions.models import Lens
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.models import AnswerRisk, ImprovementItem, Milestone, MilestoneAnswer
from reviewapp.risk import RiskCounts
from reviewapp.workloads import review_create

from ..factories import make_lens, make_user, make_workload


def _save(review, user, key: str, choices: set[str], **fields):
    item = load_bank(review.lens).by_key[key]
    return answer_save(review=review, item=item, user=user, state=AnswerState(choices=frozenset(choices), **fields))


def _send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def as_bob(api_for, bob):
    return api_for(bob)


@pytest.fixture
def answered(review, alice):
    """p1_q1 high (a2), p1_q2 medium (a1), p2_q1 no risk, p2_q2 not applicable."""
    _save(review, alice, "p1_q1", {"p1_q1_a2"})
    _save(review, alice, "p1_q2", {"p1_q2_a1"})
    _save(review, alice, "p2_q1", {"p2_q1_a1", "p2_q1_a2", "p2_q1_a3"})
    _save(review, alice, "p2_q2", set(), applicable=False, reason="OTHER")
    return review


# --- Reviews ------------------------------------------------------------------------------------


@pytest.fixture
def reviews(workload, review, alice, lens):
    """Shop on mini (and on other), Depot on mini; all alice's."""
    other = make_lens(slug="other", pillars=1)
    depot = make_workload(alice, name="Depot", lens=lens)
    return {
        "shop-mini": review,
        "shop-other": review_create(workload=workload, lens=other, user=alice),
        "depot-mini": depot.reviews.get(),
    }


def test_it_lists_reviews_by_id(reviews, api_for, alice):
    response = api_for(alice).get("/api/v1/reviews/")

    assert [r["id"] for r in response.json()["results"]] == sorted(r.pk for r in reviews.values())


def test_it_filters_reviews_by_workload_and_lens(reviews, api_for, alice, workload):
    client = api_for(alice)

    by_workload = client.get("/api/v1/reviews/", {"workload": workload.pk}).json()["results"]
    by_lens = client.get("/api/v1/reviews/", {"lens": "mini"}).json()["results"]
    both = client.get("/api/v1/reviews/", {"workload": workload.pk, "lens": "other"}).json()["results"]
    unknown = client.get("/api/v1/reviews/", {"lens": "nope"}).json()["results"]

    assert [r["id"] for r in by_workload] == sorted([reviews["shop-mini"].pk, reviews["shop-other"].pk])
    assert [r["id"] for r in by_lens] == sorted([reviews["shop-mini"].pk, reviews["depot-mini"].pk])
    assert [r["id"] for r in both] == [reviews["shop-other"].pk]
    assert unknown == []


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "9" * 19, "²", "0"])
def test_it_refuses_a_workload_filter_that_is_no_id(reviews, api_for, alice, value):
    body = _error(api_for(alice).get("/api/v1/reviews/", {"workload": value}))

    assert body["error"] == "workload: Give a workload id (a number)."


def test_it_finds_no_review_of_a_workload_the_user_cannot_see(reviews, api_for, charlie, workload):
    response = api_for(charlie).get("/api/v1/reviews/", {"workload": workload.pk})

    assert (response.status_code, response.json()["results"]) == (200, [])


def test_it_shows_a_review_with_its_lens_and_counts(answered, as_bob, workload):
    body = as_bob.get(f"/api/v1/reviews/{answered.pk}/").json()

    assert (body["id"], body["workload"], body["revision"]) == (answered.pk, workload.pk, 4)
    assert (body["lens"]["slug"], body["lens"]["version"], body["lens"]["name"]) == ("mini", "1", "mini lens")
    assert body["counts"] == {
        "high": 1,
        "medium": 1,
        "none": 1,
        "not_applicable": 1,
        "unanswered": 0,
        "answered": 4,
        "total": 4,
    }


def test_it_gives_a_review_the_same_counts_as_its_summary(answered, as_bob):
    review = as_bob.get(f"/api/v1/reviews/{answered.pk}/").json()
    summary = as_bob.get(f"/api/v1/reviews/{answered.pk}/summary/").json()

    assert review["counts"] == summary["counts"]


# --- Summary ------------------------------------------------------------------------------------


def test_it_sums_up_risks_overall_and_per_pillar(answered, as_bob):
    body = as_bob.get(f"/api/v1/reviews/{answered.pk}/summary/").json()

    assert (body["review"], body["revision"]) == (answered.pk, 4)
    assert body["counts"] == {
        "high": 1,
        "medium": 1,
        "none": 1,
        "not_applicable": 1,
        "unanswered": 0,
        "answered": 4,
        "total": 4,
    }
    assert [(p["key"], p["short_label"], p["name"]) for p in body["pillars"]] == [
        ("p1", "P1", "Pillar 1"),
        ("p2", "P2", "Pillar 2"),
    ]
    assert [p["counts"]["high"] + p["counts"]["medium"] for p in body["pillars"]] == [2, 0]
    assert body["pillars"][1]["counts"] == {
        "high": 0,
        "medium": 0,
        "none": 1,
        "not_applicable": 1,
        "unanswered": 0,
        "answered": 2,
        "total": 2,
    }


def test_it_sums_up_what_the_answers_say(answered, as_bob):
    body = as_bob.get(f"/api/v1/reviews/{answered.pk}/summary/").json()

    counts = RiskCounts.of(answered.answers.values_list("risk", flat=True))
    assert (body["counts"]["high"], body["counts"]["medium"], body["counts"]["none"]) == (
        counts.high,
        counts.medium,
        counts.none,
    )
    assert sum(p["counts"]["total"] for p in body["pillars"]) == answered.answers.count()


def test_it_counts_a_new_review_as_all_unanswered(review, as_bob):
    body = as_bob.get(f"/api/v1/reviews/{review.pk}/summary/").json()

    assert (body["counts"]["unanswered"], body["counts"]["answered"], body["counts"]["total"]) == (4, 0, 4)


# --- Improvement plan -----------------------------------------------------------------------------


def _plan_url(review, key: str = "") -> str:
    return f"/api/v1/reviews/{review.pk}/improvement-plan/{key + '/' if key else ''}"


def _plan(response) -> list[tuple[str, str, list[str]]]:
    return [(q["question"], q["risk"], [i["choice"] for i in q["items"]]) for q in response.json()]


def test_it_plans_the_missing_practices_of_risky_questions_high_first(answered, as_bob):
    response = as_bob.get(_plan_url(answered))

    assert _plan(response) == [
        ("p1_q1", AnswerRisk.HIGH, ["p1_q1_a1", "p1_q1_a3"]),
        ("p1_q2", AnswerRisk.MEDIUM, ["p1_q2_a2", "p1_q2_a3"]),
    ]
    item = response.json()[0]["items"][0]
    assert item == {
        "choice": "p1_q1_a1",
        "title": "Practice 1",
        "tier": "required",
        "improvement_plan": "Do practice 1.",
        "improvement_plan_url": "",
        "status": "open",
        "owner": None,
        "due_date": None,
        "note": "",
        "tracker_issue": None,  # the workload is connected to no issue tracker
    }


def test_it_filters_the_plan(answered, as_bob, bob):
    ImprovementItem.objects.filter(review=answered, choice__key="p1_q2_a3").update(status="in_progress", owner=bob)
    client = as_bob

    by_risk = client.get(_plan_url(answered), {"risk": AnswerRisk.MEDIUM})
    by_pillar = client.get(_plan_url(answered), {"pillar": "p2"})
    by_status = client.get(_plan_url(answered), {"status": "in_progress"})
    by_owner = client.get(_plan_url(answered), {"owner": bob.pk})

    assert _plan(by_risk) == [("p1_q2", AnswerRisk.MEDIUM, ["p1_q2_a2", "p1_q2_a3"])]
    assert _plan(by_pillar) == []
    assert _plan(by_status) == [("p1_q2", AnswerRisk.MEDIUM, ["p1_q2_a3"])]
    assert _plan(by_owner) == [("p1_q2", AnswerRisk.MEDIUM, ["p1_q2_a3"])]
    assert by_owner.json()[0]["items"][0]["owner"] == "bob"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"pillar": "security"}, "pillar"), ({"status": "later"}, "status"), ({"risk": "NO_RISK"}, "risk")],
)
def test_it_refuses_a_plan_filter_it_does_not_know(answered, as_bob, query, field):
    body = _error(as_bob.get(_plan_url(answered), query))

    assert list(body["details"]) == [field]
    assert body["error"].startswith(f"{field}: Select a valid choice.")


def test_it_refuses_an_owner_filter_that_is_no_member(answered, as_bob, charlie):
    body = _error(as_bob.get(_plan_url(answered), {"owner": charlie.pk}))

    assert list(body["details"]) == ["owner"]


def test_it_tracks_a_missing_practice(answered, as_bob, bob):
    response = _send(
        as_bob,
        "patch",
        _plan_url(answered, "p1_q1_a1"),
        {"status": "in_progress", "owner": "vera", "due_date": "2030-01-31", "note": "Next sprint"},
    )

    assert response.status_code == 200, response.content
    item = ImprovementItem.objects.get(review=answered, choice__key="p1_q1_a1")
    assert (item.status, item.owner.username, item.due_date, item.note, item.updated_by) == (
        "in_progress",
        "vera",
        datetime.date(2030, 1, 31),
        "Next sprint",
        bob,
    )
    body = response.json()
    assert (body["choice"], body["status"], body["owner"], body["due_date"], body["note"]) == (
        "p1_q1_a1",
        "in_progress",
        "vera",
        "2030-01-31",
        "Next sprint",
    )


def test_it_keeps_what_an_item_patch_leaves_out(answered, as_bob):
    url = _plan_url(answered, "p1_q1_a1")
    _send(as_bob, "patch", url, {"status": "in_progress", "owner": "vera", "note": "Keep"})

    _send(as_bob, "patch", url, {"status": "done"})

    item = ImprovementItem.objects.get(review=answered, choice__key="p1_q1_a1")
    assert (item.status, item.owner.username, item.note) == ("done", "vera", "Keep")


def test_it_clears_the_owner_of_an_item(answered, as_bob):
    url = _plan_url(answered, "p1_q1_a1")
    _send(as_bob, "patch", url, {"status": "open", "owner": "vera"})

    response = _send(as_bob, "patch", url, {"status": "open", "owner": None})

    assert response.json()["owner"] is None
    assert ImprovementItem.objects.get(review=answered, choice__key="p1_q1_a1").owner is None


def test_it_refuses_an_owner_who_is_not_a_member(answered, as_bob, charlie):
    items = ImprovementItem.objects.filter(review=answered).values_list("choice__key", "status", "owner_id")
    before = list(items)

    body = _error(_send(as_bob, "patch", _plan_url(answered, "p1_q1_a1"), {"status": "done", "owner": "charlie"}))

    assert body["error"] == "owner: “charlie” is not a member of this workload."
    assert list(items.all()) == before


def test_it_refuses_an_unknown_item_status(answered, as_bob):
    body = _error(_send(as_bob, "patch", _plan_url(answered, "p1_q1_a1"), {"status": "someday"}))

    assert body["details"] == {"status": ['"someday" is not a valid choice.']}
    assert not ImprovementItem.objects.filter(review=answered, choice__key="p1_q1_a1", status="someday").exists()


@pytest.mark.parametrize("key", ["p1_q1_no", "nope", "p1_q1"])
def test_it_answers_404_for_what_is_no_best_practice(answered, as_bob, key):
    response = _send(as_bob, "patch", _plan_url(answered, key), {"status": "done"})

    assert _error(response, 404)["error"] == f"This lens has no best practice “{key}”."


# --- Milestones ---------------------------------------------------------------------------------


def _milestones_url(review, pk: int | None = None) -> str:
    return f"/api/v1/reviews/{review.pk}/milestones/{f'{pk}/' if pk else ''}"


def test_it_takes_a_milestone_of_the_review_as_it_is(answered, as_bob, bob):
    response = _send(as_bob, "post", _milestones_url(answered), {"name": "Before launch"})

    assert response.status_code == 201, response.content
    milestone = Milestone.objects.get(review=answered)
    assert (milestone.name, milestone.created_by, milestone.review_revision, milestone.lens) == (
        "Before launch",
        bob,
        4,
        answered.lens,
    )
    frozen = dict(MilestoneAnswer.objects.filter(milestone=milestone).values_list("question__key", "risk"))
    assert frozen == {"p1_q1": "HIGH_RISK", "p1_q2": "MEDIUM_RISK", "p2_q1": "NO_RISK", "p2_q2": "NOT_APPLICABLE"}
    body = response.json()
    assert (body["id"], body["name"], body["created_by"], body["review_revision"], body["lens"]["slug"]) == (
        milestone.pk,
        "Before launch",
        "bob",
        4,
        "mini",
    )


def test_it_refuses_a_milestone_name_the_review_already_has(answered, as_bob):
    _send(as_bob, "post", _milestones_url(answered), {"name": "Launch"})

    body = _error(_send(as_bob, "post", _milestones_url(answered), {"name": "Launch"}))

    assert body["error"] == "name: This review already has a milestone named “Launch”."
    assert Milestone.objects.filter(review=answered).count() == 1


def test_it_refuses_a_milestone_over_the_reviews_limit(answered, as_bob, settings):
    settings.MILESTONES_PER_REVIEW = 1
    _send(as_bob, "post", _milestones_url(answered), {"name": "Launch"})

    body = _error(_send(as_bob, "post", _milestones_url(answered), {"name": "Later"}))

    assert body["error"] == "This review already has 1 milestone, the most it can keep."
    assert list(Milestone.objects.filter(review=answered).values_list("name", flat=True)) == ["Launch"]


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 101}])
def test_it_refuses_a_milestone_without_a_proper_name(answered, as_bob, body):
    error = _error(_send(as_bob, "post", _milestones_url(answered), body))

    assert list(error["details"]) == ["name"]
    assert not Milestone.objects.exists()


def test_it_lists_milestones_oldest_first(answered, as_bob):
    for name in ("B", "A", "C"):
        _send(as_bob, "post", _milestones_url(answered), {"name": name})

    body = as_bob.get(_milestones_url(answered)).json()

    assert body["count"] == 3
    assert [m["name"] for m in body["results"]] == ["B", "A", "C"]


def test_it_shows_a_milestones_frozen_answers_after_the_review_moved_on(answered, as_bob, alice):
    milestone_id = _send(as_bob, "post", _milestones_url(answered), {"name": "Launch"}).json()["id"]
    _save(answered, alice, "p1_q1", {"p1_q1_a1", "p1_q1_a2", "p1_q1_a3"}, notes="Fixed")

    body = as_bob.get(_milestones_url(answered, milestone_id)).json()

    assert (body["name"], body["review_revision"]) == ("Launch", 4)
    assert body["counts"] == {
        "high": 1,
        "medium": 1,
        "none": 1,
        "not_applicable": 1,
        "unanswered": 0,
        "answered": 4,
        "total": 4,
    }
    first = body["answers"][0]
    assert (first["question"], first["risk"], first["selected_choices"], first["notes"], first["version"]) == (
        "p1_q1",
        AnswerRisk.HIGH,
        ["p1_q1_a2"],
        "",
        1,
    )
    assert [a["question"] for a in body["answers"]] == ["p1_q1", "p1_q2", "p2_q1", "p2_q2"]


def test_it_answers_404_for_a_milestone_of_another_review(answered, as_bob, alice, lens):
    other = make_workload(alice, name="Depot", lens=lens).reviews.get()
    elsewhere = Milestone.objects.create(review=other, name="X", lens=lens, review_revision=0)

    response = as_bob.get(_milestones_url(answered, elsewhere.pk))

    assert response.status_code == 404


# --- Lenses -------------------------------------------------------------------------------------


@pytest.fixture
def lenses(lens):
    draft = make_lens(slug="draft", pillars=1, questions_per_pillar=1)
    draft.status = Lens.Status.DRAFT
    draft.save()
    retired = make_lens(slug="mini", version="0", pillars=1, questions_per_pillar=1)
    retired.status = Lens.Status.RETIRED
    retired.save()
    return {"mini": lens, "draft": draft, "retired": retired}


def test_it_lists_published_and_retired_lenses_but_no_draft(lenses, api_for, charlie):
    body = api_for(charlie).get("/api/v1/lenses/").json()

    assert [(lens["slug"], lens["version"], lens["status"]) for lens in body["results"]] == [
        ("mini", "0", "retired"),
        ("mini", "1", "published"),
    ]
    assert set(body["results"][1]) == {"id", "slug", "version", "name", "description", "status"}


def test_it_lists_drafts_for_staff(lenses, api_for, staff):
    body = api_for(staff).get("/api/v1/lenses/").json()

    assert [(lens["slug"], lens["status"]) for lens in body["results"]] == [
        ("draft", "draft"),
        ("mini", "retired"),
        ("mini", "published"),
    ]


def test_it_hides_a_draft_lens_from_non_staff(lenses, api_for, alice, staff):
    url = f"/api/v1/lenses/{lenses['draft'].pk}/"

    assert api_for(alice).get(url).status_code == 404
    assert api_for(staff).get(url).json()["slug"] == "draft"


def test_it_shows_a_lens_with_its_pillars_questions_choices_and_rules(lenses, api_for, vera):
    body = api_for(vera).get(f"/api/v1/lenses/{lenses['mini'].pk}/").json()

    assert [p["key"] for p in body["pillars"]] == ["p1", "p2"]
    question = body["pillars"][0]["questions"][0]
    assert (question["key"], question["label"], question["title"]) == ("p1_q1", "P1 1", "Question 1.1?")
    assert [(c["key"], c["tier"], c["is_none"]) for c in question["choices"]] == [
        ("p1_q1_a1", "required", False),
        ("p1_q1_a2", "good", False),
        ("p1_q1_a3", "best", False),
        ("p1_q1_no", "", True),
    ]
    assert question["risk_rules"] == [
        {"condition": "p1_q1_a1 && p1_q1_a2 && p1_q1_a3", "risk": "NO_RISK"},
        {"condition": "p1_q1_a1", "risk": "MEDIUM_RISK"},
        {"condition": "default", "risk": "HIGH_RISK"},
    ]


def test_it_shows_lenses_in_the_callers_language(lenses, api_for, vera):
    body = api_for(vera, language="ko").get(f"/api/v1/lenses/{lenses['mini'].pk}/").json()

    assert (body["name"], body["pillars"][0]["name"]) == ("mini 렌즈", "기둥 1")
    assert body["pillars"][0]["questions"][0]["title"] == "질문 1.1?"


def test_it_answers_404_for_a_lens_that_does_not_exist(db, api_for):
    response = api_for(make_user("dave")).get("/api/v1/lenses/999999/")

    assert response.status_code == 404
    assert response.json() == {"error": "No Lens matches the given query."}


# --- Lenses in the AWS custom lens format ---------------------------------------------------------


def test_it_exports_a_lens_in_the_aws_format(lenses, api_for, vera):
    body = api_for(vera).get(f"/api/v1/lenses/{lenses['mini'].pk}/aws/", {"language": "ko"}).json()

    assert body["name"] == "mini 렌즈"
    assert [p["id"] for p in body["pillars"]] == ["p1", "p2"]
    question = body["pillars"][0]["questions"][0]
    assert (question["id"], question["title"]) == ("p1_q1", "질문 1.1?")
    assert [c["id"] for c in question["choices"]] == ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3", "p1_q1_no"]


def test_it_needs_a_language_to_export_a_lens(lenses, api_for, vera):
    body = _error(api_for(vera).get(f"/api/v1/lenses/{lenses['mini'].pk}/aws/"))

    assert list(body["details"]) == ["language"]


def test_it_exports_a_draft_lens_to_staff_only(lenses, api_for, vera, staff):
    url = f"/api/v1/lenses/{lenses['draft'].pk}/aws/?language=en"

    assert api_for(vera).get(url).status_code == 404
    assert api_for(staff).get(url).json()["pillars"][0]["id"] == "p1"


def test_it_lets_only_bank_editors_import_a_lens(lenses, api_for, alice, staff):
    document = api_for(alice).get(f"/api/v1/lenses/{lenses['mini'].pk}/aws/?language=en").json()
    before = Lens.objects.count()

    for user in (alice, staff):
        response = _send(api_for(user), "post", "/api/v1/lenses/import/?language=en&slug=copy", document)

        assert _error(response, 403) == {"error": "Only bank editors may import lenses."}
    assert Lens.objects.count() == before


def test_it_imports_a_lens_as_a_draft_for_a_bank_editor(lenses, api_for, alice):
    editor = make_user("editor", is_staff=True, is_superuser=True)
    document = api_for(alice).get(f"/api/v1/lenses/{lenses['mini'].pk}/aws/?language=en").json()
    for pillar in document["pillars"]:
        pillar["id"] = f"pillar_{pillar['id']}"  # AWS ids have at least 3 characters

    response = _send(api_for(editor), "post", "/api/v1/lenses/import/?language=en&slug=copy&version=2", document)

    assert response.status_code == 201, response.content
    lens = Lens.objects.get(slug="copy")
    assert (lens.version, lens.status, lens.name_en) == ("2", Lens.Status.DRAFT, "mini lens")
    assert list(lens.pillars.order_by("order").values_list("key", flat=True)) == ["pillar_p1", "pillar_p2"]
    assert (response.json()["id"], response.json()["status"]) == (lens.pk, "draft")


def test_it_makes_no_copy_of_an_imported_lens_unless_forced(lenses, api_for, alice):
    editor = make_user("editor", is_staff=True, is_superuser=True)
    document = api_for(alice).get(f"/api/v1/lenses/{lenses['mini'].pk}/aws/?language=en").json()
    for pillar in document["pillars"]:
        pillar["id"] = f"pillar_{pillar['id']}"
    first = _send(api_for(editor), "post", "/api/v1/lenses/import/?language=en&slug=copy", document).json()

    refused = _send(api_for(editor), "post", "/api/v1/lenses/import/?language=en&slug=copy", document)

    body = _error(refused, 409)
    assert body["lens"]["id"] == first["id"]
    assert "already has this content" in body["detail"]
    assert Lens.objects.filter(slug="copy").count() == 1
    forced = _send(api_for(editor), "post", "/api/v1/lenses/import/?language=en&slug=copy&force=true", document)
    assert forced.status_code == 201
    assert list(Lens.objects.filter(slug="copy").order_by("pk").values_list("version", flat=True)) == ["1", "2"]
