from django.utils.translation import gettext_lazy as _

from gongzhi.audit.registry import register

from .workflow import LABELS

register({f"cases.{command}": label for command, label in LABELS.items()})
register(
    {
        "cases.import_categories": _("Imported the category tree"),
        "cases.update_category": _("Changed a category"),
        "cases.create_duty_rule": _("Added a duty rule"),
        "cases.update_duty_rule": _("Changed a duty rule"),
        "cases.deactivate_duty_rule": _("Retired a duty rule"),
        "cases.set_calendar_day": _("Changed the working calendar"),
        "cases.seed_calendar": _("Seeded the working calendar"),
        "cases.reveal_reporter": _("Revealed a reporter's contact"),
        "cases.add_attachment": _("Added an attachment"),
        "cases.sweep_orphan_files": _("Removed files left by failed submissions"),
    }
)
