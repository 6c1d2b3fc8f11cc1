"""The PDF report (reviewapp/reports.py) and its download view (views/reports.py).

The PDFs of the Serverless Lens review are rendered once for the module (WeasyPrint takes
about half a second each) and read back with poppler's ``pdftotext`` and ``pdfinfo``.
"""

import datetime
import gc
import html
import os
import re
import shutil
import subprocess
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from weasyprint.urls import URLFetcher

from questions.models import Choice, Lens, Pillar, Question
from reviewapp import reports
from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.improvements import improvement_update
from reviewapp.milestones import milestone_create
from reviewapp.models import Answer, ImprovementItem, Role
from reviewapp.progress import review_state
from reviewapp.reports import ReportRequest, StaticOnlyFetcher, render_report_pdf

from ..factories import add_member, make_user, make_workload

PASSWD_LINE = "root:x:0:0"
UNSAFE_NOTES = (
    'Unsafe note <img src="http://169.254.169.254/latest/meta-data/"> and ![x](file:///etc/passwd)\n\n'
    '<link rel=stylesheet href="file:///etc/passwd">\n\n'
    '<iframe src="file:///etc/passwd"></iframe> <object data="http://169.254.169.254/"></object>'
)
MARKDOWN_NOTES = "We rely on **bold** dashboards and *careful* alarms.\n\n- first point\n- second point"
FORBIDDEN = ("169.254.169.254", "/etc/passwd")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is missing: the PDF tests read the report back with it (apt install poppler-utils)")
    return path


