"""HTML forms of the cases UI: intake (resident report, staff proxy submission) and one form per command.

Forms check shape only (required, length, allowed values, file count). Business rules stay in the
services; the views pass ``cleaned_data`` to one service and show its ``DomainError`` next to the form.
``ACTIONS`` lists the commands of the actions panel with the permission each needs, so a page offers
only what ``workflow.allowed_commands`` and the viewer's permissions allow (the service checks again).

Reads the pages need live in ``selectors`` (re-exported here for the views); this module keeps only the
category-choice check and the public-lookup rate limit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.scoping import permissions_of, scope_of
from gongzhi.accounts.selectors import departments_for_dispatch
from gongzhi.core.errors import ValidationFailed
from gongzhi.core.widgets import FastSelect, FastSelectMultiple

from . import workflow
from .choices import Rating, Urgency
from .models import Category
from .selectors import acting_department_ids, active_categories, extension_is_pending, has_pending_summons

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "image/gif")


# -------------------------------------------------------------------------------------------- widgets


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Zero to ``MAX_PHOTOS`` images (re-encoded and stripped of EXIF by the intake service)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(_("Please add at least one photo."), code="required")
            return []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("You can add at most %(count)s photos."), code="too_many", params={"count": MAX_PHOTOS}
            )
        for item in files:
            if item.size > MAX_PHOTO_BYTES:
                raise forms.ValidationError(_("Each photo must be smaller than 10 MB."), code="too_large")
            content_type = (getattr(item, "content_type", "") or "").lower()
            if content_type and content_type not in PHOTO_TYPES:
                raise forms.ValidationError(_("Only photos can be uploaded here."), code="not_image")
        return files


def _text(rows: int = 3, placeholder=None) -> forms.Textarea:
    attrs = {"rows": rows}
    if placeholder is not None:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


# ---------------------------------------------------------------------------------------- shared reads


def category_by_id(pk: int | str, *, field: str = "category") -> Category:
    """The active category ``pk``, or ``ValidationFailed`` naming ``field``."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        number = 0
    category = active_categories().filter(pk=number).first() if 0 < number < 2**63 else None
    if category is None:
        raise ValidationFailed({field: str(_("This category does not exist or is no longer in use."))})
    return category


# (key prefix, attempts, window in seconds): 4 digits are guessable, so lookups are rate-limited both per
# client address and per case number (the HTML page and the API share the counters).
LOOKUP_LIMITS = (("ip", 20, 600), ("number", 10, 3600))


def lookup_allowed(*, client: str, number: str) -> bool:
    """Count one public lookup attempt; False once the client or the case number used up its attempts."""
    allowed = True
    for kind, limit, window in LOOKUP_LIMITS:
        key = f"cases:lookup:{kind}:{client if kind == 'ip' else number}"
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        allowed = allowed and count <= limit
    return allowed


# --------------------------------------------------------------------------------------------- intake


