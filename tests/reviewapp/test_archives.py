"""A whole workload out and back in (reviewapp/archives/, its commands, page and API).

The round trip runs over a review with history, a merge, a restore, milestones, tracked
improvement items and an upgrade: the archive of the imported workload is the original
archive, byte for byte (archives name rows by keys, never by ids, and keep timestamps).
"""

import copy
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from questions.models import Choice, Question
from questions.versions import lens_draft_create, lens_publish
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.archives import WorkloadArchiveError, workload_archive, workload_from_archive
from reviewapp.bank import load_bank
from reviewapp.improvements import improvement_update
from reviewapp.milestones import milestone_create
from reviewapp.models import Answer, AnswerChange, ImprovementItem, Membership, Milestone, Review, Role, Workload
from reviewapp.profiles import workload_profile_set
from reviewapp.review_templates import template_create
from reviewapp.tokens import token_create
from reviewapp.upgrades import review_upgrade
from reviewapp.workloads import review_create

from ..factories import make_profile, make_user, make_workload


def _save(review, key, choices=(), *, user, na=False, reason="", notes="", **extra):
    item = load_bank(Review.objects.get(pk=review.pk).lens).by_key[key]
    return answer_save(
        review=review,
        item=item,
        user=user,
        state=AnswerState(choices=frozenset(choices), applicable=not na, reason=reason, notes=notes),
        **extra,
    )


@pytest.fixture(autouse=True)
def english():
    """Names the code gives (the milestone taken before an upgrade) in English, as the pages show them."""
    with translation.override("en"):
        yield


@pytest.fixture
def api_for(db):
    """``api_for(user)``: an API client with a fresh personal token of the user (anonymous for None)."""

    def make(user=None) -> Client:
        return Client(headers={"Authorization": f"Bearer {token_create(user=user, name='t')[1]}"} if user else {})

    return make


def _dump(archive: dict) -> str:
    return json.dumps(archive, ensure_ascii=False, indent=2)


@pytest.fixture
def full(workload, review, lens, alice, bob):
    """alice's workload with a bit of everything, upgraded from version 1 of its lens to version 2."""
    Workload.objects.filter(pk=workload.pk).update(
        regions=["ap-northeast-2", "us-east-1"],
        industry="Retail",
        notes="*Big* sale in May",
        architecture_diagram_url="https://example.com/diagram.png",
    )
    _save(review, "p1_q1", ["p1_q1_a1"], user=bob, notes="첫 메모")
    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a2"], user=alice)
    # bob saves from version 1 while alice is at 2: a merge.
    _save(review, "p1_q1", ["p1_q1_a1", "p1_q1_a3"], user=bob, notes="첫 메모", base_version=1)
    _save(review, "p1_q1", ["p1_q1_a1"], user=alice, notes="첫 메모", restored_from=1)  # a restore
    _save(review, "p1_q2", ["p1_q2_a1"], user=alice)
    _save(review, "p2_q2", na=True, reason="OUT_OF_SCOPE", notes="No queues", user=bob)
    choice = Choice.objects.get(question__pillar__lens=lens, key="p1_q2_a2")
    improvement_update(
        review=review,
        choice=choice,
        user=alice,
        status="in_progress",
        owner=bob,
        due_date=datetime.date(2030, 1, 31),
        note="Bob's on it",
    )
    milestone_create(review=review, name="Kick-off", user=alice)
    Review.objects.filter(pk=review.pk).update(facilitator=alice, facilitator_question="p1_q2")
    root = make_user("root", is_staff=True, is_superuser=True)
    draft = lens_draft_create(lens=lens, user=root)
    Question.objects.filter(pillar__lens=draft, key="p2_q1").delete()
    v2 = lens_publish(draft=draft, version="2", user=root, release_notes={"en": "Smaller", "ko": "축소"})
    review_upgrade(review=review, target=v2, user=bob)
    _save(review, "p1_q2", ["p1_q2_a1", "p1_q2_a2"], user=bob)
    workload.refresh_from_db()
    return workload