def pdf_text(path: Path) -> str:
    result = subprocess.run([_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pdf_page_size(path: Path) -> str:
    result = subprocess.run([_tool("pdfinfo"), str(path)], capture_output=True, check=True, text=True)
    match = re.search(r"^Page size:\s+([\d.]+ x [\d.]+) pts", result.stdout, re.M)
    assert match, result.stdout
    return match.group(1)


def squeeze(text: str) -> str:
    """Text without any whitespace, so lines wrapped anywhere (Korean wraps inside words) still match."""
    return "".join(text.split())


def _save(review, key, choices=(), *, user=None, na=False, reason="", notes=""):
    item = load_bank(review.lens).by_key[key]
    return answer_save(
        review=review,
        item=item,
        user=user,
        state=AnswerState(choices=frozenset(choices), applicable=not na, reason=reason if na else "", notes=notes),
    )


def _counts(counts) -> tuple[int, ...]:
    return (counts.high, counts.medium, counts.none, counts.not_applicable, counts.unanswered, counts.total)


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """The Serverless Lens review's reports, rendered once and read back; the database is rolled back.

    At the milestone "Before launch": ops_q1 high (Markdown notes), ops_q2 medium, sec_q1 high
    (notes full of remote and local references), sec_q2 not applicable (out of scope), rel_q1 no risk.
    After it: ops_q1 no risk with new notes, sec_q1 medium, cost_q1 high, one item in progress.
    """
    folder = tmp_path_factory.mktemp("reports")
    fetched: list[str] = []
    original_fetch = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original_fetch(self, url, headers)

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "serverless_lens", verbosity=0)
        lens = Lens.objects.get(slug="serverless")
        alice, bob = make_user("report-alice"), make_user("report-bob")
        workload = make_workload(alice, name="Serverless Shop", lens=lens)
        add_member(workload, bob, Role.CONTRIBUTOR)
        review = workload.reviews.get()
        _save(review, "ops_q1", ["ops_ops_q1_no"], notes=MARKDOWN_NOTES, user=alice)
        _save(review, "ops_q2", ["ops_ops_q2_a1"], user=alice)
        _save(review, "sec_q1", ["sec_sec_q1_a1"], notes=UNSAFE_NOTES, user=alice)
        _save(review, "sec_q2", [], na=True, reason="OUT_OF_SCOPE", notes="No VPC at all", user=alice)
        _save(review, "rel_q1", ["rel_rel_q1_a1", "rel_rel_q1_a2", "rel_rel_q1_a3"], user=alice)
        milestone = milestone_create(review=review, name="Before launch", user=alice)
        milestone_counts = _counts(review_state(review).counts)
        all_four = ["ops_ops_q1_a1", "ops_ops_q1_a2", "ops_ops_q1_a3", "ops_ops_q1_a4"]
        _save(review, "ops_q1", all_four, notes="Later notes after launch", user=bob)
        _save(review, "sec_q1", ["sec_sec_q1_a3"], notes=UNSAFE_NOTES, user=bob)
        _save(review, "cost_q1", ["cost_cost_q1_no"], user=bob)
        improvement_update(
            review=review,
            choice=load_bank(lens).by_key["cost_q1"].choices_by_key["cost_cost_q1_a2"],
            user=bob,
            status=ImprovementItem.Status.IN_PROGRESS,
            owner=bob,
            due_date=datetime.date(2030, 1, 31),
            note="Ticket COST-7",
        )
        review.refresh_from_db()
        current_counts = _counts(review_state(review).counts)

        requests = {
            "ko": ReportRequest(review=review, milestone=None, language="ko", page_size="a4"),
            "en": ReportRequest(review=review, milestone=None, language="en", page_size="letter"),
            "milestone": ReportRequest(review=review, milestone=milestone, language="en", page_size="a4"),
        }
        result = {"fetched": fetched, "counts": {"current": current_counts, "milestone": milestone_counts}}
        with mock.patch.object(StaticOnlyFetcher, "fetch", spy):
            for name, request in requests.items():
                path = folder / f"{name}.pdf"
                path.write_bytes(render_report_pdf(request))
                text = pdf_text(path)
                result[name] = {"text": text, "flat": squeeze(text), "size": pdf_page_size(path), "path": path}
        titles = {q.key: (q.title_ko, q.title_en) for q in Question.objects.filter(pillar__lens=lens)}
        pillars = {p.key: (p.name_ko, p.name_en) for p in Pillar.objects.filter(lens=lens)}
        result.update(titles=titles, pillars=pillars, lens=(lens.name_ko, lens.name_en))
        result["pillar_labels"] = [
            (p.short_label, p.name_en) for p in Pillar.objects.filter(lens=lens).order_by("order")
        ]
        with translation.override("en"):
            result["choices"] = {
                c.key: (c.question.key, c.title_en, c.get_tier_display())
                for c in Choice.objects.filter(question__pillar__lens=lens).select_related("question")
            }
        result["html"] = reports.render_report_html(requests["en"])
        transaction.set_rollback(True)
    return result


def _cover_counts(text: str, labels: tuple[str, ...]) -> tuple[int, ...]:
    """The five big numbers of the cover, read off the line above their labels."""
    pattern = r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\n\s*" + r"\s+".join(map(re.escape, labels))
    match = re.search(pattern, text, re.M)
    assert match, f"no cover counts above {labels} in:\n{text[:1500]}"
    return tuple(int(n) for n in match.groups())


def _total_row(text: str, word: str) -> tuple[int, ...]:
    match = re.search(rf"^\s*{word}\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", text, re.M)
    assert match, f"no {word} row in the summary"
    return tuple(int(n) for n in match.groups())


EN_LABELS = ("High risk", "Medium risk", "No risk", "Does not apply", "Unanswered")


def gettext_ko(text: str) -> str:
    with translation.override("ko"):
        return gettext(text)


# --- Language --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_writes_the_korean_report_with_korean_titles_and_pillar_names(rendered):
    korean = rendered["ko"]

    assert squeeze("서버리스 API에 대한 액세스를 어떻게 제어합니까?") in korean["flat"]
    for key, (title_ko, title_en) in rendered["titles"].items():
        assert squeeze(title_ko) in korean["flat"], key
        assert squeeze(title_en) not in korean["flat"], key
    for name_ko, _name_en in rendered["pillars"].values():
        assert squeeze(name_ko) in korean["flat"]
    assert "운영 우수성" in korean["text"] and "Operational Excellence" not in korean["text"]
    assert squeeze(rendered["lens"][0]) in korean["flat"]
    with translation.override("ko"):
        for text in ("Improvement plan", "Summary", "High risk", "Current review"):
            assert squeeze(gettext(text)) in korean["flat"], text
    assert "Improvement plan" not in korean["text"]


@pytest.mark.django_db
def test_it_writes_the_english_report_with_english_titles(rendered):
    english = rendered["en"]

    assert squeeze("How do you control access to your Serverless API?") in english["flat"]
    for key, (title_ko, title_en) in rendered["titles"].items():
        assert squeeze(title_en) in english["flat"], key
        assert squeeze(title_ko) not in english["flat"], key
    for _name_ko, name_en in rendered["pillars"].values():
        assert squeeze(name_en) in english["flat"]
    for text in ("WELL-ARCHITECTED REVIEW REPORT", "Improvement plan", "Current review", rendered["lens"][1]):
        assert squeeze(text) in english["flat"], text
    assert not re.search(r"[\uac00-\ud7a3]", english["text"]), "Hangul in the English report"


# --- Content ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_heads_each_page_after_the_cover_with_the_workload_chapter_lens_and_page(rendered):
    pages = rendered["en"]["text"].rstrip("\f").split("\f")
    lens_en = rendered["lens"][1]

    assert "Serverless Shop  ·" not in pages[0] and f"1 / {len(pages)}" not in pages[0]  # the cover stands alone
    assert squeeze("Serverless Shop · Contents") in squeeze(pages[1])
    assert squeeze("Serverless Shop · Improvement plan") in squeeze(rendered["en"]["text"])
    for number, page in enumerate(pages[1:], start=2):
        lines = [line for line in page.splitlines() if line.strip()]
        assert squeeze(lines[0]).startswith(squeeze("Serverless Shop ·")), (number, lines[0])
        footer = squeeze(lines[-1])
        assert footer.startswith(squeeze(lens_en)) and footer.endswith(f"·{number}/{len(pages)}"), (number, footer)


@pytest.mark.django_db
def test_it_puts_the_review_counts_on_the_cover_and_in_the_summary(rendered):
    high, medium, none, na, unanswered, total = rendered["counts"]["current"]
    assert (high, medium, none, na, unanswered, total) == (1, 2, 2, 1, 3, 9)
    ko_labels = tuple(gettext_ko(label) for label in EN_LABELS)

    assert _cover_counts(rendered["en"]["text"], EN_LABELS) == (high, medium, none, na, unanswered)
    assert _cover_counts(rendered["ko"]["text"], ko_labels) == (high, medium, none, na, unanswered)
    assert _total_row(rendered["en"]["text"], "Total") == (high, medium, none, na, unanswered, total)
    assert _total_row(rendered["ko"]["text"], squeeze(gettext_ko("Total"))) == (
        high,
        medium,
        none,
        na,
        unanswered,
        total,
    )


@pytest.mark.django_db
def test_it_renders_notes_as_markdown(rendered):
    for language in ("en", "ko"):
        report = rendered[language]
        assert "Later notes after launch" in report["text"]
        assert "No VPC at all" in report["text"]
        assert "**" not in report["text"]
        assert "*careful*" not in report["text"]
    milestone = rendered["milestone"]
    assert squeeze("We rely on bold dashboards and careful alarms.") in milestone["flat"]
    # a Markdown list: one line per point, without the "-" typed in the notes (markers are up to the stylesheet)
    assert re.search(r"^\s*•?\s*first point\s*\n\s*•?\s*second point\s*$", milestone["text"], re.M)
    assert "- first point" not in milestone["text"]
    assert "**" not in milestone["text"]


@pytest.mark.django_db
def test_it_gives_the_reason_a_question_does_not_apply(rendered):
    assert squeeze("Does not apply: Out of scope") in rendered["en"]["flat"]
    with translation.override("ko"):
        korean = f"{gettext('Does not apply')}: {Answer.Reason.OUT_OF_SCOPE.label}"
    assert squeeze(korean) in rendered["ko"]["flat"]


@pytest.mark.django_db
def test_it_names_the_tier_of_each_missing_practice_under_its_question(rendered):
    missing = {
        key: (title, tier)
        for key, (question, title, tier) in rendered["choices"].items()
        if question == "ops_q2" and key not in ("ops_ops_q2_a1", "ops_ops_q2_no")
    }
    assert len(missing) >= 2

    # Without -layout, pdftotext reads the two columns (followed, missing) one after the other.
    raw = subprocess.run([_tool("pdftotext"), str(rendered["en"]["path"]), "-"], capture_output=True, check=True)
    flat = squeeze(raw.stdout.decode("utf-8"))
    for key, (title, tier) in missing.items():
        assert tier and squeeze(f"{title} · {tier}") in flat, key


@pytest.mark.django_db
def test_it_shows_the_tracking_of_improvement_items(rendered):
    english = rendered["en"]

    assert squeeze("In progress · report-bob · due 2030-01-31") in english["flat"]
    assert _tracking_lines(english["text"])[0].split("·")[0].strip() in ("Required", "Good", "Best")  # tier first
    assert "Ticket COST-7" in english["text"]
    assert squeeze("Optimize logging output and its retention") in english["flat"]


@pytest.mark.django_db
def test_it_writes_a_milestone_report_of_the_milestone_even_after_later_changes(rendered):
    milestone = rendered["milestone"]
    high, medium, none, na, unanswered, total = rendered["counts"]["milestone"]
    assert (high, medium, none, na, unanswered) == (2, 1, 1, 1, 4)

    assert re.search(r"State\s+Milestone “Before launch” of \d{4}-\d{2}-\d{2} \d{2}:\d{2}", milestone["text"])
    assert "Current review" not in milestone["text"]
    assert _cover_counts(milestone["text"], EN_LABELS) == (high, medium, none, na, unanswered)
    assert _total_row(milestone["text"], "Total") == (high, medium, none, na, unanswered, total)
    assert "Later notes after launch" not in milestone["text"]
    assert squeeze("We rely on bold dashboards") in milestone["flat"]
    assert "COST-7" not in milestone["text"]  # items are today's work, not the milestone's
    assert _tracking_lines(rendered["en"]["text"])
    assert not _tracking_lines(milestone["text"])


def _tracking_lines(text: str) -> list[str]:
    """Lines like "Good · Open" or "Required · In progress · bob": a practice's tier and its item's state."""
    return [line for line in text.splitlines() if {part.strip() for part in line.split("·")} & {"Open", "In progress"}]


# --- Paper ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_prints_on_a4_or_letter_paper(rendered):
    assert rendered["ko"]["size"] == "595.276 x 841.89"
    assert rendered["milestone"]["size"] == "595.276 x 841.89"
    assert rendered["en"]["size"] == "612 x 792"


# --- Safety ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_fetches_nothing_a_note_points_at(rendered):
    assert not [url for url in rendered["fetched"] if any(bad in url for bad in FORBIDDEN)]
    assert all(url.startswith(("data:", "file:")) for url in rendered["fetched"])
    html = rendered["html"]
    assert "Unsafe note" in html
    for tag in ("<img", "<link", "<iframe", "<object", *FORBIDDEN):
        assert tag not in html, tag
    for name in ("ko", "en", "milestone"):
        assert "Unsafe note" in rendered[name]["text"]
        assert PASSWD_LINE not in rendered[name]["text"]
        assert "/bin/bash" not in rendered[name]["text"]


def _static_file() -> Path:
    return Path(settings.BASE_DIR) / "static" / "css" / "report.css"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/x.png",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "file:///etc/passwd?static/css/report.css",
        pytest.param(f"file://{Path(settings.BASE_DIR)}/static/../../../../../etc/passwd", id="dotdot"),
        pytest.param(f"file://{Path(settings.BASE_DIR)}/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", id="encoded"),
        pytest.param(f"file://{Path(settings.BASE_DIR)}/config/settings.py", id="app-source"),
    ],
)
def test_it_refuses_to_fetch_anything_but_data_urls_and_static_files(url):
    with pytest.raises(ValueError, match="refused|disallowed"):
        StaticOnlyFetcher().fetch(url)


