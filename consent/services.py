"""Writes to the consent ledger. Every change is one atomic append, chained to the head."""

import zlib
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction

from consent import inventory, purposes
from consent.models import GENESIS_HASH, ChainedRecord, ConsentEvent
from consent.pseudonyms import pseudonym_for
from consent.selectors import consents_for_user, current_notice_version

Record = TypeVar("Record", bound=ChainedRecord)


class UnknownPurposeError(ValueError):
    pass


def chain_append(*, record: Record) -> Record:
    """Append ``record`` to its table's chain. Call inside a transaction."""
    model = type(record)
    # One append at a time per table. Locking only the head row is not enough on
    # PostgreSQL: a second writer waiting for that lock re-reads the same old head once
    # the first commits, and both chain to it (seen under `make load`). A transaction-
    # scoped advisory lock per table queues the appends and blocks no reader. SQLite's
    # IMMEDIATE transactions already take the write lock at BEGIN.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = zlib.crc32(model._meta.db_table.encode())
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    head = model._default_manager.order_by("-id").only("hash").first()
    record.prev_hash = head.hash if head else GENESIS_HASH
    record.hash = record.compute_hash()
    record.save()
    return record


def _append(*, user: AbstractBaseUser, purpose: str, granted: bool, method: str) -> ConsentEvent:
    if not purposes.takes_consent(purpose):
        raise UnknownPurposeError(f"{purpose!r} is not a purpose that takes consent.")
    return chain_append(
        record=ConsentEvent(
            subject_id=user.pk,
            subject_pseudonym=pseudonym_for(user.pk),
            purpose=purpose,
            granted=granted,
            notice_version=current_notice_version(),
            method=method,
        )
    )


@transaction.atomic
def consent_grant(*, user: AbstractBaseUser, purpose: str, method: str) -> ConsentEvent:
    """Record that ``user`` granted ``purpose``."""
    return _append(user=user, purpose=purpose, granted=True, method=method)


@dataclass(frozen=True)
class Withdrawal:
    event: ConsentEvent
    deleted: dict[str, int]  # category title -> items deleted


@transaction.atomic
def consent_withdraw(*, user: AbstractBaseUser, purpose: str, method: str) -> Withdrawal:
    """Record that ``user`` withdrew ``purpose`` and delete what was collected under it,
    in the same transaction: either both happen or neither."""
    event = _append(user=user, purpose=purpose, granted=False, method=method)
    deleted = {}
    for category in inventory.categories():
        if category.purpose != purpose:
            continue
        count = sum(d.rows_for(user).delete()[0] for d in inventory.declarations(category.code))
        deleted[category.title] = count
    return Withdrawal(event=event, deleted=deleted)


@transaction.atomic
def consents_answer(
    *, user: AbstractBaseUser, answers: dict[str, bool], method: str
) -> list[ConsentEvent]:
    """Record an answer for every optional purpose at once (sign-up, re-consent prompt).

    A purpose the reader leaves off that was on is withdrawn, with its data deleted.
    """
    state = consents_for_user(user=user)
    events = []
    for purpose in purposes.optional_purposes():
        granted = bool(answers.get(purpose.code))
        if not granted and state.get(purpose.code):
            events.append(consent_withdraw(user=user, purpose=purpose.code, method=method).event)
        else:
            events.append(_append(user=user, purpose=purpose.code, granted=granted, method=method))
    return events


@dataclass(frozen=True)
class LedgerReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def ledger_verify(model: type[ChainedRecord] = ConsentEvent) -> LedgerReport:
    """Walk the chain from the genesis and report the first row that does not hold."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in model._default_manager.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return LedgerReport(False, checked, event.pk, "previous-hash link broken")
        if event.compute_hash() != event.hash:
            return LedgerReport(False, checked, event.pk, "content does not match its hash")
        if not event.links_hold():
            return LedgerReport(False, checked, event.pk, "its account link does not match")
        expected_prev = event.hash
        checked += 1
    return LedgerReport(True, checked)