def test_it_gives_the_same_archive_after_importing_one(full, alice):
    original = _dump(workload_archive(full))

    result = workload_from_archive(data=original, user=alice)

    assert result.warnings == []
    assert result.workload.pk != full.pk
    assert _dump(workload_archive(result.workload)) == original
    # The archive really holds everything: it is not equal because it is empty.
    data = json.loads(original)
    review = data["reviews"][0]
    assert (data["format"], data["version"], review["lens"]) == (
        "wa-workload-archive",
        1,
        {"slug": "mini", "version": "2"},
    )
    assert [m["username"] for m in data["members"]] == ["alice", "bob", "vera"]
    p1_q1 = next(a for a in review["answers"] if a["question"] == "p1_q1")
    assert [(c["version"], c["changed_by"], c["restored_from"]) for c in p1_q1["changes"]] == [
        (1, "bob", None),
        (2, "alice", None),
        (3, "bob", None),
        (4, "alice", 1),
        (5, "bob", None),
    ]
    assert p1_q1["changes"][2]["after"]["choices"] == ["p1_q1_a1", "p1_q1_a2", "p1_q1_a3"]  # the merge
    assert [m["name"] for m in review["milestones"]] == ["Kick-off", "Before upgrade to 2"]
    assert review["milestones"][0]["lens"] == {"slug": "mini", "version": "1"}
    assert {(i["choice"], i["status"], i["owner"], i["due_date"]) for i in review["improvement_items"]} >= {
        ("p1_q2_a2", "done", "bob", "2030-01-31")  # ticked after the upgrade: done, owner and date kept
    }
    # Rows are new; the importer owns the workload; the answer history is there for the pages too.
    imported = Review.objects.get(workload=result.workload)
    assert not set(imported.answers.values_list("pk", flat=True)) & set(
        full.reviews.get().answers.values_list("pk", flat=True)
    )
    assert Membership.objects.get(workload=result.workload, user=alice).role == Role.OWNER
    assert AnswerChange.objects.filter(answer__review=imported, answer__question__key="p1_q1").count() == 5


def test_it_imports_on_an_instance_without_some_users_and_says_who(full, charlie):
    data = workload_archive(full)
    data["members"].append({"username": "zed", "role": "contributor", "created_at": None})
    data["reviews"][0]["answers"][0]["changes"][0]["changed_by"] = "zed"

    result = workload_from_archive(data=copy.deepcopy(data), user=charlie)

    assert result.warnings == [
        "User “zed” does not exist here: left out as a member and as the author of what they did."
    ]
    members = dict(Membership.objects.filter(workload=result.workload).values_list("user__username", "role"))
    assert members == {"charlie": "owner", "alice": "owner", "bob": "contributor", "vera": "viewer"}
    first = AnswerChange.objects.get(answer__review__workload=result.workload, answer__question__key="p1_q1", version=1)
    assert first.changed_by is None


