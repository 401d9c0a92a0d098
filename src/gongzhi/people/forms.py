"""HTML forms of the base-data registry: shape only (types, lengths, choices); rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Gender, ResidenceKind, ResidentStatus


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    residence_kind = forms.ChoiceField(
        label=_("Population type"), choices=ResidenceKind.choices, initial=ResidenceKind.REGISTERED
    )
    building_code = forms.CharField(label=_("Building code"), max_length=40, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    grid = forms.CharField(
        label=_("Grid code"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"list": "grid-codes"}),
    )
    household_number = forms.CharField(label=_("Household number"), max_length=40, required=False)
    relation_to_head = forms.CharField(label=_("Relation to head"), max_length=20, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ResidentStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class TagForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=40)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    is_sensitive = forms.BooleanField(label=_("Sensitive"), required=False)


class TagEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    is_sensitive = forms.BooleanField(label=_("Sensitive"), required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False)


class HouseholdForm(forms.Form):
    number = forms.CharField(label=_("Household number"), max_length=40)
    building_code = forms.CharField(label=_("Building code"), max_length=40, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    grid = forms.CharField(
        label=_("Grid code"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"list": "grid-codes"}),
    )


class ImportForm(forms.Form):
    KIND_CHOICES = [
        ("residents", _("Residents")),
        ("houses", _("Houses")),
        ("organisations", _("Organisations")),
    ]

    kind = forms.ChoiceField(label=_("What to import"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only (dry run), do not save"), required=False, initial=True)
    mapping = forms.CharField(
        label=_("Column mapping (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: field=header in your file, for example 身份证号=证件号码."),
    )

    def clean_mapping(self) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for line in (self.cleaned_data.get("mapping") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            if "=" not in line:
                raise forms.ValidationError(_("Write each mapping as field=header."))
            key, header = line.split("=", 1)
            mapping[key.strip()] = header.strip()
        return mapping
