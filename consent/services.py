"""Writes to the consent ledger. Every change is one atomic append, chained to the head."""

from dataclasses import dataclass

from django.db import transaction

from consent.models import GENESIS_HASH, ConsentEvent, PrivacyNotice
from consent.pseudonyms import pseudonym_for
from consent.purposes import PURPOSES


class UnknownPurposeError(ValueError):
    pass


def current_notice_version() -> str:
    notice = PrivacyNotice.objects.order_by("-published_at").only("version").first()
    return notice.version if notice else "unpublished"


def _append(*, user, purpose: str, granted: bool, method: str) -> ConsentEvent:
    if purpose not in PURPOSES or not PURPOSES[purpose].needs_consent:
        raise UnknownPurposeError(f"{purpose!r} is not a purpose that takes consent.")
    # Lock the head so two appends cannot both chain to the same previous event.
    head = ConsentEvent.objects.select_for_update().order_by("-id").only("hash").first()
    event = ConsentEvent(
        subject=user,
        subject_pseudonym=pseudonym_for(user.pk),
        purpose=purpose,
        granted=granted,
        notice_version=current_notice_version(),
        method=method,
        prev_hash=head.hash if head else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


@transaction.atomic
def consent_grant(*, user, purpose: str, method: str) -> ConsentEvent:
    """Record that ``user`` granted ``purpose``."""
    return _append(user=user, purpose=purpose, granted=True, method=method)


@transaction.atomic
def consent_withdraw(*, user, purpose: str, method: str) -> ConsentEvent:
    """Record that ``user`` withdrew ``purpose``."""
    return _append(user=user, purpose=purpose, granted=False, method=method)


@dataclass(frozen=True)
class LedgerReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def ledger_verify() -> LedgerReport:
    """Walk the chain from the genesis and report the first event that does not hold."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in ConsentEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return LedgerReport(False, checked, event.pk, "previous-hash link broken")
        if event.compute_hash() != event.hash:
            return LedgerReport(False, checked, event.pk, "content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return LedgerReport(True, checked)
