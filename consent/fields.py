"""EncryptedTextField: free text about a reader, stored AES-256-GCM encrypted.

Binding the row
---------------
The associated data of every value is ``<app_label>.<model>.<field>|<bind_to>=<value>``.
The table and column are always bound. For the row we need something that is known
*before* the INSERT (an auto-increment primary key is not) and that never changes for the
life of the row, so ``bind_to`` names such a field, normally the owning reader::

    notes = EncryptedTextField(bind_to="user", blank=True)

A ciphertext copied into another reader's row, or into another column, then fails to
decrypt (DecryptionError) instead of showing one reader's text to another. Two rows of
the *same* owner in the same column are interchangeable; that is deliberate: both are
that reader's own data, and it keeps the binding available at write time. A random
per-row salt stored beside the value would not help: it travels with the ciphertext, so
it binds nothing. Use ``bind_to="pk"`` only on models whose primary key is assigned in
Python before the insert (a UUID default); an unset bound value refuses to encrypt.

How values move
---------------
- ``save()`` and ``bulk_create()`` encrypt in ``pre_save`` (the only hook that sees the
  instance), with a fresh nonce on every write; the instance keeps the plaintext.
- Loading stores the ciphertext on the instance; the attribute decrypts on first read,
  once the bound field is there to rebuild the associated data.
- ``QuerySet.update(field="text")``, ``bulk_update()`` and lookups on the plaintext cannot
  bind a row and are refused with an error; ``values()`` returns the sealed ciphertext.
- The empty string is stored as is, so a column can be added with ``default=""``.
- ``manage.py rotate_encryption_keys`` re-encrypts every such column under the newest key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from consent import crypto


class Sealed(str):
    """A ciphertext as stored in the database; never shown as plaintext."""

    __slots__ = ()


class EncryptedAttribute(DeferredAttribute):
    """Decrypts on first read, when the whole row (and so the bound value) is loaded."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    descriptor_class = EncryptedAttribute
    description = "Text encrypted with AES-256-GCM, bound to its table, column and row"

    def __init__(self, *args: Any, bind_to: str, **kwargs: Any) -> None:
        self.bind_to = bind_to
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["bind_to"] = self.bind_to
        return name, path, args, kwargs

    # --- associated data -------------------------------------------------------------

    def bound_attname(self) -> str:
        if self.bind_to == "pk":
            return self.model._meta.pk.attname
        try:
            return self.model._meta.get_field(self.bind_to).attname
        except Exception as exc:
            raise ImproperlyConfigured(
                f"{self.model._meta.label}.{self.name}: bind_to={self.bind_to!r} "
                "names no field of the model."
            ) from exc

    def aad(self, bound_value: object) -> bytes:
        if bound_value is None or bound_value == "":
            raise ValueError(
                f"{self.model._meta.label}.{self.name} is bound to {self.bind_to!r}, which "
                "is not set yet; set it before saving encrypted text."
            )
        context = f"{self.model._meta.label_lower}.{self.name}|{self.bind_to}={bound_value}"
        return context.encode("utf-8")

    def aad_for(self, instance: models.Model) -> bytes:
        return self.aad(getattr(instance, self.bound_attname()))

    def open(self, instance: models.Model, token: str) -> str:
        return crypto.decrypt(token, aad=self.aad_for(instance))

    # --- the database round trip -----------------------------------------------------

    def pre_save(self, model_instance: models.Model, add: bool):
        value = getattr(model_instance, self.attname)  # plaintext (decrypts if needed)
        if value is None or value == "":
            return value
        return Sealed(crypto.encrypt(str(value), aad=self.aad_for(model_instance)))

    def get_prep_value(self, value):
        if value is None or value == "" or isinstance(value, Sealed):
            return value
        if hasattr(value, "resolve_expression"):
            return value
        raise TypeError(
            f"{self.model._meta.label}.{self.name} is encrypted: write it through save() or "
            "bulk_create() so the row can be bound; it cannot be filtered on or written with "
            "update() or bulk_update()."
        )

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Sealed(value)

    def to_python(self, value):
        if isinstance(value, Sealed):
            return value
        return super().to_python(value)


def encrypted_fields() -> list[EncryptedTextField]:
    """Every EncryptedTextField of every installed model (for rotation and checks)."""
    from django.apps import apps

    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField) and field.model is model
    ]


# --- key rotation --------------------------------------------------------------------


@dataclass(frozen=True)
class RotationSource:
    """Somewhere encrypted values live.

    ``pending()`` lists the primary keys of rows holding a value under an older key, in
    order; ``rotate(pks)`` re-encrypts those rows under the newest key (the caller holds
    the transaction) and returns how many it changed. Rows already rotated are not
    pending, which is what makes an interrupted rotation resumable.
    """

    label: str
    pending: Callable[[], list[Any]]
    rotate: Callable[[Iterable[Any]], int]


_extra_sources: list[Callable[[], RotationSource]] = []


def register_rotation_source(factory: Callable[[], RotationSource]) -> None:
    """For encrypted values outside an EncryptedTextField (e.g. allauth's MFA secrets)."""
    if factory not in _extra_sources:
        _extra_sources.append(factory)


def _field_source(field: EncryptedTextField) -> RotationSource:
    model, name = field.model, field.name
    manager = model._base_manager

    def pending() -> list[Any]:
        current = f"{crypto.PREFIX}:{crypto.current_key_id()}:"
        return list(
            manager.exclude(**{f"{name}__isnull": True})
            .exclude(**{name: ""})
            .exclude(**{f"{name}__startswith": current})
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def rotate(pks: Iterable[Any]) -> int:
        changed = 0
        rows = manager.filter(pk__in=list(pks)).values_list("pk", field.bound_attname(), name)
        for pk, bound, token in rows:
            if not token or not crypto.needs_rotation(token):
                continue
            fresh = Sealed(crypto.reencrypt(token, aad=field.aad(bound)))
            # Guarded by the old value: a concurrent save already wrote the newest key.
            changed += manager.filter(pk=pk, **{name: Sealed(token)}).update(**{name: fresh})
        return changed

    return RotationSource(f"{model._meta.label}.{name}", pending, rotate)


def rotation_sources() -> list[RotationSource]:
    return [_field_source(field) for field in encrypted_fields()] + [
        factory() for factory in _extra_sources
    ]
