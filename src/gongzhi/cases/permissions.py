from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "cases.submit": _("Submit cases"),
    "cases.view": _("View cases in scope"),
    "cases.dispatch": _("Accept, reject, dispatch, reassign and merge cases"),
    "cases.handle": _("Sign for, handle, return and resolve cases"),
    "cases.review": _("Review resolved cases"),
    "cases.follow_up": _("Follow up cases and record ratings"),
    "cases.supervise": _("Supervise and urge cases"),
    "cases.summon": _("Summon departments to a case"),
    "cases.manage_catalog": _("Edit categories, the duty list and the working calendar"),
    "cases.view_rates": _("View the three rates and assessments"),
}

GRANTS = {
    "resident": ["cases.submit"],
    "party_member": ["cases.submit"],
    "volunteer": ["cases.submit"],
    "merchant": ["cases.submit"],
    "grid_worker": ["cases.submit", "cases.view"],
    "community_worker": ["cases.submit", "cases.view", "cases.follow_up", "cases.summon"],
    "party_secretary": ["cases.submit", "cases.view", "cases.summon", "cases.view_rates"],
    "hotline_operator": ["cases.submit", "cases.view", "cases.follow_up"],
    "street_dispatcher": [
        "cases.submit",
        "cases.view",
        "cases.dispatch",
        "cases.review",
        "cases.follow_up",
        "cases.summon",
        "cases.view_rates",
    ],
    "street_leader": [
        "cases.view",
        "cases.dispatch",
        "cases.review",
        "cases.summon",
        "cases.supervise",
        "cases.view_rates",
    ],
    "department_handler": ["cases.view", "cases.handle"],
    "department_head": ["cases.view", "cases.handle", "cases.view_rates"],
    "supervisor": ["cases.view", "cases.supervise", "cases.view_rates"],
    "district_leader": ["cases.view", "cases.supervise", "cases.view_rates"],
}
