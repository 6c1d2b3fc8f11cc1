"""The SVG chart geometry (reviewapp/charts.py) and the trend chart on the milestone list page."""

import re
from itertools import pairwise

import pytest
from django.urls import reverse

from reviewapp.answer_state import AnswerState
from reviewapp.answers import answer_save
from reviewapp.bank import load_bank
from reviewapp.charts import pillar_bars, trend_chart
from reviewapp.milestones import milestone_create
from reviewapp.risk import RiskCounts

LABELS = ("High risk", "Medium risk")


def _save(review, key, choices):
    item = load_bank(review.lens).by_key[key]
    answer_save(
        review=review,
        item=item,
        user=None,
        state=AnswerState(choices=frozenset(choices), applicable=True, reason="", notes=""),
    )


# --- trend_chart, without a request ------------------------------------------------------------


def test_it_places_the_points_from_left_to_right_in_the_given_order():
    chart = trend_chart([("M1", 3, 1), ("M2", 5, 2), ("M3", 1, 4), ("Now", 0, 0)], labels=LABELS)

    for series in chart.series:
        xs = [p.x for p in series.points]
        assert xs == sorted(xs) and len(set(xs)) == 4
        assert xs[0] == chart.left and xs[-1] == chart.right
    assert [label for _x, label in chart.x_labels] == ["M1", "M2", "M3", "Now"]
    assert [x for x, _label in chart.x_labels] == [p.x for p in chart.series[0].points]


def test_it_draws_a_higher_count_higher_up():
    chart = trend_chart([("M1", 3, 1), ("M2", 5, 2), ("M3", 1, 4), ("Now", 0, 0)], labels=LABELS)
    high, medium = chart.series

    assert (high.css, high.label, medium.css, medium.label) == ("high", "High risk", "medium", "Medium risk")
    assert [p.value for p in high.points] == [3, 5, 1, 0]
    assert [p.value for p in medium.points] == [1, 2, 4, 0]
    by_value = sorted(high.points + medium.points, key=lambda p: p.value)
    for lower, higher in pairwise(by_value):
        if higher.value > lower.value:
            assert higher.y < lower.y
        else:
            assert higher.y == lower.y
    assert high.points[3].y == chart.bottom  # zero sits on the axis
    assert high.points[1].y >= chart.top  # the peak stays inside the plot


def test_it_starts_the_y_ticks_at_zero_and_covers_the_peak():
    chart = trend_chart([("M1", 7, 2), ("Now", 3, 9)], labels=LABELS)

    values = [value for _y, value in chart.y_ticks]
    assert values[0] == 0
    assert values == sorted(values) and len(values) >= 2
    assert values[-1] >= 9
    assert len({b - a for a, b in pairwise(values)}) == 1  # evenly spaced
    ys = [y for y, _value in chart.y_ticks]
    assert ys[0] == chart.bottom
    assert ys == sorted(ys, reverse=True)
    assert min(ys) >= chart.top


def test_it_matches_the_points_with_the_ticks_of_their_value():
    chart = trend_chart([("M1", 4, 8), ("Now", 0, 2)], labels=LABELS)

    tick_y = {value: y for y, value in chart.y_ticks}
    for point in chart.series[0].points + chart.series[1].points:
        if point.value in tick_y:
            assert point.y == pytest.approx(tick_y[point.value])


def test_it_centres_a_single_point_and_keeps_an_empty_review_on_the_axis():
    chart = trend_chart([("Now", 0, 0)], labels=LABELS)

    point = chart.series[0].points[0]
    assert point.x == pytest.approx((chart.left + chart.right) / 2)
    assert point.y == chart.bottom
    assert [value for _y, value in chart.y_ticks] == [0, 1]


def test_it_writes_each_series_as_an_svg_polyline():
    chart = trend_chart([("M1", 2, 1), ("Now", 0, 1)], labels=LABELS, width=200, height=100)

    high, medium = chart.series
    assert high.polyline == " ".join(f"{p.x:.1f},{p.y:.1f}" for p in high.points)
    assert len(high.polyline.split()) == 2
    assert (high.color, medium.color) == ("#d91515", "#d97706")


# --- pillar_bars, without a request ------------------------------------------------------------


