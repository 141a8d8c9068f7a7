"""A reader's rights over their data (GDPR Art. 15-22), each driven by the data inventory.

Every operation here runs in one transaction and appends one ``DataRequest`` to its
chained log, with counts only, under the reader's pseudonym.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from consent import inventory
from consent.inventory import Erasure
from consent.models import DataRequest
from consent.pseudonyms import pseudonym_for
from consent.services import chain_append

EXPORT_SCHEMA = "newsapp.export/1"


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

    def as_session(self) -> dict:
        return {
            "kind": self.kind,
            "reference": self.reference,
            "at": self.at.isoformat(),
            "lines": self.lines,
            "kept": self.kept,
        }

    @classmethod
    def from_session(cls, data: dict) -> "Receipt":
        return cls(
            kind=data["kind"],
            reference=data["reference"],
            at=datetime.fromisoformat(data["at"]),
            lines=[tuple(line) for line in data["lines"]],
            kept=[tuple(line) for line in data.get("kept", [])],
        )


def log_request(*, pseudonym: str, kind: str, summary: dict) -> DataRequest:
    return chain_append(DataRequest(subject_pseudonym=pseudonym, kind=kind, summary=summary))


def _receipt(request: DataRequest, lines: list[tuple[str, int]]) -> Receipt:
    return Receipt(
        kind=request.get_kind_display(),
        reference=request.hash[:12],
        at=request.created_at,
        lines=lines,
    )


# -- export (Art. 15 and 20) ------------------------------------------------------------
def export_data(*, user) -> dict:
    """Everything we hold about ``user``, one key per category of the inventory."""
    document = {"schema": EXPORT_SCHEMA, "exported_at": timezone.now().isoformat()}
    counts = {}
    for category in inventory.categories():
        data = {}
        for declaration in inventory.declarations(category.code):
            rows = list(declaration.rows_to_show(user))
            values = [declaration.present(row) for row in rows]
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
    with transaction.atomic():
        log_request(pseudonym=pseudonym_for(user.pk), kind=DataRequest.Kind.EXPORT, summary=counts)
    return document


# -- clear recommendations ----------------------------------------------------------------
@transaction.atomic
def clear_recommendations(*, user, reset_topics: bool = False) -> Receipt:
    """Delete feedback and everything the recommender learned from the reader (and their
    reading history); stated topics stay unless ``reset_topics``."""
    lines = []
    for category in inventory.categories():
        count = sum(
            d.clear(d.rows_for(user), reset_topics)
            for d in inventory.declarations(category.code)
            if d.clear is not None
        )
        if count or any(d.clear for d in inventory.declarations(category.code)):
            lines.append((category.title, count))
    request = log_request(
        pseudonym=pseudonym_for(user.pk),
        kind=DataRequest.Kind.CLEAR,
        summary={"reset_topics": reset_topics, "deleted": dict(lines)},
    )
    return _receipt(request, lines)


# -- one item -------------------------------------------------------------------------------
class ItemNotFound(LookupError):
    pass


@transaction.atomic
def delete_item(*, user, model_label: str, pk: int) -> str:
    """Delete one listed item of ``user``; another reader's id is simply not found."""
    declaration = next(
        (
            d
            for d in inventory.declarations()
            if d.model.lower() == model_label.lower() and d.item_deletable
        ),
        None,
    )
    if declaration is None:
        raise ItemNotFound(model_label)
    row = declaration.rows_for(user).filter(pk=pk).first()
    if row is None:
        raise ItemNotFound(model_label)
    label = declaration.item_label(row)
    row.delete()
    log_request(
        pseudonym=pseudonym_for(user.pk),
        kind=DataRequest.Kind.ITEM_DELETE,
        summary={inventory.category(declaration.category).title: 1},
    )
    return label


# -- objection to profiling (Art. 21/22) ------------------------------------------------------
@transaction.atomic
def set_personalization_paused(*, user, paused: bool) -> None:
    switch = inventory.profiling_switch()
    if switch is None:
        return
    switch.set_paused(user, paused)
    log_request(
        pseudonym=pseudonym_for(user.pk),
        kind=DataRequest.Kind.OBJECT if paused else DataRequest.Kind.RESUME,
        summary={},
    )


def personalization_paused(*, user) -> bool:
    switch = inventory.profiling_switch()
    return bool(switch and switch.is_paused(user))


# -- erasure (Art. 17) --------------------------------------------------------------------------
def _end_sessions(user_id: int) -> int:
    """Delete every stored session signed in as ``user_id``."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def erase_account(*, user) -> Receipt:
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
    sessions = _end_sessions(user.pk)
    user.delete()
    lines = [(title, count) for title, count in counts.items() if count]
    lines.append(("Signed-in sessions ended", sessions))
    request = log_request(pseudonym=pseudonym, kind=DataRequest.Kind.ERASE, summary=dict(lines))
    receipt = _receipt(request, lines)
    receipt.kept = [(title, count) for title, count in kept.items() if count]
    return receipt


# -- retention ----------------------------------------------------------------------------------
def purge_expired(*, dry_run: bool = False) -> list[tuple[str, int]]:
    """Delete every row past its declared retention; returns counts per category."""
    results = []
    with transaction.atomic():
        for declaration in inventory.declarations():
            if declaration.retention_days is None or declaration.erasure != Erasure.DELETE:
                continue
            rows = declaration.expired()
            count = rows.count() if dry_run else rows.delete()[0]
            results.append((inventory.category(declaration.category).title, count))
    return results
