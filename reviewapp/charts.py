"""Geometry of the server-drawn SVG charts; the SVG markup itself lives in templates."""

from dataclasses import dataclass

from .risk import RISK_CSS_CLASS, RISK_ORDER, RiskCounts

_FILL = {"high": "#d91515", "medium": "#f59e0b", "none": "#1d8102", "na": "#8d99a8", "unanswered": "#e3e6e8"}
_LINE = {"high": "#d91515", "medium": "#d97706"}


@dataclass
class Point:
    x: float
    y: float
    value: int


@dataclass
class Series:
    css: str
    label: str
    points: list[Point]

    @property
    def color(self) -> str:
        return _LINE[self.css]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class TrendChart:
    width: int
    height: int
    left: int
    bottom: int
    top: int
    right: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]

    @property
    def x_axis(self) -> list[tuple[float, str, str]]:
        """``(x, label, text-anchor)``: the first label starts at its point and the last ends at it, so neither
        runs past the chart's edge; a single point's label is centred."""
        if len(self.x_labels) == 1:
            return [(*self.x_labels[0], "middle")]
        last = len(self.x_labels) - 1
        return [
            (x, label, "start" if i == 0 else "end" if i == last else "middle")
            for i, (x, label) in enumerate(self.x_labels)
        ]

    @property
    def tick_x(self) -> int:
        return self.left - 6

    @property
    def label_y(self) -> int:
        return self.bottom + 18

    @property
    def legend(self) -> list[tuple[int, Series]]:
        return [(self.left + 130 * i, series) for i, series in enumerate(self.series)]

    @property
    def legend_y(self) -> int:
        return self.height - 6


def trend_chart(
    points: list[tuple[str, int, int]], *, labels: tuple[str, str], width: int = 640, height: int = 240
) -> TrendChart:
    """High and medium risk counts over time: ``points`` are ``(label, high, medium)`` in order."""
    left, right, top, bottom = 40, width - 16, 16, height - 40
    peak = max([1, *(max(h, m) for _l, h, m in points)])
    step = max(1, -(-peak // 4))  # about four gridlines
    peak = step * -(-peak // step)
    span = max(1, len(points) - 1)

    def x(i: int) -> float:
        return left + (right - left) * (i / span if len(points) > 1 else 0.5)

    def y(v: int) -> float:
        return bottom - (bottom - top) * v / peak

    high = Series("high", labels[0], [Point(x(i), y(h), h) for i, (_l, h, _m) in enumerate(points)])
    medium = Series("medium", labels[1], [Point(x(i), y(m), m) for i, (_l, _h, m) in enumerate(points)])
    return TrendChart(
        width=width,
        height=height,
        left=left,
        bottom=bottom,
        top=top,
        right=right,
        series=[high, medium],
        x_labels=[(x(i), label) for i, (label, _h, _m) in enumerate(points)],
        y_ticks=[(y(v), v) for v in range(0, peak + 1, step)],
    )


@dataclass
class BarSegment:
    x: float
    width: float
    css: str
    value: int

    @property
    def fill(self) -> str:
        return _FILL[self.css]

    @property
    def text_fill(self) -> str:
        return "#16191f" if self.css == "unanswered" else "#ffffff"

    @property
    def text_x(self) -> float:
        return self.x + 6

    @property
    def shows_value(self) -> bool:
        return self.width > 18


@dataclass
class Bar:
    label: str
    y: float
    segments: list[BarSegment]

    @property
    def text_y(self) -> float:
        return self.y + 15


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]


def pillar_bars(rows: list[tuple[str, RiskCounts]], *, width: int = 640, bar_height: int = 22) -> BarChart:
    """One stacked bar per pillar: its questions split by risk, in the usual risk order."""
    label_width, gap = 215, 10  # room for "PERF Performance Efficiency" without cutting it
    usable = width - label_width - 8
    bars = []
    for index, (label, counts) in enumerate(rows):
        total = max(1, counts.total)
        x, segments = float(label_width), []
        for risk in RISK_ORDER:
            value = counts.counts[risk]
            if value:
                w = usable * value / total
                segments.append(BarSegment(x=x, width=w, css=RISK_CSS_CLASS[risk], value=value))
                x += w
        bars.append(Bar(label=label, y=index * (bar_height + gap), segments=segments))
    height = max(1, len(rows)) * (bar_height + gap)
    return BarChart(width=width, height=height, label_width=label_width, bar_height=bar_height, bars=bars)
