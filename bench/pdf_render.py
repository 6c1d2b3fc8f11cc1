"""PDF report timings: the Serverless Lens fully answered, and a synthetic 60-question lens with long notes.

Run by `make bench` inside scripts/with-postgres.sh. The process starts as a web worker does
(``reports.warm_up()`` and ``gc.freeze()``, as in reviewapp/wsgi.py). For each report: its first
render (cold: nothing of this review cached or computed before), then uncached renders, then the
cached download through the real view (cache hit, no If-None-Match).
Appends a Markdown table to docs/benchmarks.md.
"""

import gc
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update(
    DEBUG="false",
    SECRET_KEY="bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    ALLOWED_HOSTS="testserver",
    SECURE_SSL_REDIRECT="false",
    TRUSTED_PROXY_COUNT="0",
    DJANGO_SETTINGS_MODULE="config.settings",
)
import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from questions.models import Choice, Lens, Pillar, Question, RiskRule  # noqa: E402
from reviewapp.answer_state import AnswerState  # noqa: E402
from reviewapp.answers import answer_save  # noqa: E402
from reviewapp.bank import load_bank  # noqa: E402
from reviewapp.reports import ReportRequest, render_report_pdf, warm_up  # noqa: E402
from reviewapp.workloads import workload_create  # noqa: E402

NOTE = (
    "During the workshop the team walked through **{label}** in detail. Current state: the service uses "
    "API Gateway with Lambda integrations, DynamoDB on-demand tables and Step Functions for the booking saga.\n\n"
    "- Alarms exist for errors but not for throttles or iterator age\n- Dashboards are per team, not per workload\n"
    "- Runbooks live in the wiki and are out of date\n\nFollow-up: owner to draft a plan before the next milestone; "
    "see the improvement items. 서버리스 워크로드의 상태를 파악하기 위해 지표와 경보를 정비합니다."
)


def synthetic_lens(questions: int = 60, pillars: int = 6, choices: int = 5) -> Lens:
    lens, _ = Lens.objects.get_or_create(
        slug="synthetic", version="1", defaults={"name_en": "Synthetic lens", "name_ko": "합성 렌즈"}
    )
    if lens.pillars.exists():
        return lens
    per = questions // pillars
    for p in range(pillars):
        pillar = Pillar.objects.create(
            lens=lens, key=f"p{p}", short_label=f"P{p}", name_en=f"Pillar {p}", name_ko=f"원칙 {p}", order=p
        )
        for q in range(per):
            key = f"p{p}_q{q}"
            question = Question.objects.create(
                pillar=pillar,
                key=key,
                label=f"P{p} {q + 1}",
                order=q,
                title_en=f"How do you handle concern {p}.{q} of your workload in production?",
                title_ko=f"프로덕션에서 워크로드의 관심사 {p}.{q}를 어떻게 처리합니까?",
                description_en="A question of the synthetic benchmark lens.",
                description_ko="벤치마크용 질문입니다.",
            )
            keys = []
            for c in range(choices):
                keys.append(f"{key}_a{c}")
                Choice.objects.create(
                    question=question,
                    key=f"{key}_a{c}",
                    order=c,
                    tier="required" if c == 0 else "good",
                    title_en=f"Practice {c} for concern {p}.{q}",
                    title_ko=f"관심사 {p}.{q}의 모범 사례 {c}",
                    improvement_plan_en="- Step one of the plan\n- Step two with *detail*\n- Step three",
                    improvement_plan_ko="- 계획의 첫 단계\n- *세부 사항*이 있는 두 번째 단계\n- 세 번째 단계",
                    improvement_plan_url="https://docs.aws.amazon.com/wellarchitected/",
                )
            Choice.objects.create(
                question=question,
                key=f"{key}_no",
                order=99,
                is_none=True,
                title_en="None of these",
                title_ko="해당 사항 없음",
            )
            rules = [(" && ".join(keys), "NO_RISK"), (keys[0], "MEDIUM_RISK"), ("default", "HIGH_RISK")]
            for order, (condition, risk) in enumerate(rules, 1):
                RiskRule.objects.create(question=question, order=order, condition=condition, risk=risk)
    return lens


def answered_review(lens: Lens, user, name: str):
    workload = workload_create(
        user=user, lenses=[lens], name=name, description="bench", review_owner="Bench team", regions=["ap-northeast-2"]
    )
    review = workload.reviews.get()
    for index, item in enumerate(load_bank(lens).questions):
        practices = [c.key for c in item.choices if not c.is_none]
        picked = practices if index % 3 == 0 else practices[: 1 + index % 2] if index % 3 == 1 else practices[1:2]
        answer_save(
            review=review,
            item=item,
            user=user,
            state=AnswerState(
                choices=frozenset(picked), applicable=True, reason="", notes=NOTE.format(label=item.question.label)
            ),
        )
    return review


def _page_count(pdf: bytes) -> int:
    """Pages of a PDF, read by pdfinfo (poppler-utils); 0 when pdfinfo is missing."""
    try:
        out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return 0
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(match.group(1)) if match else 0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("loaddata", "serverless_lens", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True})
    serverless = Lens.objects.get(slug="serverless")
    cases = [
        ("Serverless Lens (9 questions), ko", answered_review(serverless, user, "Bench serverless"), "ko"),
        ("Synthetic lens (60 questions, long notes), ko", answered_review(synthetic_lens(), user, "Bench 60"), "ko"),
        ("Synthetic lens (60 questions, long notes), en", None, "en"),
    ]
    cases[2] = (cases[2][0], cases[1][1], "en")
    client = Client()
    client.force_login(user)
    warm_up()  # what reviewapp/wsgi.py does when a worker starts
    gc.freeze()
    rows = []
    for name, review, language in cases:
        request = ReportRequest(review=review, milestone=None, language=language, page_size="a4")
        start = time.perf_counter()
        pdf = render_report_pdf(request)
        cold = time.perf_counter() - start
        warm = []
        for _ in range(5):
            start = time.perf_counter()
            render_report_pdf(request)
            warm.append(time.perf_counter() - start)
        cache.clear()
        url = reverse("reviewapp:report", args=[review.pk]) + f"?lang={language}"
        client.get(url)  # fills the cache
        cached = []
        for _ in range(50):
            start = time.perf_counter()
            response = client.get(url)
            cached.append(time.perf_counter() - start)
            assert response.status_code == 200
        pages = _page_count(pdf)
        rows.append(
            f"| {name} | {pages} | {len(pdf) // 1024} | {ms(cold)} "
            f"| {ms(statistics.median(warm))} | {statistics.median(cached) * 1000:.1f} |"
        )
    table = "\n".join(
        [
            "| report | pages | KiB | cold ms | uncached ms (median of 5) | cached download ms (median of 50) |",
            "|---|---|---|---|---|---|",
            *rows,
        ]
    )
    report = (
        f"\n## PDF report ({date.today().isoformat()}, {os.cpu_count()} cores)\n\n"
        f"WeasyPrint, NanumGothic with HarfBuzz subsetting, A4, Python {platform.python_version()} "
        f"({sys.executable}); `bench/pdf_render.py`. The process starts as a web worker does (warm-up, "
        "`gc.freeze()`). Cold is a report's first render; uncached renders skip the cache; cached downloads "
        "go through the view with the report in the cache (access check, ETag, cache read).\n\n"
        f"{table}\n"
    )
    print(report)
    with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as fh:
        fh.write(report)


if __name__ == "__main__":
    main()
