"""Exports (reviewapp/exports.py, views/exports.py): answers of a review or a milestone and risk counts
across workloads, as CSV (UTF-8 with a BOM, formula-safe) and JSON, through the pages and the API.

The data is the AWS Serverless Lens (Korean and English) so that the CSV carries Korean text.
"""

import codecs
import csv
import datetime
import io
import json
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertRedirects

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.exports import ANSWER_COLUMNS, CONSOLIDATED_COLUMNS, to_csv
from reviewapp.milestones import milestone_create
from reviewapp.models import Answer, Role, Workload
from reviewapp.tokens import token_create

from ..factories import add_member, make_user, make_workload

OPS_Q1_TITLE_KO = "서버리스 애플리케이션의 상태를 파악할 때 어떤 방법을 사용합니까?"
OPS_Q1_A1_KO = "기본 제공 지표를 이해 및 분석하고 이에 대한 알림 구성"
OPS_Q1_A2_KO = "애플리케이션, 비즈니스 및 운영 지표 사용"
QUESTIONS = ["ops_q1", "ops_q2", "sec_q1", "sec_q2", "sec_q3", "rel_q1", "rel_q2", "perf_q1", "cost_q1"]
PILLARS = [
    ("OPS", "운영 우수성"),
    ("SEC", "보안"),
    ("REL", "안정성"),
    ("PERF", "성능 효율성"),
    ("COST", "비용 최적화"),
]


def _save(review, user, key: str, choices: set[str], **fields) -> Answer:
    item = load_bank(review.lens).by_key[key]
    return answer_save(review=review, item=item, user=user, state=AnswerState(choices=frozenset(choices), **fields))


def _body(response) -> bytes:
    """The whole body, of a plain or a streamed response (the risk counts across workloads are streamed);
    a streamed body is kept, so that it can be read again."""
    if not response.streaming:
        return response.content
    body = b"".join(response.streaming_content)
    response.streaming_content = [body]
    return body


