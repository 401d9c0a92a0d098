"""Filter forms of the 三率与考核 pages: the period, the grouping or level, the region limit.

Shape only: the month or the date range, allowed groupings, regions from the user's scope (given by the
view). The page works without JavaScript: every value arrives as a GET parameter and is echoed back.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ValidationFailed

from .rates import month_bounds

GROUP_CHOICES = [
    ("department", _("Department")),
    ("street", _("Street")),
    ("community", _("Community")),
    ("grid", _("Grid")),
]
GROUP_VALUES = tuple(value for value, _label in GROUP_CHOICES)
MAX_PERIOD_DAYS = 731
"""The longest period asked for at once (two years: a year on the page, or a trend)."""
FIRST_YEAR, LAST_YEAR = 2000, 2100
MONTH_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?\s*$")


def check_period(start: date, end: date) -> None:
    """The period's shape: the end not before the start, at most ``MAX_PERIOD_DAYS`` days (page and API)."""
    if end < start:
        raise ValidationFailed({"end": [_("The end date cannot be earlier than the start date.")]})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed({"end": [_("Choose a period of at most two years.")]})


def parse_month(value: str) -> tuple[int, int] | None:
    """ "2026-11" (also 2026/11, 2026年11月) → (2026, 11); None when it is not a month."""
    match = MONTH_PATTERN.match(value or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return year, month


def _region_choices(regions) -> list[tuple[str, str]]:
    indent = {"district": "", "street": "　", "community": "　　"}
    return [("", _("Everything I can see"))] + [
        (r.code, f"{indent.get(r.level, '')}{r.name}") for r in regions
    ]


class RegionLimitMixin:
    """A ``within`` select over the given regions (codes); ``within_region`` is the chosen one or None."""

    def _set_regions(self, regions) -> None:
        self._regions = {r.code: r for r in regions}
        self.fields["within"].choices = _region_choices(regions)

    def clean_within(self):
        code = self.cleaned_data.get("within") or ""
        self.cleaned_data["within_region"] = self._regions.get(code)
        return code


class RatesFilterForm(RegionLimitMixin, forms.Form):
    """三率统计: a month or a date range, grouped by department, street, community or grid."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("month", _("A month")), ("range", _("From – to"))],
        widget=forms.RadioSelect,
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUP_CHOICES)
    within = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_regions(regions)

    def clean(self):
        data = super().clean()
        if data.get("period") == "range":
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", _("Choose the first day of the period."))
            if end is None and "end" not in self.errors:
                self.add_error("end", _("Choose the last day of the period."))
            if start and end:
                try:
                    check_period(start, end)
                except ValidationFailed as exc:
                    for field, problems in exc.fields.items():
                        for problem in problems:
                            self.add_error(field, problem)
                    return data
                data["period_start"], data["period_end"] = start, end
        elif data.get("period") == "month":
            parsed = parse_month(data.get("month", ""))
            if parsed is None:
                self.add_error("month", _("Enter the month as year-month, for example 2026-11."))
            else:
                data["period_start"], data["period_end"] = month_bounds(*parsed)
        return data


class AssessmentForm(RegionLimitMixin, forms.Form):
    """月度考核: one calendar month, ranked by department, street, community or grid."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        choices=[(m, str(m)) for m in range(1, 13)],
        error_messages={"invalid_choice": _("Choose a month from 1 to 12.")},
    )
    level = forms.ChoiceField(label=_("Rank by"), choices=GROUP_CHOICES)
    within = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_regions(regions)


def with_defaults(params, defaults: dict) -> dict:
    """The GET parameters over the defaults, so a bare URL shows the default period."""
    data = dict(defaults)
    data.update({key: value for key, value in params.items() if key in defaults})
    return data
