"""Writes of the base-data registry: residents, households, organisations, tags, revealing personal data.

Every public function is one business write (STYLE.md §3): keyword-only, ``actor`` first, atomic,
permission- and scope-checked, audited, and it leaves a ``ChangeRecord`` (追本溯源) for each changed
record. Bulk imports live in ``importing/`` and share the rules in ``rules.py``.
"""

from .households import create_household, set_household_head
from .organisations import (
    ORGANISATION_EDITABLE,
    create_organisation,
    reveal_organisation_phone,
    update_organisation,
)
from .residents import (
    RESIDENT_EDITABLE,
    REVEALABLE,
    create_resident,
    reveal_resident_pii,
    set_resident_status,
    tag_resident,
    untag_resident,
    update_resident,
)
from .tags import create_tag, update_tag

__all__ = [
    "ORGANISATION_EDITABLE",
    "RESIDENT_EDITABLE",
    "REVEALABLE",
    "create_household",
    "create_organisation",
    "create_resident",
    "create_tag",
    "reveal_organisation_phone",
    "reveal_resident_pii",
    "set_household_head",
    "set_resident_status",
    "tag_resident",
    "untag_resident",
    "update_organisation",
    "update_resident",
    "update_tag",
]
