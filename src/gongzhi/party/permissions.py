"""Permissions of the party app and which built-in roles hold them.

Scope does the rest: a party secretary assigned to a community sees the community committee and every
branch below it; one assigned to a grid sees only that grid's branch. Party members act on their own
record (own scope) through the member pages; the services check what a member may reach.
"""

from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "party.view_organisation": _("View party organisations and members"),
    "party.manage_organisation": _("Create party organisations and appoint officers"),
    "party.manage_member": _("Register, change and transfer party members"),
    "party.reveal_pii": _("Show party members' full phone and ID numbers"),
    "party.import": _("Import party members from Excel"),
    "party.export": _("Export party members to Excel"),
    "party.register": _("Register at a community as an in-service member (dual registration)"),
    "party.approve_registration": _("Approve dual registrations"),
    "party.manage_tasks": _("Post service tasks and confirm the work done"),
    "party.manage_links": _("Link members to households"),
    "party.visit": _("Record household visits"),
    "party.manage_activity": _("Plan activities, record attendance, minutes and photos"),
    "party.join_activity": _("Sign up and check in to activities"),
    "party.claim": _("Claim service tasks and micro-wishes"),
    "party.manage_points": _("Configure points rules and adjust points"),
    "party.view_points": _("View points and rankings"),
    "party.post_wish": _("Post micro-wishes"),
    "party.review_wish": _("Review micro-wishes"),
    "party.confirm_wish": _("Confirm that a micro-wish was fulfilled"),
    "party.assign_case_help": _("Assign members to help with cases"),
    "party.manage_disclosure": _("Publish disclosures"),
    "party.view_disclosure": _("Read disclosures"),
    "party.manage_courses": _("Manage study courses"),
    "party.study": _("Take study courses"),
    "party.view_dashboard": _("View the party-building dashboard"),
}

_READ = ["party.view_organisation", "party.view_points", "party.view_disclosure", "party.study"]

GRANTS = {
    "resident": ["party.post_wish", "party.confirm_wish", "party.view_disclosure"],
    "party_member": [
        "party.register",
        "party.visit",
        "party.join_activity",
        "party.claim",
        "party.view_disclosure",
        "party.study",
        "party.confirm_wish",
    ],
    "volunteer": ["party.view_disclosure"],
    "grid_worker": ["party.view_organisation", "party.post_wish", "party.view_disclosure", "party.study"],
    "community_worker": [
        *_READ,
        "party.post_wish",
        "party.review_wish",
        "party.confirm_wish",
        "party.manage_disclosure",
        "party.manage_tasks",
        "party.view_dashboard",
    ],
    "party_secretary": [
        *_READ,
        "party.manage_organisation",
        "party.manage_member",
        "party.reveal_pii",
        "party.import",
        "party.export",
        "party.register",
        "party.approve_registration",
        "party.manage_tasks",
        "party.manage_links",
        "party.visit",
        "party.manage_activity",
        "party.join_activity",
        "party.claim",
        "party.manage_points",
        "party.post_wish",
        "party.review_wish",
        "party.confirm_wish",
        "party.assign_case_help",
        "party.manage_disclosure",
        "party.view_dashboard",
    ],
    "street_leader": [*_READ, "party.export", "party.view_dashboard"],
    "supervisor": [*_READ],
    "district_leader": [*_READ, "party.export", "party.view_dashboard"],
}