def test_it_splits_each_pillar_bar_by_risk_in_the_usual_order():
    counts = RiskCounts.of(["MEDIUM_RISK", "HIGH_RISK", "UNANSWERED", "HIGH_RISK"])
    chart = pillar_bars([("OPS", counts), ("SEC", RiskCounts.of(["NO_RISK"]))], width=723)

    first, second = chart.bars
    assert [(s.css, s.value) for s in first.segments] == [("high", 2), ("medium", 1), ("unanswered", 1)]
    assert [s.width for s in first.segments] == pytest.approx([250, 125, 125])
    assert first.segments[0].x == chart.label_width
    assert [s.x for s in first.segments] == pytest.approx([215, 465, 590])
    assert [(s.css, s.value, s.width) for s in second.segments] == [("none", 1, 500)]
    assert second.y > first.y


# --- The trend chart on the milestone list page ------------------------------------------------


def _trend_svg(response) -> str:
    match = re.search(r'<svg class="chart trend".*?</svg>', response.content.decode(), re.S)
    assert match, "the milestone list page has no trend chart"
    return match.group(0)


def test_it_draws_one_circle_per_milestone_and_now_for_each_series(review, client_for, alice):
    _save(review, "p1_q1", ["p1_q1_no"])
    milestone_create(review=review, name="First", user=alice)  # 1 high
    _save(review, "p1_q2", ["p1_q2_a1"])
    milestone_create(review=review, name="Second", user=alice)  # 1 high, 1 medium
    _save(review, "p2_q1", ["p2_q1_no"])
    _save(review, "p2_q2", ["p2_q2_no"])  # now: 3 high, 1 medium

    response = client_for(alice).get(reverse("reviewapp:milestone_list", args=[review.pk]))

    svg = _trend_svg(response)
    titles = re.findall(r"<circle [^>]*><title>([^<]+)</title></circle>", svg)
    assert titles == [
        "High risk: 1",
        "High risk: 1",
        "High risk: 3",
        "Medium risk: 0",
        "Medium risk: 1",
        "Medium risk: 1",
    ]
    assert svg.count("<circle") == 6
    assert svg.count("<polyline") == 2
    assert re.findall(r'text-anchor="(?:start|middle|end)" font-size="11" fill="#5f6b7a">([^<]+)</text>', svg) == [
        "First",
        "Second",
        "Now",
    ]
    assert "<script" not in svg.lower()


def test_it_draws_only_now_when_there_is_no_milestone(review, client_for, vera):
    _save(review, "p1_q1", ["p1_q1_a1"])

    response = client_for(vera).get(reverse("reviewapp:milestone_list", args=[review.pk]))

    svg = _trend_svg(response)
    assert re.findall(r"<circle [^>]*><title>([^<]+)</title>", svg) == ["High risk: 0", "Medium risk: 1"]


def test_it_escapes_milestone_names_in_the_chart(review, client_for, alice):
    milestone_create(review=review, name='<script>alert("x")</script>', user=alice)

    response = client_for(alice).get(reverse("reviewapp:milestone_list", args=[review.pk]))

    svg = _trend_svg(response)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


def test_it_anchors_the_first_label_at_its_start_and_the_last_at_its_end_so_neither_is_clipped():
    chart = trend_chart([("Baseline workshop", 3, 1), ("Second", 5, 2), ("Now", 0, 0)], labels=LABELS)

    assert [anchor for _x, _label, anchor in chart.x_axis] == ["start", "middle", "end"]
    assert [label for _x, label, _anchor in chart.x_axis] == ["Baseline workshop", "Second", "Now"]
    assert trend_chart([("Now", 1, 1)], labels=LABELS).x_axis[0][2] == "middle"


def test_it_names_the_chart_in_the_readers_language(review, client_for, alice):
    milestone_create(review=review, name="1차", user=alice)

    response = client_for(alice, language="ko").get(reverse("reviewapp:milestone_list", args=[review.pk]))

    html = response.content.decode()
    assert 'aria-label="마일스톤별 높은 위험과 중간 위험"' in html
    assert "<title>마일스톤별 높은 위험과 중간 위험</title>" in html
    assert 'text-anchor="start" font-size="11" fill="#5f6b7a">1차</text>' in html


def test_it_compares_the_latest_milestone_with_now_by_default(review, client_for, alice):
    milestone_create(review=review, name="First", user=alice)
    latest = milestone_create(review=review, name="Second", user=alice)

    response = client_for(alice).get(reverse("reviewapp:milestone_list", args=[review.pk]))

    form = response.context["compare_form"]
    assert (form["before"].value(), form["after"].value()) == (str(latest.pk), "current")
    assert re.search(rf'<option value="{latest.pk}" selected>Second</option>', response.content.decode())
