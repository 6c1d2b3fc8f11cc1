"""The portfolio of a lens across every workload the user can see, as a page and as CSV or JSON."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..charts import pillar_bars, trend_chart
from ..exports import Download, to_csv, to_json
from ..models import AnswerRisk, ImprovementItem, Workload
from ..portfolio import PORTFOLIO_COLUMNS, Portfolio, portfolio_data, portfolio_of, portfolio_rows


def _portfolio(request: HttpRequest, slug: str) -> Portfolio:
    portfolio = portfolio_of(workloads=Workload.objects.for_user(request.user), slug=slug)
    if portfolio is None:
        raise Http404("No such lens.")
    return portfolio


@require_http_methods(["GET"])
def portfolio_view(request: HttpRequest, slug: str) -> HttpResponse:
    portfolio = _portfolio(request, slug)
    labels = (str(AnswerRisk.HIGH.label), str(AnswerRisk.MEDIUM.label))
    context = {
        "portfolio": portfolio,
        "totals": portfolio.totals,
        "pillar_chart": pillar_bars([(f"{p.short_label} {p.name}", p.counts) for p in portfolio.pillars]),
        "trend_chart": trend_chart(
            [(_("now") if t.label == "now" else t.label, t.high, t.medium) for t in portfolio.trend], labels=labels
        )
        if portfolio.trend
        else None,
        "statuses": [
            (value, label, portfolio.items_by_status.get(value, 0)) for value, label in ImprovementItem.Status.choices
        ],
        "owners": [
            (owner.owner, [owner.by_status.get(value, 0) for value in ImprovementItem.Status.values], owner.total)
            for owner in portfolio.items_by_owner
        ],
    }
    return render(request, "reviewapp/portfolio.html", context)


@require_http_methods(["GET"])
def portfolio_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    portfolio = _portfolio(request, slug)
    body = to_csv(portfolio_rows(portfolio), PORTFOLIO_COLUMNS) if fmt == "csv" else to_json(portfolio_data(portfolio))
    return Download(body, fmt, f"{slug}-portfolio").response()