@pytest.mark.parametrize(
    ("mutate", "problems"),
    [
        pytest.param(
            lambda d: d.update(format="something"),
            ['format: must be "wa-workload-archive", found "something"'],
            id="format",
        ),
        pytest.param(lambda d: d.update(version=2), ["version: this instance reads version 1, found 2"], id="version"),
        pytest.param(
            lambda d: d["reviews"][0]["answers"][1]["choices"].append("x"),
            ['reviews[0].answers[1].choices[2]: unknown choice "x"'],
            id="unknown-choice",
        ),
        pytest.param(
            lambda d: d["reviews"][0]["lens"].update(version="9"),
            ['reviews[0].lens: no published lens "mini" version "9" here: import that lens version first'],
            id="unknown-lens-version",
        ),
        pytest.param(
            lambda d: (
                d["reviews"][0]["answers"][0].update(question="p9_q9"),
                d["reviews"][0]["milestones"][0].update(name=""),
                d["reviews"][0]["improvement_items"][0].update(status="later"),
            ),
            [
                'reviews[0].answers[0].question: unknown question "p9_q9" in lens "mini" version "2"',
                "reviews[0].improvement_items[0].status: must be one of 'open', 'in_progress', 'done', "
                "'wont_do', found \"later\"",
                "reviews[0].milestones[0].name: must not be empty",
            ],
            id="several",
        ),
        pytest.param(
            lambda d: d["workload"].update(name=""), ["workload.name: This field cannot be blank."], id="workload-field"
        ),
        pytest.param(
            lambda d: d["reviews"][0]["answers"][1]["changes"][0].update(changed_at="yesterday"),
            [
                "reviews[0].answers[1].changes[0].changed_at: must be an ISO 8601 time with its offset, "
                'found "yesterday"'
            ],
            id="bad-time",
        ),
    ],
)
def test_it_refuses_a_bad_archive_whole_naming_each_place(full, charlie, mutate, problems):
    data = workload_archive(full)
    mutate(data)
    counts = [model.objects.count() for model in (Workload, Review, Answer, AnswerChange, Milestone, ImprovementItem)]

    with pytest.raises(WorkloadArchiveError) as refused:
        workload_from_archive(data=_dump(data), user=charlie)

    assert refused.value.messages == problems
    assert [m.objects.count() for m in (Workload, Review, Answer, AnswerChange, Milestone, ImprovementItem)] == counts


def test_it_refuses_a_file_that_is_not_json(db, charlie):
    with pytest.raises(WorkloadArchiveError) as refused:
        workload_from_archive(data=b"{nope", user=charlie)

    assert refused.value.messages == ["not JSON: Expecting property name enclosed in double quotes at line 1 column 2"]


# --- Commands ---------------------------------------------------------------------------------------------


def test_it_exports_and_imports_through_the_commands(full, tmp_path):
    path = tmp_path / "shop.json"
    call_command("export_workload", str(full.pk), "--output", str(path), stderr=io.StringIO())
    out = io.StringIO()

    call_command("import_workload", str(path), "--user", "bob", stdout=out)

    imported = Workload.objects.exclude(pk=full.pk).get()
    assert out.getvalue().strip() == f"Imported Shop as workload {imported.pk}: 1 reviews."
    assert Membership.objects.get(workload=imported, user__username="bob").role == Role.OWNER
    assert json.loads(path.read_text()) == workload_archive(full)
    assert workload_archive(imported)["reviews"] == workload_archive(full)["reviews"]


def test_it_refuses_a_bad_archive_through_the_command_with_status_2(full, tmp_path):
    data = workload_archive(full)
    data["reviews"][0]["answers"][1]["choices"] = ["x"]
    path = tmp_path / "bad.json"
    path.write_text(_dump(data))
    err = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_workload", str(path), "--user", "bob", stderr=err)

    assert refused.value.returncode == 2
    assert 'reviews[0].answers[1].choices[0]: unknown choice "x"' in err.getvalue()
    assert Workload.objects.count() == 1


# --- Pages ------------------------------------------------------------------------------------------------


def test_it_downloads_the_archive_from_the_workload_page(full, client_for, alice):
    response = client_for(alice).get(reverse("reviewapp:workload_archive", args=[full.pk]))

    assert response["Content-Disposition"] == 'attachment; filename="shop-archive.json"'
    assert json.loads(response.content) == workload_archive(full)


def test_it_imports_an_uploaded_archive_as_a_workload_the_uploader_owns(full, client_for, charlie):
    body = _dump(workload_archive(full)).encode()
    client = client_for(charlie)
    page = client.get(reverse("reviewapp:workload_import"))

    response = client.post(reverse("reviewapp:workload_import"), {"file": SimpleUploadedFile("shop.json", body)})

    imported = Workload.objects.exclude(pk=full.pk).get()
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reviewapp:workload_detail", args=[imported.pk]
    )
    assert Membership.objects.get(workload=imported, user=charlie).role == Role.OWNER
    detail = client.get(response["Location"]).content.decode()
    assert "Workload imported: you own it." in detail
    assert reverse("reviewapp:workload_archive", args=[imported.pk]) in detail


