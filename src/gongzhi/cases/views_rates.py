"""三率与考核 pages (HTML + HTMX, thin): the rates table with its 12-month trend, the monthly assessment.

Both need ``cases.view_rates`` and show only the user's scope (the reads in ``selectors_rates`` pass the
user to ``rates.py``, which holds every formula). The filter forms are plain GET forms that work without
JavaScript; htmx swaps the results fragment. Invalid input comes back with Chinese messages next to the
fields and status 422.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.accounts.scoping import require
from gongzhi.core.htmx import render_page_or_fragment
from gongzhi.core.views import page

from .forms_rates import GROUP_CHOICES, AssessmentForm, RatesFilterForm, with_defaults
from .rates import monthly_assessment
from .selectors_rates import last_full_month, rate_regions_for, rates_report, rates_trend, trend_period
from .templatetags.cases_tags import rate_text

PERMISSION = "cases.view_rates"


def _within_path(form) -> str | None:
    region = form.cleaned_data.get("within_region")
    return region.path if region is not None else None


def _group_label(value: str) -> str:
    return str(dict(GROUP_CHOICES).get(value, ""))


def _trend_chart(rows) -> dict:
    """The trend as the chart script reads it: month labels and one series per rate (percent or null)."""

    def series(name: str) -> list[float | None]:
        return [None if getattr(r, name) is None else round(getattr(r, name) * 100, 1) for r in rows]

    return {
        "labels": [r.label for r in rows],
        "series": [
            {"name": _("Response rate"), "data": series("response_rate")},
            {"name": _("Resolution rate"), "data": series("resolution_rate")},
            {"name": _("Satisfaction rate"), "data": series("satisfaction_rate")},
        ],
    }


@page
@require_GET
def rates(request):
    """三率统计: counts and rates per department or region for a month or a date range, with a 合计 row."""
    require(request.user, PERMISSION)
    year, month = last_full_month()
    defaults = {
        "period": "month",
        "month": f"{year}-{month:02d}",
        "start": "",
        "end": "",
        "group_by": "department",
    }
    defaults["within"] = ""
    form = RatesFilterForm(with_defaults(request.GET, defaults), regions=rate_regions_for(request.user))
    context: dict = {"form": form, "tab": "rates"}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        within = _within_path(form)
        start, end = data["period_start"], data["period_end"]
        report = rates_report(
            request.user, period_start=start, period_end=end, group_by=data["group_by"], within_path=within
        )
        trend_start, trend_end = trend_period(end.year, end.month)
        trend = rates_trend(request.user, period_start=trend_start, period_end=trend_end, within_path=within)
        context.update(
            {
                "report": report,
                "period_start": start,
                "period_end": end,
                "group_label": _group_label(data["group_by"]),
                "region": data.get("within_region"),
                "trend": trend,
                "chart": _trend_chart(trend),
            }
        )
    else:
        status = 422
    return render_page_or_fragment(
        request, "cases/rates.html", "cases/partials/_rates_results.html", context, status=status
    )


def _assessment_form(request) -> AssessmentForm:
    year, month = last_full_month()
    defaults = {"year": str(year), "month": str(month), "level": "department", "within": ""}
    return AssessmentForm(with_defaults(request.GET, defaults), regions=rate_regions_for(request.user))


def _assessment_rows(request, form) -> list:
    data = form.cleaned_data
    return monthly_assessment(
        year=data["year"],
        month=data["month"],
        level=data["level"],
        within_path=_within_path(form),
        user=request.user,
    )


@page
@require_GET
def assessment(request):
    """月度考核: the groups of one month ranked by score; groups without data last, without a rank."""
    require(request.user, PERMISSION)
    form = _assessment_form(request)
    context: dict = {"form": form, "tab": "assessment"}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        context.update(
            {
                "rows": _assessment_rows(request, form),
                "year": data["year"],
                "month": data["month"],
                "group_label": _group_label(data["level"]),
                "region": data.get("within_region"),
                "csv_url": f"{reverse('cases:rates_assessment_csv')}?{request.GET.urlencode()}",
            }
        )
    else:
        status = 422
    return render_page_or_fragment(
        request,
        "cases/rates_assessment.html",
        "cases/partials/_assessment_results.html",
        context,
        status=status,
    )


@page
@require_GET
def assessment_csv(request):
    """月度考核 as CSV (UTF-8 with BOM, so Excel shows the Chinese), the same rows as the page."""
    require(request.user, PERMISSION)
    form = _assessment_form(request)
    if not form.is_valid():
        context = {"form": form, "tab": "assessment"}
        return render_page_or_fragment(
            request,
            "cases/rates_assessment.html",
            "cases/partials/_assessment_results.html",
            context,
            status=422,
        )
    data = form.cleaned_data
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Rank"),
            _group_label(data["level"]),
            _("Score"),
            _("Response rate"),
            _("Resolution rate"),
            _("Satisfaction rate"),
            _("Volume (hand-overs + ratings)"),
            _("Hand-overs"),
            _("Signed on time"),
            _("Ratings"),
        ]
    )
    for row in _assessment_rows(request, form):
        writer.writerow(
            [
                row.rank or "",
                row.label,
                "" if row.score is None else f"{row.score:.2f}",
                rate_text(row.response_rate),
                rate_text(row.resolution_rate),
                rate_text(row.satisfaction_rate),
                row.volume,
                row.dispatched,
                row.signed_on_time,
                row.rated,
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = _("assessment-%(year)s-%(month)02d-%(level)s.csv") % {
        "year": data["year"],
        "month": data["month"],
        "level": _group_label(data["level"]),
    }
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
