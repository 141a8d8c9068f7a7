"""A reader's rights over their data (GDPR Art. 15-22), each driven by the data inventory.

Every operation here runs in one transaction and appends one ``DataRequest`` to its
chained log, with counts only, under the reader's pseudonym, in that same transaction.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from consent import changes, extensions, inventory
from consent.exporting import exported_rows
from consent.inventory import Erasure
from consent.models import DataRequest
from consent.pseudonyms import pseudonym_for
from consent.services import chain_append


@dataclass
class Receipt:
    """What an operation did, in words a reader can check."""

    kind: str
    reference: str
    at: datetime
    lines: list[tuple[str, int]] = field(default_factory=list)
    kept: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(count for _, count in self.lines)

    def as_session(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reference": self.reference,
            "at": self.at.isoformat(),
            "lines": self.lines,
            "kept": self.kept,
        }

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> "Receipt":
        return cls(
            kind=data["kind"],
            reference=data["reference"],
            at=datetime.fromisoformat(data["at"]),
            lines=[(title, count) for title, count in data["lines"]],
            kept=[(title, count) for title, count in data.get("kept", [])],
        )


def data_request_append(*, pseudonym: str, kind: str, summary: dict[str, Any]) -> DataRequest:
    """Log one request of a reader. Call inside the transaction of what it records."""
    return chain_append(record=DataRequest(subject_pseudonym=pseudonym, kind=kind, summary=summary))


def _receipt(request: DataRequest, lines: list[tuple[str, int]]) -> Receipt:
    return Receipt(
        kind=request.get_kind_display(),
        reference=request.hash[:12],
        at=request.created_at,
        lines=lines,
    )


# -- export (Art. 15 and 20) ------------------------------------------------------------
@transaction.atomic
def data_export(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything we hold about ``user``, one key per category of the inventory, read in
    one transaction with the logged request: a query or two per declaration, however many
    rows the reader has (``consent.exporting``)."""
    document: dict[str, Any] = {
        "schema": settings.PRIVACY_EXPORT_SCHEMA,
        "exported_at": timezone.now().isoformat(),
    }
    counts = {}
    for category in inventory.categories():
        data: dict[str, Any] = {}
        for declaration in inventory.declarations(category.code):
            values = exported_rows(declaration, user)
            key = re.sub(r"\W+", "_", str(declaration.model_class._meta.verbose_name_plural))
            data[key] = (values[0] if values else None) if not declaration.many else values
        counts[category.code] = sum(
            len(v) if isinstance(v, list) else int(v is not None) for v in data.values()
        )
        document[category.code] = {
            "title": category.title,
            "description": category.description,
            "purpose": category.why,
            "legal_basis": category.legal_basis,
            "retention": category.retention,
            "data": data,
        }
    data_request_append(
        pseudonym=pseudonym_for(user.pk), kind=DataRequest.Kind.EXPORT, summary=counts
    )
    return document


# -- clear recommendations ----------------------------------------------------------------
@transaction.atomic
def recommendations_clear(*, user: AbstractBaseUser, options: Collection[str] = ()) -> Receipt:
    """Run every declaration's ``clear`` for ``user``: what each app says was learned from
    the reader goes. ``options`` are the names of the boxes ticked on the form
    (``consent.extensions.ClearOption``); the log records which were."""
    chosen = frozenset(options)
    lines = []
    for category in inventory.categories():
        clearing = [d for d in inventory.declarations(category.code) if d.clear is not None]
        count = sum(d.clear(d.rows_for(user), chosen) for d in clearing if d.clear)
        if count:  # the receipt lists what was cleared, not what was left alone
            lines.append((category.title, count))
    ticked: dict[str, Any] = {o.name: o.name in chosen for o in extensions.clear_options()}
    request = data_request_append(
        pseudonym=pseudonym_for(user.pk),
        kind=DataRequest.Kind.CLEAR,
        summary={**ticked, "deleted": dict(lines)},
    )
    return _receipt(request, lines)


# -- one item -------------------------------------------------------------------------------
class ItemNotFound(LookupError):
    pass


@transaction.atomic
def item_delete(*, user: AbstractBaseUser, model_label: str, pk: int) -> str:
    """Delete one listed item of ``user``; another reader's id is simply not found."""
    declaration = next(
        (
            d
            for d in inventory.declarations()
            if d.model.lower() == model_label.lower() and d.item_deletable
        ),
        None,
    )
    if declaration is None or declaration.item_label is None:
        raise ItemNotFound(model_label)
    row = declaration.rows_for(user).filter(pk=pk).first()
    if row is None:
        raise ItemNotFound(model_label)
    label = declaration.item_label(row)
    row.delete()
    data_request_append(
        pseudonym=pseudonym_for(user.pk),
        kind=DataRequest.Kind.ITEM_DELETE,
        summary={inventory.category(declaration.category).title: 1},
    )
    return label


# -- objection to profiling (Art. 21/22) ------------------------------------------------------
@transaction.atomic
def personalization_pause_set(*, user: AbstractBaseUser, paused: bool) -> None:
    """Pause (object to profiling) or resume, through the switch the profiling app
    registered; nothing happens when no app profiles."""
    switch = extensions.profiling_switch()
    if switch is None:
        return
    switch.set_paused(user, paused)
    data_request_append(
        pseudonym=pseudonym_for(user.pk),
        kind=DataRequest.Kind.OBJECT if paused else DataRequest.Kind.RESUME,
        summary={},
    )


# -- erasure (Art. 17) --------------------------------------------------------------------------
def _end_sessions(user_id: Any) -> int:
    """Delete every stored session signed in as ``user_id``."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def account_erase(*, user: AbstractBaseUser) -> Receipt:
    """Erase ``user`` and all their personal data; ledger rows keep a pseudonym only."""
    pseudonym = pseudonym_for(user.pk)
    counts: dict[str, int] = {}
    kept: dict[str, int] = {}
    for declaration in inventory.subject_declarations():
        title = inventory.category(declaration.category).title
        rows = declaration.rows_for(user)
        if declaration.erasure != Erasure.DELETE:
            kept[title] = kept.get(title, 0) + rows.count()
            continue
        counts[title] = counts.get(title, 0) + rows.count()
        if declaration.model_class is not type(user):
            rows.delete()
    for forget in extensions.erasers():
        forget(user)
    sessions = _end_sessions(user.pk)
    user.delete()
    lines = [(title, count) for title, count in counts.items() if count]
    lines.append(("Signed-in sessions ended", sessions))
    request = data_request_append(
        pseudonym=pseudonym, kind=DataRequest.Kind.ERASE, summary=dict(lines)
    )
    changes.forget(pseudonym=pseudonym)  # last: the writes above would draw it again
    receipt = _receipt(request, lines)
    receipt.kept = [(title, count) for title, count in kept.items() if count]
    return receipt


# -- retention ----------------------------------------------------------------------------------
@transaction.atomic
def retention_purge(*, dry_run: bool = False) -> list[tuple[str, int]]:
    """Delete every row past its declared retention; returns counts per category (and
    per kind of rows that identify nobody)."""
    results = []
    for declaration in inventory.declarations():
        if declaration.retention_days is None or declaration.erasure != Erasure.DELETE:
            continue
        rows = declaration.expired()
        count = rows.count() if dry_run else rows.delete()[0]
        results.append((inventory.category(declaration.category).title, count))
    for aggregate in inventory.aggregates():
        rows = aggregate.expired()
        count = rows.count() if dry_run else rows.delete()[0]
        results.append((aggregate.title, count))
    return results