class LocationMixin(forms.Form):
    """Address text alone is enough; the optional map fills ``lat``/``lng``."""

    address = forms.CharField(
        label=_("Where is it?"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. No. 3 Xingfu Road, at the east gate")}),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        has_point = data.get("lat") is not None and data.get("lng") is not None
        if not (data.get("address") or "").strip() and not has_point:
            self.add_error("address", _("Please tell us where it is, or pick the place on the map."))
        return data


class ReportForm(LocationMixin):
    """居民上报: a resident reports a problem from a phone (title, what happened, where, photos)."""

    title = forms.CharField(
        label=_("What is the problem?"),
        min_length=2,
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Street stalls block the gate")}),
    )
    description = forms.CharField(
        label=_("Please describe it"),
        min_length=5,
        max_length=5000,
        widget=_text(5, _("What happened, since when, how it affects you")),
    )
    photos = MultiplePhotoField(label=_("Photos (optional)"))
    anonymous = forms.BooleanField(label=_("Do not show my name to the handlers"), required=False)
    confidential = forms.BooleanField(label=_("Keep my identity confidential"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    field_order = ["title", "description", "address", "lat", "lng", "photos", "anonymous", "confidential"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class ProxyForm(LocationMixin):
    """代办: staff submit a case for a resident without a smartphone (at the desk, by phone, on patrol)."""

    CHANNELS = (("walk_in", _("Walk-in")), ("hotline", _("12345 hotline")), ("patrol", _("Grid patrol")))

    channel = forms.ChoiceField(
        label=_("How did the resident reach us?"), choices=CHANNELS, initial="walk_in"
    )
    reporter_name = forms.CharField(label=_("Resident's name"), max_length=60)
    reporter_phone = forms.CharField(
        label=_("Resident's phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    resident_username = forms.CharField(
        label=_("Resident's account (optional)"),
        max_length=150,
        required=False,
        help_text=_("Link the case to the resident's account so they can follow it."),
    )
    title = forms.CharField(label=_("What is the problem?"), min_length=2, max_length=120)
    description = forms.CharField(
        label=_("What the resident said"), min_length=5, max_length=5000, widget=_text(5)
    )
    category = forms.ModelChoiceField(
        label=_("Category (optional)"),
        queryset=None,
        required=False,
        widget=FastSelect,
        help_text=_(
            "When you are sure of the category, the case may go to the department on the duty list at once."
        ),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    photos = MultiplePhotoField(label=_("Photos (optional)"))
    confidential = forms.BooleanField(label=_("Keep the resident's identity confidential"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    field_order = [
        "channel",
        "reporter_name",
        "reporter_phone",
        "resident_username",
        "title",
        "description",
        "category",
        "address",
        "lat",
        "lng",
        "urgency",
        "photos",
        "confidential",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = active_categories()
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class LookupForm(forms.Form):
    """Public progress lookup: case number and the last 4 digits of the phone used to report."""

    number = forms.CharField(
        label=_("Case number"), max_length=20, widget=forms.TextInput(attrs={"autocapitalize": "characters"})
    )
    phone_tail = forms.RegexField(
        label=_("Last 4 digits of your phone"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Enter the last 4 digits of your phone.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}),
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()


# ------------------------------------------------------------------------------------------- commands


class ActionForm(forms.Form):
    """Base of every command form: the version the user saw (a stale one gives a clear conflict)."""

    expected_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, case=None, user=None, **kwargs):
        self.case = case
        self.user = user
        super().__init__(*args, **kwargs)
        if case is not None and not self.is_bound:
            self.initial.setdefault("expected_version", case.version)


class EmptyActionForm(ActionForm):
    pass


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=1000, widget=_text(2))


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Note"), min_length=2, max_length=2000, widget=_text(2))


class ChoiceRows:
    """The options of the department and category selects, read once for all the forms of a page (the
    workbench renders a dispatch and a reassign form per case). Validation still goes to the queryset."""

    def __init__(self) -> None:
        self._rows: dict[str, list] = {}

    def fill(self, field: forms.ModelChoiceField, name: str, queryset) -> None:
        if name not in self._rows:
            self._rows[name] = list(queryset)
        field.queryset = queryset
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        field.choices = [*empty, *((row.pk, field.label_from_instance(row)) for row in self._rows[name])]


class DispatchForm(ActionForm):
    department = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=None,
        error_messages={"required": _("Please choose the lead department.")},
        widget=FastSelect,
    )
    assisting = forms.ModelMultipleChoiceField(
        label=_("Assisting departments"), queryset=None, required=False, widget=FastSelectMultiple
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False, widget=FastSelect)

    field_order = ["category", "department", "assisting"]

    def __init__(
        self,
        *args,
        suggested_department_id: int | None = None,
        suggested_category_id: int | None = None,
        rows: ChoiceRows | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        rows = rows or ChoiceRows()
        departments = departments_for_dispatch()
        rows.fill(self.fields["department"], "departments", departments)
        rows.fill(self.fields["assisting"], "departments", departments)
        rows.fill(self.fields["category"], "categories", active_categories())
        if not self.is_bound:
            if suggested_department_id:
                self.initial["department"] = suggested_department_id
            self.initial["category"] = self.case.category_id or suggested_category_id


class ReassignForm(ReasonForm):
    department = forms.ModelChoiceField(
        label=_("New lead department"),
        queryset=None,
        error_messages={"required": _("Please choose the lead department.")},
        widget=FastSelect,
    )

    field_order = ["department", "reason"]

    def __init__(self, *args, rows: ChoiceRows | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        (rows or ChoiceRows()).fill(self.fields["department"], "departments", departments_for_dispatch())


class ExtensionForm(ActionForm):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=30, initial=3)
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=1000, widget=_text(2))


YES_NO = (("yes", _("Approve")), ("no", _("Deny")))
REVIEW_CHOICES = (("yes", _("Approve the result")), ("no", _("Send back for more work")))


class DecideExtensionForm(ActionForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=YES_NO, widget=forms.RadioSelect, initial="yes")
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=_text(2))


class HandleForm(NoteForm):
    photos = MultiplePhotoField(label=_("Photos on site (before handling)"))


class ResolveForm(ActionForm):
    reply = forms.CharField(
        label=_("Reply to the resident"),
        min_length=5,
        max_length=5000,
        widget=_text(4, _("What was done and the result, in plain words")),
    )
    photos = MultiplePhotoField(label=_("Photos after handling (optional)"))


class ReviewForm(ActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=REVIEW_CHOICES, widget=forms.RadioSelect, initial="yes"
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=_text(2))


class RateForm(ActionForm):
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how satisfied you are.")},
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=1000, required=False, widget=_text(2))
    # 问题是否实际解决: asked on follow-up calls; when not asked, the rating decides (docs/formulas.md)
    resolved_in_fact = forms.TypedChoiceField(
        label=_("Has the problem actually been solved?"),
        choices=[("", _("No answer")), ("yes", _("Yes, solved")), ("no", _("No, not solved"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class UrgeForm(ActionForm):
    note = forms.CharField(
        label=_("Note"),
        min_length=2,
        max_length=2000,
        widget=_text(2),
        initial=_("Please handle this case quickly; it is close to or past its deadline."),
    )


class MergeForm(ActionForm):
    master_number = forms.CharField(label=_("Merge into case number"), max_length=20)
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, initial=_("Same problem reported again.")
    )

    def __init__(self, *args, suggested_master=None, **kwargs):
        super().__init__(*args, **kwargs)
        if suggested_master is not None and not self.is_bound:
            self.initial["master_number"] = suggested_master.number

    def clean_master_number(self) -> str:
        return self.cleaned_data["master_number"].strip().upper()


class SummonForm(ActionForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments to summon"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=1000, widget=_text(2))
    report_within_hours = forms.IntegerField(
        label=_("Report in within (hours)"), min_value=1, max_value=168, initial=24
    )
    meeting_place = forms.CharField(label=_("Meeting place"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments_for_dispatch()


class ReportInForm(ActionForm):
    summon = forms.TypedChoiceField(label=_("Summons"), coerce=int, choices=())
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=_text(2))

    def __init__(self, *args, summons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summon"].choices = [
            (s.pk, f"{timezone.localtime(s.at):%Y-%m-%d %H:%M} {s.reason[:30]}") for s in summons
        ]


@dataclass(frozen=True)
class ActionSpec:
    """One command of the actions panel: its form, the workflow commands behind it, who may use it."""

    name: str
    label: object
    form: type[ActionForm]
    commands: tuple[str, ...]
    permission: str | None
    reporter_may: bool = False
    department_only: bool = False
    style: str = "secondary"


ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec("accept", _("Accept"), EmptyActionForm, ("accept",), "cases.dispatch", style="primary"),
        ActionSpec("dispatch", _("Dispatch"), DispatchForm, ("dispatch",), "cases.dispatch", style="primary"),
        ActionSpec("reject", _("Reject"), ReasonForm, ("reject",), "cases.dispatch"),
        ActionSpec("merge", _("Merge as duplicate"), MergeForm, ("merge",), "cases.dispatch"),
        ActionSpec("release", _("Release from the merge"), ReasonForm, ("release",), "cases.dispatch"),
        ActionSpec(
            "sign",
            _("Sign for"),
            EmptyActionForm,
            ("sign",),
            "cases.handle",
            department_only=True,
            style="primary",
        ),
        ActionSpec(
            "contact",
            _("Contacted the reporter"),
            NoteForm,
            ("contact",),
            "cases.handle",
            department_only=True,
        ),
        ActionSpec(
            "handle", _("Add a handling note"), HandleForm, ("handle",), "cases.handle", department_only=True
        ),
        ActionSpec(
            "resolve",
            _("Resolve and reply"),
            ResolveForm,
            ("resolve",),
            "cases.handle",
            department_only=True,
            style="primary",
        ),
        ActionSpec(
            "request_extension",
            _("Request an extension"),
            ExtensionForm,
            ("request_extension",),
            "cases.handle",
            department_only=True,
        ),
        ActionSpec(
            "return",
            _("Return to the dispatcher"),
            ReasonForm,
            ("return",),
            "cases.handle",
            department_only=True,
        ),
        ActionSpec(
            "decide_extension",
            _("Decide the extension"),
            DecideExtensionForm,
            ("approve_extension", "deny_extension"),
            "cases.dispatch",
        ),
        ActionSpec("reassign", _("Reassign"), ReassignForm, ("reassign",), "cases.dispatch"),
        ActionSpec(
            "review", _("Review"), ReviewForm, ("approve", "send_back"), "cases.review", style="primary"
        ),
        ActionSpec(
            "rate", _("Rate"), RateForm, ("rate",), "cases.follow_up", reporter_may=True, style="primary"
        ),
        ActionSpec("reopen", _("Reopen"), ReasonForm, ("reopen",), "cases.dispatch", reporter_may=True),
        ActionSpec("urge", _("Urge"), UrgeForm, ("urge",), "cases.supervise"),
        ActionSpec("supervise", _("Supervise"), NoteForm, ("supervise",), "cases.supervise"),
        ActionSpec("summon", _("Summon departments"), SummonForm, ("summon",), "cases.summon"),
        ActionSpec("report_in", _("Report in"), ReportInForm, ("report_in",), "cases.handle"),
        ActionSpec("withdraw", _("Withdraw my case"), ReasonForm, ("withdraw",), None, reporter_may=True),
    )
}


def available_actions(
    user,
    case,
    *,
    extension_pending: bool | None = None,
    pending_summons: bool | None = None,
    assisting: tuple[int, ...] | None = None,
) -> list[str]:
    """Names of the commands ``user`` may run on ``case`` now (workflow ∩ permissions ∩ role).

    A ``department_only`` command needs the user in one of ``selectors.acting_department_ids`` (the lead
    department, plus the active assisting ones for 办理记录), the list the service checks. The keyword
    arguments carry facts already loaded for a list page (``selectors.action_flags``).
    """
    if user is None or not user.is_authenticated:
        return []
    perms = permissions_of(user)
    scope = scope_of(user)
    allowed = set(workflow.allowed_commands(case.status))
    own = case.reporter_user_id is not None and case.reporter_user_id == user.pk
    if getattr(case, "followed_only", False) and not own:
        return []  # entered by the user, outside their area: they follow it, its staff act on it
    names = []
    for spec in ACTIONS.values():
        if not allowed.intersection(spec.commands):
            continue
        may = (spec.permission is not None and spec.permission in perms) or (spec.reporter_may and own)
        if not may:
            continue
        if (
            spec.department_only
            and not scope.is_global
            and not any(
                scope.covers_department(pk)
                for pk in acting_department_ids(case, spec.commands[0], assisting=assisting)
            )
        ):
            continue
        if spec.name == "reopen" and spec.permission not in perms and case.rating != Rating.DISSATISFIED:
            continue
        if spec.name == "contact" and case.contacted_at is not None:
            continue  # only the first contact counts (the service keeps no later note): calls go in notes
        if spec.name in ("request_extension", "decide_extension"):
            pending = extension_is_pending(case) if extension_pending is None else extension_pending
            if (spec.name == "decide_extension") != pending:
                continue
        if spec.name == "report_in":
            if not (pending_summons if pending_summons is not None else has_pending_summons(case, scope)):
                continue
        names.append(spec.name)
    return names


def action_form(name: str, *, case, user, data=None, files=None, **extra) -> ActionForm:
    """The form of command ``name`` for ``case`` (bound when ``data`` is given)."""
    spec = ACTIONS[name]
    kwargs = {"case": case, "user": user, "prefix": f"{name}-{case.pk}"}
    if spec.form in (DispatchForm, ReassignForm):
        kwargs["rows"] = extra.get("rows")
    if spec.form is DispatchForm:
        kwargs["suggested_department_id"] = extra.get("suggested_department_id")
        kwargs["suggested_category_id"] = extra.get("suggested_category_id")
    if spec.form is MergeForm:
        kwargs["suggested_master"] = extra.get("suggested_master")
    if spec.form is ReportInForm:
        kwargs["summons"] = extra.get("summons", ())
    if data is not None:
        return spec.form(data, files, **kwargs)
    return spec.form(**kwargs)
