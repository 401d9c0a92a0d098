"""HTML forms of the party app: shape only (types, lengths, choices); rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import (
    ActivityKind,
    CourseAudience,
    CourseKind,
    DisclosureCategory,
    Gender,
    MemberStatus,
    OrganisationKind,
    PointsEvent,
    Position,
    Sector,
    WishCategory,
)

_DATE = forms.DateInput(attrs={"type": "date"})
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,.heic,.pdf"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class OrganisationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices, initial=Sector.GRID)
    parent = forms.CharField(label=_("Higher organisation (code)"), max_length=40, required=False)
    region = forms.CharField(label=_("Region node (code)"), max_length=32, required=False)
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=_DATE)


class OfficerForm(forms.Form):
    member = forms.IntegerField(label=_("Member"), widget=forms.Select)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    term_start = forms.DateField(label=_("Term starts"), widget=_DATE)
    term_end = forms.DateField(label=_("Term ends (planned)"), required=False, widget=_DATE)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    organisation = forms.CharField(label=_("Party organisation (code)"), max_length=40)
    status = forms.ChoiceField(
        label=_("Member status"), choices=MemberStatus.choices, initial=MemberStatus.FULL
    )
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    joined_on = forms.DateField(label=_("Joined the party on"), required=False, widget=_DATE)
    full_on = forms.DateField(label=_("Became a full member on"), required=False, widget=_DATE)
    grid = forms.CharField(label=_("Grid lived in (code)"), max_length=32, required=False)
    is_in_service = forms.BooleanField(label=_("In-service member"), required=False)
    work_unit = forms.CharField(label=_("Work unit"), max_length=120, required=False)
    is_mobile = forms.BooleanField(label=_("Mobile member"), required=False)
    mobile_note = forms.CharField(label=_("Where the mobile member is"), max_length=120, required=False)
    dues_standard = forms.DecimalField(
        label=_("Monthly dues (yuan)"), max_digits=8, decimal_places=2, required=False, min_value=0
    )
    dues_paid_until = forms.DateField(label=_("Dues paid until"), required=False, widget=_DATE)
    username = forms.CharField(label=_("Login account (username)"), max_length=150, required=False)


class MemberStatusForm(forms.Form):
    is_active = forms.BooleanField(label=_("On the roll"), required=False)


class TransferForm(forms.Form):
    to_organisation = forms.CharField(label=_("To organisation (code)"), max_length=40)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class LinkHouseholdForm(forms.Form):
    household_number = forms.CharField(label=_("Household number"), max_length=40)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only (dry run), do not save"), required=False, initial=True)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject")), ("end", _("End"))]
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RegisterForm(forms.Form):
    community = forms.CharField(label=_("Community where you live (code)"), max_length=32)
    offer = forms.CharField(label=_("Skills and services you offer"), max_length=200, required=False)


class UnitRegisterForm(forms.Form):
    unit = forms.CharField(label=_("Unit's party organisation (code)"), max_length=40)
    community = forms.CharField(label=_("Community (code)"), max_length=32)
    offer = forms.CharField(label=_("Skills and services offered"), max_length=200, required=False)


class TaskForm(forms.Form):
    community = forms.CharField(label=_("Community (code)"), max_length=32)
    title = forms.CharField(label=_("Title"), max_length=80)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.CharField(label=_("Place"), max_length=120, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), required=False, widget=_DATETIME, input_formats=_DATETIME_FORMATS
    )
    hours = forms.DecimalField(label=_("Hours per person"), max_digits=4, decimal_places=1, initial=2)
    slots = forms.IntegerField(label=_("Places"), min_value=1, max_value=200, initial=2)


class FinishTaskForm(forms.Form):
    hours = forms.DecimalField(label=_("Service hours"), max_digits=4, decimal_places=1)
    note = forms.CharField(label=_("What you did"), max_length=300, required=False)


class ConfirmClaimForm(forms.Form):
    hours = forms.DecimalField(label=_("Service hours"), max_digits=4, decimal_places=1, required=False)
    feedback = forms.CharField(label=_("Feedback to the member's unit"), max_length=300, required=False)


class ActivityForm(forms.Form):
    organisation = forms.CharField(label=_("Party organisation (code)"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_DATETIME, input_formats=_DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_DATETIME, input_formats=_DATETIME_FORMATS)
    location = forms.CharField(label=_("Place"), max_length=120, required=False)
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10000, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}))


class PhotosForm(forms.Form):
    photos = MultipleFileField(label=_("Photos"))
    caption = forms.CharField(label=_("Caption"), max_length=120, required=False)


class AttendanceForm(forms.Form):
    members = forms.TypedMultipleChoiceField(label=_("Members who attended"), coerce=int, choices=())

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, m.name) for m in members]


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{6}"}),
    )


class PointsRuleForm(forms.Form):
    organisation = forms.CharField(label=_("Party organisation (code)"), max_length=40, required=False)
    event = forms.ChoiceField(label=_("Event"), choices=PointsEvent.choices)
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=100)
    name = forms.CharField(label=_("Name"), max_length=60, required=False)


class WishForm(forms.Form):
    """A resident's own wish."""

    community = forms.CharField(label=_("Your community (code)"), max_length=32)
    title = forms.CharField(label=_("My wish"), max_length=60)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Kind of wish"), choices=WishCategory.choices)
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ProxyWishForm(WishForm):
    """A worker posts for a resident (代办)."""

    wisher_name = forms.CharField(label=_("Resident's name"), max_length=60)
    wisher_phone = forms.CharField(label=_("Resident's mobile phone"), max_length=20, required=False)
    grid = forms.CharField(label=_("Grid (code)"), max_length=32, required=False)


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve and publish")), ("0", _("Do not accept"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class FulfilForm(forms.Form):
    evidence = forms.CharField(label=_("How it was fulfilled"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos"), required=False)


class FeedbackForm(forms.Form):
    feedback = forms.CharField(label=_("Feedback"), max_length=200, required=False)


class AssignHelpForm(forms.Form):
    member = forms.IntegerField(label=_("Member"), widget=forms.Select)
    note = forms.CharField(label=_("What to help with"), max_length=300, required=False)


class RecordHelpForm(forms.Form):
    contribution = forms.CharField(label=_("Contribution"), widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=_DATE)
    note = forms.CharField(label=_("What was seen"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    needs = forms.CharField(label=_("Needs found"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VisitCaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Describe the problem"), widget=forms.Textarea(attrs={"rows": 3}))


class VisitWishForm(forms.Form):
    title = forms.CharField(label=_("Wish"), max_length=60)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ChoiceField(label=_("Kind of wish"), choices=WishCategory.choices)


class DisclosureForm(forms.Form):
    community = forms.CharField(label=_("Community (code)"), max_length=32)
    category = forms.ChoiceField(label=_("Category"), choices=DisclosureCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(label=_("Attachments (PDF or photos)"), required=False)
    publish = forms.BooleanField(label=_("Publish now"), required=False, initial=True)


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=CourseAudience.choices)
    summary = forms.CharField(label=_("Summary"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    file = forms.FileField(label=_("File (PDF or MP4 video)"), required=False)
