"""加密字段: model fields that store personal data encrypted with ``core.crypto``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup
from django.utils.translation import gettext_lazy

from gongzhi.core import crypto

__all__ = ["EncryptedTextField"]


class EncryptedTextField(models.TextField):
    """加密文本: a text column whose values are stored as ``core.crypto`` tokens.

    ``aad`` names the column (``"people.Resident.id_number"``) and is authenticated with every value,
    so a token copied into another column does not decrypt. Model instances and querysets see
    plaintext; the database sees tokens. Writes through ``save()``, ``bulk_create()``, ``bulk_update()``
    and ``.update()`` are encrypted; a value that is already a token for this column is stored as it is.

    Tokens are randomised, so the column cannot be searched, ordered or made unique: only ``isnull``
    lookups are allowed. Put a ``crypto.blind_index()`` of the normalised value into a separate column
    for exact lookups and unique constraints.
    """

    description = gettext_lazy("Encrypted text")

    def __init__(self, *args: Any, aad: str, **kwargs: Any) -> None:
        if not isinstance(aad, str) or not aad:
            raise ValueError("EncryptedTextField needs aad naming its column, e.g. 'people.Resident.phone'.")
        self.aad = aad
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["aad"] = self.aad
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if crypto.is_token(value):
            # Already encrypted: keep it only if it really belongs to this column.
            crypto.decrypt(value, aad=self.aad)
            return value
        return crypto.encrypt(value, aad=self.aad)

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        return crypto.decrypt(value, aad=self.aad)

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name != "isnull":
            return None  # Django raises FieldError("Unsupported lookup …")
        return super().get_lookup(lookup_name)
