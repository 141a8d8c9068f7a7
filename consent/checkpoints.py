"""Signed checkpoints of the consent ledger's head (Ed25519).

The hash chain detects an edit in the middle; a signed (length, head hash) also detects a
truncation or a rewrite of the whole table after the last checkpoint.
"""

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from consent.models import ConsentEvent, LedgerCheckpoint


def _private_key() -> Ed25519PrivateKey:
    raw = settings.LEDGER_SIGNING_KEY
    if not raw:
        raise ImproperlyConfigured("DJANGO_LEDGER_SIGNING_KEY is not set.")
    try:
        seed = base64.urlsafe_b64decode(raw)
        return Ed25519PrivateKey.from_private_bytes(seed)
    except ValueError as error:
        raise ImproperlyConfigured(
            "DJANGO_LEDGER_SIGNING_KEY must be urlsafe base64 of 32 bytes."
        ) from error


def _public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


@transaction.atomic
def checkpoint_create() -> LedgerCheckpoint:
    key = _private_key()
    events = ConsentEvent.objects.select_for_update().order_by("-id")
    head = events.only("hash").first()
    length = ConsentEvent.objects.count()
    head_hash = head.hash if head else "0" * 64
    signature = key.sign(LedgerCheckpoint.message(length, head_hash)).hex()
    return LedgerCheckpoint.objects.create(
        length=length, head_hash=head_hash, signature=signature, public_key=_public_hex(key)
    )


@dataclass(frozen=True)
class CheckpointReport:
    ok: bool
    checkpoint: LedgerCheckpoint | None
    reason: str = ""


def checkpoint_verify() -> CheckpointReport:
    """Does the ledger still contain, at the same position, the head last signed?"""
    checkpoint = LedgerCheckpoint.objects.order_by("-id").first()
    if checkpoint is None:
        return CheckpointReport(True, None, "no checkpoint yet")
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint.public_key))
    try:
        public.verify(
            bytes.fromhex(checkpoint.signature),
            LedgerCheckpoint.message(checkpoint.length, checkpoint.head_hash),
        )
    except InvalidSignature:
        return CheckpointReport(False, checkpoint, "the checkpoint's signature is invalid")
    if settings.LEDGER_SIGNING_KEY and checkpoint.public_key != _public_hex(_private_key()):
        return CheckpointReport(False, checkpoint, "the checkpoint was signed by another key")
    if checkpoint.length == 0:
        return CheckpointReport(True, checkpoint)
    at_position = (
        ConsentEvent.objects.order_by("id")
        .values_list("hash", flat=True)[checkpoint.length - 1 : checkpoint.length]
        .first()
    )
    if at_position is None:
        return CheckpointReport(
            False, checkpoint, f"the ledger is shorter than the {checkpoint.length} events signed"
        )
    if at_position != checkpoint.head_hash:
        return CheckpointReport(
            False, checkpoint, f"event {checkpoint.length} is not the one signed: rewritten"
        )
    return CheckpointReport(True, checkpoint)
