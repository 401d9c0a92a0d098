"""HTML forms of the insights app: shape only (types, lengths, choices); rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ProblemStatus


class AlertActionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProactiveForm(forms.Form):
    key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    days = forms.IntegerField(min_value=1, max_value=90, widget=forms.HiddenInput)


class MonthlyProblemForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "month"})
    )
    title = forms.CharField(label=_("Title"), min_length=2, max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    lead_department = forms.ChoiceField(label=_("Lead department"), required=False)
    source_case_ids = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)

    def __init__(self, *args, regions=(), departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, r.name) for r in regions]
        self.fields["lead_department"].choices = [("", "—")] + [(str(d.pk), d.name) for d in departments]

    def clean_source_case_ids(self) -> list[int]:
        raw = self.cleaned_data.get("source_case_ids") or ""
        try:
            ids = sorted({int(part) for part in raw.replace("，", ",").split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError(_("This value is not valid.")) from None
        if any(not 0 < pk < 2**63 for pk in ids):  # beyond any database key: a tampered form
            raise forms.ValidationError(_("This value is not valid."))
        return ids


class ProblemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ProblemStatus.choices)
    note = forms.CharField(
        label=_("Progress note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