def _read_csv(response) -> list[dict]:
    """The CSV rows after checking it starts with a BOM and is UTF-8 throughout."""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = _body(response)
    assert body.startswith(codecs.BOM_UTF8)
    text = body.decode("utf-8-sig")
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _header(response) -> list[str]:
    return next(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"), newline="")))


def _today() -> str:
    return f"{timezone.localtime():%Y-%m-%d}"


@pytest.fixture
def shop(serverless_lens, alice, vera, charlie):
    """alice's "Shop" (vera views it) and "Depot", and charlie's "Zeta", all on the Serverless Lens.

    Shop: ops_q1 medium (a1, a2, Korean notes), sec_q1 high (a1), rel_q1 no risk (a1-a3),
    cost_q1 not applicable (with a formula-like note); the other five unanswered.
    Depot: perf_q1 high. Zeta: ops_q1 no risk.
    """
    workload = make_workload(alice, name="Shop", lens=serverless_lens)
    add_member(workload, vera, Role.VIEWER)
    review = workload.reviews.get()
    ops = _save(review, alice, "ops_q1", {"ops_ops_q1_a1", "ops_ops_q1_a2"}, notes="메모: 로그 **확인**")
    _save(review, alice, "sec_q1", {"sec_sec_q1_a1"})
    _save(review, alice, "rel_q1", {"rel_rel_q1_a1", "rel_rel_q1_a2", "rel_rel_q1_a3"})
    _save(review, alice, "cost_q1", set(), applicable=False, reason="BUSINESS_PRIORITIES", notes="=1+1")
    depot = make_workload(alice, name="Depot", lens=serverless_lens, environment="PREPRODUCTION")
    _save(depot.reviews.get(), alice, "perf_q1", {"perf_perf_q1_a1"})
    zeta = make_workload(charlie, name="Zeta", lens=serverless_lens)
    _save(zeta.reviews.get(), charlie, "ops_q1", {f"ops_ops_q1_a{n}" for n in range(1, 5)})
    return SimpleNamespace(workload=workload, review=review, ops=ops, depot=depot, zeta=zeta)


def _answers_url(review, fmt: str) -> str:
    return reverse("reviewapp:answers_export", args=[review.pk, fmt])


def _milestone_url(review, milestone, fmt: str) -> str:
    return reverse("reviewapp:milestone_answers_export", args=[review.pk, milestone.pk, fmt])


# --- Answers as CSV -----------------------------------------------------------------------------


def test_it_exports_a_reviews_answers_as_csv_with_korean_text(shop, client_for, alice):
    response = client_for(alice, language="ko").get(_answers_url(shop.review, "csv"))

    assert response.status_code == 200
    assert _header(response) == ANSWER_COLUMNS
    rows = _read_csv(response)
    assert [row["question_id"] for row in rows] == QUESTIONS
    assert rows[0] == {
        "pillar": "OPS",
        "question_id": "ops_q1",
        "question_label": "OPS 1",
        "question_title": OPS_Q1_TITLE_KO,
        "selected_choice_ids": "ops_ops_q1_a1;ops_ops_q1_a2",
        "selected_choices": f"{OPS_Q1_A1_KO}; {OPS_Q1_A2_KO}",
        "not_applicable_choice_ids": "",
        "not_applicable_choices": "",
        "risk": "MEDIUM_RISK",
        "applicable": "True",
        "reason": "",
        "notes": "메모: 로그 **확인**",
        "updated_by": "alice",
        "updated_at": timezone.localtime(shop.ops.updated_at).isoformat(),
    }
    assert rows[0]["updated_at"].endswith("+09:00")


def test_it_exports_every_state_of_an_answer(shop, client_for, alice):
    response = client_for(alice, language="ko").get(_answers_url(shop.review, "csv"))

    rows = {row["question_id"]: row for row in _read_csv(response)}
    states = {k: (row["risk"], row["applicable"], row["reason"], row["selected_choice_ids"]) for k, row in rows.items()}
    assert states == {
        "ops_q1": ("MEDIUM_RISK", "True", "", "ops_ops_q1_a1;ops_ops_q1_a2"),
        "ops_q2": ("UNANSWERED", "True", "", ""),
        "sec_q1": ("HIGH_RISK", "True", "", "sec_sec_q1_a1"),
        "sec_q2": ("UNANSWERED", "True", "", ""),
        "sec_q3": ("UNANSWERED", "True", "", ""),
        "rel_q1": ("NO_RISK", "True", "", "rel_rel_q1_a1;rel_rel_q1_a2;rel_rel_q1_a3"),
        "rel_q2": ("UNANSWERED", "True", "", ""),
        "perf_q1": ("UNANSWERED", "True", "", ""),
        "cost_q1": ("NOT_APPLICABLE", "False", "BUSINESS_PRIORITIES", ""),
    }
    assert (rows["ops_q2"]["updated_by"], rows["ops_q2"]["updated_at"]) == ("", "")
    assert [rows[key]["pillar"] for key in ("ops_q2", "sec_q3", "rel_q2", "perf_q1", "cost_q1")] == [
        "OPS",
        "SEC",
        "REL",
        "PERF",
        "COST",
    ]


def test_it_exports_titles_in_english_for_an_english_reader(shop, client_for, alice):
    rows = _read_csv(client_for(alice, language="en").get(_answers_url(shop.review, "csv")))

    assert rows[0]["question_title"] == "How do you understand the health of your Serverless application?"
    assert rows[0]["selected_choices"].startswith("Understand, analyze, and alert on metrics provided out of the box; ")


def test_it_ends_csv_lines_with_crlf(shop, client_for, alice):
    content = client_for(alice).get(_answers_url(shop.review, "csv")).content.decode("utf-8-sig")

    lines = content.split("\r\n")
    assert (len(lines), lines[-1]) == (len(QUESTIONS) + 2, "")
    assert "\n" not in "".join(lines)


def test_it_keeps_a_note_of_several_lines_in_one_cell(shop, client_for, alice):
    _save(shop.review, alice, "ops_q2", {"ops_ops_q2_a1"}, notes='첫 줄, "따옴표"\n둘째 줄')

    rows = _read_csv(client_for(alice).get(_answers_url(shop.review, "csv")))

    assert len(rows) == len(QUESTIONS)
    assert rows[1]["notes"] == '첫 줄, "따옴표"\n둘째 줄'


# --- Spreadsheet formulas -------------------------------------------------------------------------


def test_it_defuses_a_note_that_starts_with_a_formula(shop, client_for, alice):
    rows = {row["question_id"]: row for row in _read_csv(client_for(alice).get(_answers_url(shop.review, "csv")))}

    assert rows["cost_q1"]["notes"] == "'=1+1"
    assert rows["ops_q1"]["notes"] == "메모: 로그 **확인**"


@pytest.mark.parametrize("notes", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_it_prefixes_every_formula_start_with_an_apostrophe(shop, client_for, alice, notes):
    _save(shop.review, alice, "ops_q2", {"ops_ops_q2_a1"}, notes=notes)

    rows = {row["question_id"]: row for row in _read_csv(client_for(alice).get(_answers_url(shop.review, "csv")))}

    assert rows["ops_q2"]["notes"] == "'" + notes


def test_it_defuses_a_workload_name_in_the_consolidated_csv(shop, client_for, alice):
    shop.depot.name = "=cmd|' /C calc'!A0"
    shop.depot.save()

    rows = _read_csv(client_for(alice).get(reverse("reviewapp:consolidated_export", args=["serverless", "csv"])))

    assert {row["workload"] for row in rows} == {"Shop", "'=cmd|' /C calc'!A0"}


@pytest.mark.parametrize(
    "text",
    [
        "\n=1+1",
        " =1+1",
        "  +1",
        "\u3000@SUM(A1)",
        " \t-2",
        "\r\n=1",
        '\uff1dHYPERLINK("http://evil")',
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
        " \uff1d1",
    ],
)
def test_it_defuses_formulas_after_whitespace_and_in_full_width_forms(text):
    body = to_csv([{"notes": text}], ["notes"]).decode("utf-8-sig")

    assert next(csv.DictReader(io.StringIO(body)))["notes"] == "'" + text


def test_it_keeps_numbers_and_plain_text_as_they_are():
    body = to_csv([{"a": -3, "b": "-3", "c": "a=b", "d": True}], ["a", "b", "c", "d"]).decode("utf-8-sig")

    assert body == "a,b,c,d\r\n-3,'-3,a=b,True\r\n"


def test_it_leaves_notes_as_they_are_in_json(shop, client_for, alice):
    payload = json.loads(client_for(alice).get(_answers_url(shop.review, "json")).content)

    assert {row["question_id"]: row["notes"] for row in payload["answers"]}["cost_q1"] == "=1+1"


# --- Milestones ---------------------------------------------------------------------------------


@pytest.fixture
def milestone(shop, alice):
    """ "출시 전" taken now; then the review moves on (ops_q1 to no risk, new notes)."""
    milestone = milestone_create(review=shop.review, name="출시 전", user=alice)
    _save(shop.review, alice, "ops_q1", {f"ops_ops_q1_a{n}" for n in range(1, 5)}, notes="done")
    return milestone


def test_it_exports_a_milestone_as_it_was_frozen(shop, milestone, client_for, alice):
    client = client_for(alice, language="ko")

    frozen = _read_csv(client.get(_milestone_url(shop.review, milestone, "csv")))
    now = _read_csv(client.get(_answers_url(shop.review, "csv")))

    assert [row["question_id"] for row in frozen] == QUESTIONS
    assert (frozen[0]["risk"], frozen[0]["selected_choice_ids"], frozen[0]["notes"]) == (
        "MEDIUM_RISK",
        "ops_ops_q1_a1;ops_ops_q1_a2",
        "메모: 로그 **확인**",
    )
    assert frozen[0]["selected_choices"] == f"{OPS_Q1_A1_KO}; {OPS_Q1_A2_KO}"
    assert frozen[0]["question_title"] == OPS_Q1_TITLE_KO
    assert (frozen[0]["updated_by"], frozen[0]["updated_at"]) == (
        "alice",
        timezone.localtime(shop.ops.updated_at).isoformat(),
    )
    assert (now[0]["risk"], now[0]["notes"]) == ("NO_RISK", "done")
    assert frozen[1:] == now[1:]


def test_it_exports_a_milestone_as_json(shop, milestone, client_for, alice):
    payload = json.loads(client_for(alice).get(_milestone_url(shop.review, milestone, "json")).content)

    assert payload["milestone"] == {
        "id": milestone.pk,
        "name": "출시 전",
        "created_at": DjangoJSONEncoder().default(milestone.created_at),
    }
    assert payload["lens"] == {"slug": "serverless", "version": "2019-12"}
    assert payload["answers"][0]["risk"] == "MEDIUM_RISK"


def test_it_names_a_milestone_file_after_the_workload_and_the_milestone(shop, milestone, client_for, alice):
    response = client_for(alice).get(_milestone_url(shop.review, milestone, "csv"))

    filename = f"shop-출시-전-{_today()}.csv"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"


def test_it_answers_404_for_a_milestone_of_another_review(shop, client_for, alice):
    elsewhere = milestone_create(review=shop.depot.reviews.get(), name="Depot 1", user=alice)

    response = client_for(alice).get(_milestone_url(shop.review, elsewhere, "csv"))

    assert response.status_code == 404


# --- Answers as JSON ------------------------------------------------------------------------------


def test_it_exports_a_reviews_answers_as_json(shop, client_for, alice):
    response = client_for(alice, language="ko").get(_answers_url(shop.review, "json"))

    assert response["Content-Type"] == "application/json"
    payload = json.loads(response.content.decode("utf-8"))
    assert set(payload) == {"workload", "review", "lens", "milestone", "answers"}
    assert payload["workload"] == {"id": shop.workload.pk, "name": "Shop"}
    assert (payload["review"], payload["lens"], payload["milestone"]) == (
        shop.review.pk,
        {"slug": "serverless", "version": "2019-12"},
        None,
    )
    assert [row["question_id"] for row in payload["answers"]] == QUESTIONS
    assert payload["answers"][0] == {
        "pillar": "OPS",
        "question_id": "ops_q1",
        "question_label": "OPS 1",
        "question_title": OPS_Q1_TITLE_KO,
        "selected_choice_ids": "ops_ops_q1_a1;ops_ops_q1_a2",
        "selected_choices": f"{OPS_Q1_A1_KO}; {OPS_Q1_A2_KO}",
        "not_applicable_choice_ids": "",
        "not_applicable_choices": "",
        "risk": "MEDIUM_RISK",
        "applicable": True,
        "reason": "",
        "notes": "메모: 로그 **확인**",
        "updated_by": "alice",
        "updated_at": timezone.localtime(shop.ops.updated_at).isoformat(),
    }
    assert OPS_Q1_TITLE_KO.encode() in response.content  # not \u-escaped


def test_it_gives_the_same_rows_in_csv_and_json(shop, client_for, alice):
    client = client_for(alice, language="ko")

    rows = _read_csv(client.get(_answers_url(shop.review, "csv")))
    answers = json.loads(client.get(_answers_url(shop.review, "json")).content)["answers"]

    def as_text(row):
        return {key: str(value) if not isinstance(value, str) else value for key, value in row.items()}

    assert rows[:-1] == [as_text(row) for row in answers][:-1]  # the last (cost_q1) has a defused note


# --- File names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_it_names_the_file_after_the_workload_and_the_date(shop, client_for, alice, fmt):
    response = client_for(alice).get(_answers_url(shop.review, fmt))

    assert response["Content-Disposition"] == f'attachment; filename="shop-answers-{_today()}.{fmt}"'


def test_it_keeps_a_korean_workload_name_in_the_file_name(shop, client_for, alice):
    shop.workload.name = "쇼핑몰 결제"
    shop.workload.save()

    response = client_for(alice).get(_answers_url(shop.review, "csv"))

    filename = f"쇼핑몰-결제-answers-{_today()}.csv"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"


def test_it_dates_the_file_in_the_sites_time_zone(shop, client_for, alice, monkeypatch):
    client = client_for(alice)
    evening_in_utc = datetime.datetime(2026, 1, 1, 20, 0, tzinfo=datetime.UTC)  # already Jan 2 in Seoul
    monkeypatch.setattr(timezone, "now", lambda: evening_in_utc)

    response = client.get(_answers_url(shop.review, "csv"))

    assert settings.TIME_ZONE == "Asia/Seoul"
    assert response["Content-Disposition"] == 'attachment; filename="shop-answers-2026-01-02.csv"'


# --- Consolidated risk counts -------------------------------------------------------------------------


def _consolidated_url(fmt: str, slug: str = "serverless") -> str:
    return reverse("reviewapp:consolidated_export", args=[slug, fmt])


def _counts(row) -> tuple:
    return tuple(int(row[key]) for key in ("high", "medium", "none", "not_applicable", "unanswered", "questions"))


def test_it_exports_risk_counts_per_workload_and_pillar_as_csv(shop, client_for, alice):
    response = client_for(alice, language="ko").get(_consolidated_url("csv"))

    assert _header(response) == CONSOLIDATED_COLUMNS
    rows = _read_csv(response)
    assert [(row["workload"], row["pillar"], row["pillar_name"]) for row in rows] == [
        (name, label, pillar) for name in ("Depot", "Shop") for label, pillar in PILLARS
    ]
    shop_rows = {row["pillar"]: _counts(row) for row in rows if row["workload"] == "Shop"}
    assert shop_rows == {
        "OPS": (0, 1, 0, 0, 1, 2),
        "SEC": (1, 0, 0, 0, 2, 3),
        "REL": (0, 0, 1, 0, 1, 2),
        "PERF": (0, 0, 0, 0, 1, 1),
        "COST": (0, 0, 0, 1, 0, 1),
    }
    depot_rows = {row["pillar"]: _counts(row) for row in rows if row["workload"] == "Depot"}
    assert depot_rows["PERF"] == (1, 0, 0, 0, 0, 1)
    assert sum(counts[0] for counts in depot_rows.values()) == 1
    first = rows[0]
    assert (first["workload_id"], first["environment"], first["review_id"], first["lens"], first["lens_version"]) == (
        str(shop.depot.pk),
        "PREPRODUCTION",
        str(shop.depot.reviews.get().pk),
        "serverless",
        "2019-12",
    )


def test_it_counts_what_the_answers_say(shop, client_for, alice):
    rows = _read_csv(client_for(alice).get(_consolidated_url("csv")))

    shop_rows = [row for row in rows if row["workload"] == "Shop"]
    assert sum(int(row["questions"]) for row in shop_rows) == shop.review.answers.count() == len(QUESTIONS)
    assert sum(int(row["high"]) for row in shop_rows) == shop.review.answers.filter(risk="HIGH_RISK").count()


def test_it_exports_risk_counts_as_json(shop, client_for, alice):
    response = client_for(alice, language="ko").get(_consolidated_url("json"))

    payload = json.loads(_body(response))
    assert payload["lens"] == "serverless"
    assert len(payload["rows"]) == 10
    assert payload["rows"][5] == {
        "workload_id": shop.workload.pk,
        "workload": "Shop",
        "environment": "PRODUCTION",
        "review_id": shop.review.pk,
        "lens": "serverless",
        "lens_version": "2019-12",
        "pillar": "OPS",
        "pillar_name": "운영 우수성",
        "high": 0,
        "medium": 1,
        "none": 0,
        "not_applicable": 0,
        "unanswered": 1,
        "questions": 2,
    }
    assert response["Content-Disposition"] == f'attachment; filename="serverless-risks-{_today()}.json"'


@pytest.mark.parametrize(
    ("persona", "workloads"),
    [("alice", ["Depot", "Shop"]), ("vera", ["Shop"]), ("charlie", ["Zeta"]), ("sam", ["Depot", "Shop", "Zeta"])],
)
def test_it_lists_only_the_workloads_the_user_can_see(shop, client_for, staff, persona, workloads):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=persona)

    rows = _read_csv(client_for(user).get(_consolidated_url("csv")))
    payload = json.loads(_body(client_for(user).get(_consolidated_url("json"))))

    assert sorted({row["workload"] for row in rows}) == workloads
    assert len(rows) == 5 * len(workloads)
    assert sorted({row["workload"] for row in payload["rows"]}) == workloads


def test_it_exports_only_a_header_for_a_user_without_workloads(shop, client_for):
    rows = _read_csv(client_for(make_user("dave")).get(_consolidated_url("csv")))

    assert rows == []


def test_it_answers_404_for_a_lens_that_does_not_exist(shop, client_for, alice):
    assert client_for(alice).get(_consolidated_url("csv", slug="nope")).status_code == 404


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_it_answers_404_to_an_outsider(shop, milestone, client_for, charlie, fmt):
    client = client_for(charlie)

    assert client.get(_answers_url(shop.review, fmt)).status_code == 404
    assert client.get(_milestone_url(shop.review, milestone, fmt)).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_it_lets_a_viewer_export(shop, milestone, client_for, vera, fmt):
    client = client_for(vera)

    assert client.get(_answers_url(shop.review, fmt)).status_code == 200
    assert client.get(_milestone_url(shop.review, milestone, fmt)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [lambda s: _answers_url(s.review, "csv"), lambda s: _consolidated_url("json")],
    ids=["answers", "consolidated"],
)
def test_it_sends_anonymous_visitors_to_the_login_page(shop, client_for, url):
    target = url(shop)

    response = client_for(None).get(target)

    assertRedirects(response, f"{reverse('login')}?next={quote(target)}", fetch_redirect_response=False)


def test_it_answers_405_to_a_post(shop, client_for, alice):
    assert client_for(alice).post(_answers_url(shop.review, "csv")).status_code == 405


# --- Through the API ------------------------------------------------------------------------------


@pytest.fixture
def api_client(client_for):
    def make(user, *, language: str = "ko"):
        _token, key = token_create(user=user, name="export job")
        client = client_for(None, language=language)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        return client

    return make


def test_it_exports_the_same_file_through_the_api(shop, client_for, api_client, alice):
    page = client_for(alice, language="ko").get(_answers_url(shop.review, "csv"))
    api = api_client(alice).get(f"/api/v1/reviews/{shop.review.pk}/export.csv")

    assert api.status_code == 200
    assert api.content == page.content
    assert api["Content-Disposition"] == page["Content-Disposition"]


def test_it_exports_a_milestone_through_the_api(shop, milestone, api_client, alice):
    response = api_client(alice).get(f"/api/v1/reviews/{shop.review.pk}/export.json", {"milestone": milestone.pk})

    payload = json.loads(_body(response))
    assert (payload["milestone"]["name"], payload["answers"][0]["risk"]) == ("출시 전", "MEDIUM_RISK")


def test_it_refuses_a_milestone_parameter_that_is_no_id(shop, api_client, alice):
    response = api_client(alice, language="en").get(f"/api/v1/reviews/{shop.review.pk}/export.csv", {"milestone": "x"})

    assert response.status_code == 400
    assert response.json()["error"] == "milestone: Give a milestone id (a number)."


def test_it_answers_404_to_an_outsider_through_the_api(shop, api_client, charlie):
    response = api_client(charlie).get(f"/api/v1/reviews/{shop.review.pk}/export.csv")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_it_exports_only_the_callers_workloads_through_the_api(shop, api_client, charlie):
    payload = json.loads(_body(api_client(charlie).get("/api/v1/lenses/serverless/risks.json")))

    assert {row["workload"] for row in payload["rows"]} == {"Zeta"}
    assert [row["pillar"] for row in payload["rows"]] == [label for label, _name in PILLARS]
    assert payload["rows"][0]["none"] == 1


def test_it_streams_the_risk_counts_a_chunk_of_reviews_at_a_time(shop, client_for, alice, monkeypatch):
    from reviewapp import exports

    whole = client_for(alice).get(_consolidated_url("csv"))
    whole_json = client_for(alice).get(_consolidated_url("json"))
    monkeypatch.setattr(exports, "CONSOLIDATED_CHUNK", 1)
    chunked = client_for(alice).get(_consolidated_url("csv"))

    assert whole.streaming and whole_json.streaming and chunked.streaming
    assert _body(chunked) == _body(whole)
    rows = list(exports.consolidated_rows(Workload.objects.for_user(alice), "serverless", language="en"))
    assert len(rows) == 10
    assert _body(whole) == to_csv(rows, CONSOLIDATED_COLUMNS)
    assert json.loads(_body(whole_json)) == json.loads(json.dumps({"lens": "serverless", "rows": rows}))