def test_it_shows_why_an_uploaded_archive_was_refused(full, client_for, charlie):
    data = workload_archive(full)
    data["reviews"][0]["lens"]["version"] = "9"

    response = client_for(charlie).post(
        reverse("reviewapp:workload_import"), {"file": SimpleUploadedFile("shop.json", _dump(data).encode())}
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was imported." in text
    assert "reviews[0].lens: no published lens &quot;mini&quot; version &quot;9&quot; here" in text
    assert Workload.objects.count() == 1


def test_it_links_the_import_page_from_the_workload_list(db, client_for, charlie):
    page = client_for(charlie).get(reverse("reviewapp:workload_list")).content.decode()

    assert f'href="{reverse("reviewapp:workload_import")}"' in page and "Import archive" in page


# --- API --------------------------------------------------------------------------------------------------


def test_it_gives_the_archive_through_the_api_to_owners_and_staff_only(full, api_for, alice, bob, vera, charlie, staff):
    url = f"/api/v1/workloads/{full.pk}/archive/"

    assert api_for(alice).get(url).json() == workload_archive(full)
    assert api_for(staff).get(url).status_code == 200
    assert api_for(bob).get(url).status_code == 403
    assert api_for(vera).get(url).status_code == 403
    assert api_for(charlie).get(url).status_code == 404
    assert api_for(None).get(url).status_code in (401, 403)


def test_it_imports_an_archive_through_the_api(full, api_for, charlie):
    data = workload_archive(full)

    response = api_for(charlie).post("/api/v1/workloads/import/", _dump(data), content_type="application/json")

    assert response.status_code == 201, response.content
    body = response.json()
    imported = Workload.objects.get(pk=body["workload"]["id"])
    assert (body["workload"]["role"], body["warnings"]) == ("owner", [])
    assert workload_archive(imported)["reviews"] == data["reviews"]
    data["reviews"][0]["answers"][1]["choices"] = ["x"]
    refused = api_for(charlie).post("/api/v1/workloads/import/", _dump(data), content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["problems"] == ['reviews[0].answers[1].choices[0]: unknown choice "x"']
    assert Workload.objects.count() == 2


def test_it_keeps_the_profile_and_the_templates_applied(full, alice):
    profile = make_profile()
    workload_profile_set(workload=full, profile=profile, answers={"exposed": ["exposed_yes"]})
    review = full.reviews.get()
    template = template_create(
        owner=alice, name="Std", lens=review.lens, answers={"p2_q2": AnswerState(notes="From the template")}
    )
    other = make_workload(alice, name="From a template")
    review_create(workload=other, lens=review.lens, user=alice, template=template)
    for workload in (full, other):
        workload.refresh_from_db()
        original = _dump(workload_archive(workload))
        imported = workload_from_archive(data=original, user=alice).workload
        assert _dump(workload_archive(imported)) == original
    data = json.loads(_dump(workload_archive(full)))
    assert data["workload"]["profile"] == {"slug": "ctx", "version": 1, "answers": {"exposed": ["exposed_yes"]}}
    changes = json.loads(original)["reviews"][0]["answers"]
    assert [c["template"] for a in changes if a["question"] == "p2_q2" for c in a["changes"]] == ["Std"]


def test_it_refuses_an_archive_naming_a_profile_it_does_not_have(full, charlie):
    data = workload_archive(full)
    data["workload"]["profile"] = {"slug": "elsewhere", "version": 3, "answers": {}}

    with pytest.raises(WorkloadArchiveError) as refused:
        workload_from_archive(data=_dump(data), user=charlie)

    assert refused.value.messages == [
        'workload.profile: no published profile "elsewhere" version 3 here: load that profile first'
    ]