def test_it_fetches_data_urls_and_static_files():
    fetcher = StaticOnlyFetcher()

    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    response = fetcher.fetch(_static_file().as_uri())
    assert response.read() == _static_file().read_bytes()
    response.close()


def test_it_lets_weasyprint_read_nothing_outside_static_even_from_raw_html(monkeypatch):
    """Even HTML that escaped the Markdown cleaning cannot make the renderer read a file or a URL."""
    hostile = f"""<html><head>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">
      <link rel="stylesheet" href="{_static_file().as_uri()}">
      <style>@import url("file:///etc/passwd"); body {{ background: url("http://169.254.169.254/bg.png"); }}</style>
      </head><body><p>Hostile</p>
      <img src="http://169.254.169.254/latest/meta-data/"><img src="file:///etc/passwd">
      <object data="file:///etc/passwd"></object><iframe src="file:///etc/passwd"></iframe>
      <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
      </body></html>"""
    opened: list[str] = []
    parent_fetch = URLFetcher.fetch

    def record(self, url, headers=None):
        opened.append(url)
        return parent_fetch(self, url, headers)

    monkeypatch.setattr(reports, "render_report_html", lambda request: hostile)
    monkeypatch.setattr(URLFetcher, "fetch", record)

    pdf = render_report_pdf(ReportRequest(review=None, milestone=None, language="en", page_size="a4"))

    assert pdf.startswith(b"%PDF")
    assert not [url for url in opened if any(bad in url for bad in FORBIDDEN)], opened
    assert _static_file().as_uri() in opened  # the fetcher is in use and lets static files through
    assert any(url.startswith("data:image/gif") for url in opened)


