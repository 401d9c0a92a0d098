"""HTML forms of the 事项配置 pages: category edit and import, duty rules, calendar days and seeding.

Shape only (types, ranges the database accepts, allowed values); the catalog services check the rules.
A blank deadline means "not set here" (the parent's, or the platform default, applies).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CalendarDayKind

MAX_IMPORT_BYTES = 5 * 1024 * 1024
IMPORT_TYPES = (".csv", ".xlsx", ".txt")


def _hours(label) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=1, max_value=720)


class DeadlineFields(forms.Form):
    sign_hours = _hours(_("Sign within (hours)"))
    contact_hours = _hours(_("Contact the reporter within (hours)"))
    resolve_days = forms.IntegerField(
        label=_("Resolve within (working days)"), required=False, min_value=1, max_value=365
    )


class CategoryForm(DeadlineFields):
    """修改分类: keywords, the three limits (blank = inherit) and the active flag."""

    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=2000,
        help_text=_("Separate words with spaces or commas."),
        widget=forms.TextInput(),
    )
    is_active = forms.BooleanField(label=_("In use"), required=False)


class CategoryImportForm(forms.Form):
    """导入分类: an Excel (.xlsx) or CSV file with the columns 一级分类, 二级分类, 三级分类 [, 关键词]."""

    file = forms.FileField(label=_("Excel or CSV file"))
    dry_run = forms.BooleanField(label=_("Only check, do not import"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file must be smaller than 5 MB."), code="too_large")
        if not upload.name.lower().endswith(IMPORT_TYPES):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV file."), code="bad_type")
        return upload


class DutyRuleForm(DeadlineFields):
    """新增/修改职责清单条目. Category and region are fixed once a rule exists (``editing=True``)."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=None, required=False, empty_label=_("Whole district")
    )
    lead_department = forms.ModelChoiceField(label=_("Lead department"), queryset=None)
    assisting = forms.ModelMultipleChoiceField(
        label=_("Assisting departments"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    auto_dispatch = forms.BooleanField(label=_("Dispatch automatically"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    def __init__(self, *args, categories, regions, departments, editing=False, whole_district=True, **kw):
        super().__init__(*args, **kw)
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: f"{'　' * (c.level - 1)}{c.name}"
        self.fields["region"].queryset = regions
        self.fields["region"].label_from_instance = lambda r: r.name
        self.fields["lead_department"].queryset = departments
        self.fields["assisting"].queryset = departments
        if not whole_district:
            self.fields["region"].required = True
            self.fields["region"].empty_label = None
        if editing:
            del self.fields["category"]
            del self.fields["region"]
        else:
            del self.fields["reason"]


class DeactivateRuleForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput())


class CalendarDayForm(forms.Form):
    """修改工作日历: one date made a holiday, a 调休 working day or a normal day."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Set to"), choices=CalendarDayKind.choices)
    name = forms.CharField(
        label=_("Day name"), required=False, max_length=40, help_text=_("For example 国庆节 or 春节调休.")
    )


class SeedYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2004, max_value=2100)
