"""Domain errors: the only exceptions services raise (STYLE.md §5).

``code`` is a stable English identifier for clients; ``message`` is translated text for people.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    default_code = "error"
    default_message = _("The request could not be processed.")

    def __init__(self, message: Any = None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": str(self.message),
            "fields": {
                k: [str(m) for m in (v if isinstance(v, list | tuple) else [v])]
                for k, v in self.fields.items()
            },
        }


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    default_message = _("The record does not exist or you cannot view it.")


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class ValidationFailed(DomainError):
    """Business validation failed; ``fields`` maps field names to messages."""

    status = 422
    default_code = "validation_failed"
    default_message = _("Some fields are not valid. Please correct them and try again.")

    def __init__(self, fields: dict | None = None, message: Any = None, *, code: str | None = None):
        super().__init__(message, code=code, fields=fields)


class InvalidTransition(DomainError):
    status = 409
    default_code = "invalid_transition"
    default_message = _("This action is not possible in the current state. Please refresh the page.")


class Conflict(DomainError):
    status = 409
    default_code = "conflict"
    default_message = _("The record was changed by someone else. Please refresh the page and try again.")