def test_it_turns_the_cycle_collector_back_on_after_a_render_even_a_failed_one(monkeypatch):
    """The collector is paused while WeasyPrint works; a worker left without it would only grow."""
    monkeypatch.setattr(reports, "render_report_html", lambda request: "<p>Short</p>")
    assert gc.isenabled()

    assert render_report_pdf(ReportRequest(review=None, milestone=None, language="en", page_size="a4"))
    assert gc.isenabled()

    def broken(*args, **kwargs):
        assert not gc.isenabled()  # paused while rendering
        raise RuntimeError("layout failed")

    monkeypatch.setattr(reports.HTML, "write_pdf", broken)
    with pytest.raises(RuntimeError):
        render_report_pdf(ReportRequest(review=None, milestone=None, language="en", page_size="a4"))
    assert gc.isenabled()


# --- The download view -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def renders(monkeypatch):
    """Counts the real renders behind the view (the cache serves the rest)."""
    calls: list[ReportRequest] = []
    real_render = reports.render_report_pdf

    def counting(request):
        calls.append(request)
        return real_render(request)

    monkeypatch.setattr(reports, "render_report_pdf", counting)
    return calls


def _report_url(review, milestone=None, **params) -> str:
    if milestone is None:
        url = reverse("reviewapp:report", args=[review.pk])
    else:
        url = reverse("reviewapp:milestone_report", args=[review.pk, milestone.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _today() -> str:
    return timezone.localtime().strftime("%Y-%m-%d")


def test_it_downloads_the_review_report_named_after_the_workload_and_today(review, client_for, vera, renders):
    _save(review, "p1_q1", ["p1_q1_no"])

    response = client_for(vera).get(_report_url(review))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="shop-review-{_today()}.pdf"'
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10
    assert response.content.startswith(b"%PDF")
    assert len(renders) == 1


def test_it_names_a_milestone_report_after_the_milestone(review, client_for, alice, renders):
    milestone = milestone_create(review=review, name="Q3 Baseline", user=alice)

    response = client_for(alice).get(_report_url(review, milestone))

    assert response["Content-Disposition"] == f'attachment; filename="shop-q3-baseline-{_today()}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_it_keeps_a_korean_workload_name_in_the_file_name(review, client_for, alice, renders):
    review.workload.name = "쇼핑몰 결제"
    review.workload.save()

    response = client_for(alice).get(_report_url(review))

    filename = f"쇼핑몰-결제-review-{_today()}.pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(filename)}"


def test_it_answers_304_without_a_body_when_the_report_has_not_changed(review, client_for, alice, renders):
    client = client_for(alice)
    first = client.get(_report_url(review))

    again = client.get(_report_url(review), HTTP_IF_NONE_MATCH=first["ETag"])
    among = client.get(_report_url(review), HTTP_IF_NONE_MATCH=f'"other", {first["ETag"]}')

    for response in (again, among):
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == first["ETag"]
    assert len(renders) == 1


def test_it_reads_if_none_match_as_django_does(review, client_for, alice, renders):
    client = client_for(alice)
    first = client.get(_report_url(review))
    weak = "W/" + first["ETag"]

    responses = [
        client.get(_report_url(review), HTTP_IF_NONE_MATCH=header)
        for header in (weak, "*", f'"other",{first["ETag"]}', f'W/"x, y", {weak}')
    ]

    assert [r.status_code for r in responses] == [304, 304, 304, 304]
    assert len(renders) == 1


def test_it_answers_412_to_an_if_match_that_names_another_report(review, client_for, alice, renders):
    client = client_for(alice)
    first = client.get(_report_url(review))

    stale = client.get(_report_url(review), HTTP_IF_MATCH='"another-report"')
    same = client.get(_report_url(review), HTTP_IF_MATCH=first["ETag"])

    assert stale.status_code == 412
    assert stale.content == b""
    assert same.status_code == 200 and same.content.startswith(b"%PDF")
    assert len(renders) == 1


def test_it_serves_the_second_download_from_the_cache(review, client_for, alice, vera, renders):
    first = client_for(alice).get(_report_url(review))

    second = client_for(vera).get(_report_url(review))

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert len(renders) == 1


def test_it_renders_a_new_report_after_an_answer_changes(review, client_for, alice, renders):
    client = client_for(alice)
    first = client.get(_report_url(review))

    _save(review, "p1_q1", ["p1_q1_a1"], notes="A change")
    second = client.get(_report_url(review), HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert second.content.startswith(b"%PDF") and second.content != first.content
    assert len(renders) == 2
    assert renders[1].review.revision == 1


@pytest.mark.parametrize("change", ["item", "workload"])
def test_it_renders_a_new_report_after_an_item_or_the_workload_changes(review, client_for, alice, bob, renders, change):
    _save(review, "p1_q1", ["p1_q1_a1"])
    client = client_for(alice)
    first = client.get(_report_url(review))

    if change == "item":
        client.post(
            reverse("reviewapp:plan_item_update", args=[review.pk, "p1_q1_a2"]),
            {"p1_q1_a2-status": "in_progress", "p1_q1_a2-owner": bob.pk},
        )
    else:
        review.workload.review_owner = "Platform team"
        review.workload.save()
    second = client.get(_report_url(review), HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert len(renders) == 2


def test_it_keeps_a_separate_report_per_language_and_paper(review, client_for, alice, renders):
    client = client_for(alice)

    etags = {
        (lang, size): client.get(_report_url(review, lang=lang, size=size))["ETag"]
        for lang in ("ko", "en")
        for size in ("a4", "letter")
    }

    assert len(set(etags.values())) == 4
    assert [(r.language, r.page_size) for r in renders] == list(etags)


def test_it_uses_the_page_language_and_a4_by_default(review, client_for, alice, renders):
    client_for(alice, language="ko").get(_report_url(review))
    client_for(alice, language="en").get(_report_url(review, lang="xx", size="legal"))

    assert [(r.language, r.page_size) for r in renders] == [("ko", "a4"), ("en", "a4")]


def test_it_keeps_the_milestone_report_while_the_review_moves_on(review, client_for, alice, renders):
    milestone = milestone_create(review=review, name="Frozen", user=alice)
    client = client_for(alice)
    first = client.get(_report_url(review, milestone))

    _save(review, "p1_q1", ["p1_q1_no"])
    second = client.get(_report_url(review, milestone), HTTP_IF_NONE_MATCH=first["ETag"])
    third = client.get(_report_url(review, milestone))

    assert second.status_code == 304
    assert third.content == first.content
    assert len(renders) == 1


def test_it_renders_a_new_milestone_report_after_the_workload_changes(review, client_for, alice, renders):
    milestone = milestone_create(review=review, name="Frozen", user=alice)
    client = client_for(alice)
    first = client.get(_report_url(review, milestone))

    review.workload.name = "Shop renamed"
    review.workload.save()
    second = client.get(_report_url(review, milestone), HTTP_IF_NONE_MATCH=first["ETag"])

    assert second.status_code == 200
    assert second["Content-Disposition"].startswith('attachment; filename="shop-renamed-frozen-')
    assert len(renders) == 2


def test_it_answers_404_for_a_milestone_report_of_another_review(review, client_for, alice, renders):
    other = make_workload(alice, name="Other", lens=review.lens).reviews.get()
    foreign = milestone_create(review=other, name="Theirs", user=alice)

    response = client_for(alice).get(reverse("reviewapp:milestone_report", args=[review.pk, foreign.pk]))

    assert response.status_code == 404
    assert renders == []


# --- Layout: contents, summary, chart ----------------------------------------------------------


def _contents_rows(path: Path) -> list[tuple[str, float, float, str]]:
    """The contents page's lines as ``(title, where the title ends, where the number ends, number)`` in points."""
    result = subprocess.run(
        [_tool("pdftotext"), "-bbox", "-f", "2", "-l", "2", str(path), "-"], capture_output=True, check=True, text=True
    )
    words = [
        (float(y), float(x0), float(x1), html.unescape(text))
        for x0, y, x1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', result.stdout
        )
    ]
    lines: dict[float, list] = {}
    for y, x0, x1, text in words:
        lines.setdefault(round(y), []).append((x0, x1, text))
    rows = []
    for y in sorted(lines):
        line = sorted(lines[y])
        if len(line) > 1 and line[-1][2].isdigit():
            rows.append((" ".join(w[2] for w in line[:-1]), line[-2][1], line[-1][1], line[-1][2]))
    return rows


@pytest.mark.django_db
def test_it_right_aligns_the_page_numbers_of_the_contents(rendered):
    titles = ["Summary", "Improvement plan", *[f"{short} · {name}" for short, name in rendered["pillar_labels"]]]

    rows = {title: row for title, *row in _contents_rows(rendered["en"]["path"])}

    assert all(title in rows for title in titles), rows
    number_ends = [rows[title][1] for title in titles]
    assert max(number_ends) - min(number_ends) < 1, number_ends  # one right edge, to the point
    for title in titles:
        title_end, number_end, _number = rows[title]
        assert number_end - title_end > 150, title  # the number sits at the right, not after its title


@pytest.mark.django_db
def test_it_puts_the_summary_on_the_contents_page(rendered):
    pages = rendered["en"]["text"].split("\f")

    assert "Contents" in pages[1] and re.search(r"^Summary$", pages[1], re.M)
    assert _total_row(pages[1], "Total") == rendered["counts"]["current"]


@pytest.mark.django_db
def test_it_writes_whole_pillar_names_in_the_chart(rendered):
    for short, name in rendered["pillar_labels"]:
        assert f"{short} {name}" in rendered["en"]["text"]
    assert "…" not in rendered["en"]["text"].split("\f")[1]


@pytest.mark.django_db
def test_it_colours_only_counts_above_zero_in_the_summary(rendered):
    html = rendered["html"]

    summary = html[html.index('<table class="counts">') : html.index("</table>", html.index('<table class="counts">'))]
    assert '<td class="high">0</td>' not in summary and '<td class="medium">0</td>' not in summary
    assert '<td class="none">0</td>' not in summary
    assert "<td>0</td>" in summary


def test_it_names_the_letter_paper_size_in_korean(review, client_for, alice):
    response = client_for(alice, language="ko").get(reverse("reviewapp:review_detail", args=[review.pk]))

    assert '<option value="letter">레터</option>' in response.content.decode()


# --- A cache that cannot keep the report -------------------------------------------------------


@pytest.fixture
def file_cache(settings, tmp_path, monkeypatch):
    """The production file cache (no CACHE_URL) in a folder of its own; every request tries it."""
    from reviewapp import cache_guard

    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    settings.CACHES = {  # the default cache replaced; the bank's rendered text stays in local memory
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": folder},
    }
    monkeypatch.setattr(cache_guard, "BACKOFF_SECONDS", 0.0)
    return folder


def _disk_full(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("fault", ["full disk", "read-only folder"])
def test_it_serves_the_report_uncached_and_logs_once_when_the_cache_disk_fails(
    review, client_for, alice, renders, file_cache, monkeypatch, caplog, fault
):
    if fault == "full disk":  # the write of the cached copy fails as on a full disk (ENOSPC)
        from django.core.cache.backends.filebased import FileBasedCache

        monkeypatch.setattr(FileBasedCache, "_write_content", _disk_full)
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes to a read-only folder anyway; the full-disk case covers the failure")
        file_cache.chmod(0o500)
    client = client_for(alice)

    downloads = [client.get(_report_url(review)) for _ in range(3)]

    assert [d.status_code for d in downloads] == [200, 200, 200]
    assert all(d.content.startswith(b"%PDF") for d in downloads)
    assert len(renders) == 1  # the cache kept nothing, but the render's row holds the PDF
    assert not [p for p in file_cache.iterdir() if p.suffix == ".djcache"]
    errors = [r for r in caplog.records if r.name == "reviewapp.cache_guard" and r.levelname == "ERROR"]
    assert len(errors) == 1, [r.getMessage() for r in caplog.records]
    assert "The cache does not answer" in errors[0].getMessage()
