"""Signed checkpoints of the three chained logs (Ed25519), chained to each other.

The hash chains detect an edit or a deletion in the middle of a log. A checkpoint signs
(length, head hash) of the consent ledger, the data-subject request log and the staff
access log together, with the digest of the checkpoint before it, so that:

- a truncated log, or one rewritten since the last checkpoint, no longer holds the head
  that was signed at its position;
- a deleted or replaced checkpoint breaks the chain of checkpoints, and deleting them all
  is an error, not a fresh start: the first checkpoint of a log that already holds entries
  is only made on request (``verify_consent_ledger --checkpoint --first``);
- only this installation's key (``DJANGO_LEDGER_SIGNING_KEY``) counts: the public key
  stored beside a checkpoint is never trusted, and without the key nothing verifies;
- a rewrite of everything, checkpoints re-signed included, is caught by comparing with a
  copy kept outside the database: each checkpoint's head (its digest) is printed by the
  daily command, logged by the task and shown in the admin; ``--expect`` checks one.
"""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from consent.models import GENESIS_HASH, AccessRecord, ConsentEvent, DataRequest, LedgerCheckpoint
from newsapp.core.locks import lock_until_commit

# (code in the signed message, name for people, model, checkpoint fields)
CHAINS = (
    ("consent", "consent ledger", ConsentEvent, "length", "head_hash"),
    ("requests", "data-subject request log", DataRequest, "requests_length", "requests_head"),
    ("access", "staff access log", AccessRecord, "access_length", "access_head"),
)
FORMAT = "plainsight-ledgers/2"


class CheckpointRefused(Exception):
    """A checkpoint that must not be made; ``str()`` says why and what to do."""


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


@dataclass(frozen=True)
class Head:
    length: int
    hash: str


def chain_heads() -> dict[str, Head]:
    """Each log's number of entries and the hash of its last one."""
    heads = {}
    for code, _name, model, _length, _head in CHAINS:
        last = model.objects.order_by("-id").values("id", "hash").first()
        if last is None:
            heads[code] = Head(0, GENESIS_HASH)
        else:
            heads[code] = Head(model.objects.filter(id__lte=last["id"]).count(), last["hash"])
    return heads


def checkpoint_heads(checkpoint: LedgerCheckpoint) -> dict[str, Head]:
    return {
        code: Head(getattr(checkpoint, length), getattr(checkpoint, head))
        for code, _name, _model, length, head in CHAINS
    }


def checkpoint_message(*, previous: str, created_at: datetime, heads: dict[str, Head]) -> bytes:
    """What a checkpoint signs; its SHA-256 is the checkpoint's digest."""
    parts = [FORMAT, f"previous={previous}", f"at={created_at.isoformat()}"]
    parts += [f"{code}={heads[code].length}:{heads[code].hash}" for code, *_ in CHAINS]
    return "|".join(parts).encode()


def published_line(checkpoint: LedgerCheckpoint) -> str:
    """The line a privacy officer keeps outside the database, one per checkpoint."""
    counts = " ".join(f"{code}={h.length}" for code, h in checkpoint_heads(checkpoint).items())
    return f"{checkpoint.created_at.isoformat()} sha256:{checkpoint.digest} {counts}"


def _chained() -> list[LedgerCheckpoint]:
    return list(LedgerCheckpoint.objects.exclude(digest="").order_by("id"))


@transaction.atomic
def checkpoint_create(*, first: bool = False) -> LedgerCheckpoint:
    """Sign the logs' current heads, chained to the last checkpoint.

    With no checkpoint yet, only when the logs are still empty or ``first`` says this is
    the installation's first: otherwise deleted checkpoints would look like a fresh start.
    """
    key = _private_key()
    lock_until_commit("consent.checkpoints")  # one checkpoint at a time: one chain of them
    last = LedgerCheckpoint.objects.exclude(digest="").order_by("-id").first()
    heads = chain_heads()
    if last is None and not first and any(head.length for head in heads.values()):
        raise CheckpointRefused(
            "There is no signed checkpoint, but the logs already hold entries. If this "
            "installation never had one, sign the first with --first; if it had, they were "
            "deleted: compare the logs with the last checkpoint head you kept."
        )
    previous = last.digest if last is not None else GENESIS_HASH
    created_at = timezone.now().replace(microsecond=0)
    message = checkpoint_message(previous=previous, created_at=created_at, heads=heads)
    return LedgerCheckpoint.objects.create(
        length=heads["consent"].length,
        head_hash=heads["consent"].hash,
        requests_length=heads["requests"].length,
        requests_head=heads["requests"].hash,
        access_length=heads["access"].length,
        access_head=heads["access"].hash,
        previous=previous,
        digest=hashlib.sha256(message).hexdigest(),
        signature=key.sign(message).hex(),
        public_key=_public_hex(key),
        created_at=created_at,
    )


@dataclass(frozen=True)
class CheckpointReport:
    ok: bool
    checkpoint: LedgerCheckpoint | None  # the latest checkpoint
    reason: str = ""
    count: int = 0  # checkpoints in the chain
    missing: bool = False  # no checkpoint at all, although the logs hold entries


def _fail(reason: str, checkpoint=None, count: int = 0) -> CheckpointReport:
    return CheckpointReport(False, checkpoint, reason, count)


def checkpoint_verify(*, expect: str = "") -> CheckpointReport:
    """Is every checkpoint signed by this installation and chained to the one before, and
    do the logs still hold, at the same positions, the heads last signed?

    ``expect`` is a checkpoint head (``sha256:<digest>``) kept outside the database; it
    must be one of the checkpoints.
    """
    if not settings.LEDGER_SIGNING_KEY:
        return _fail(
            "DJANGO_LEDGER_SIGNING_KEY is not set, so no checkpoint can be verified: a "
            "checkpoint signed with any other key would pass"
        )
    public = _private_key().public_key()
    checkpoints = _chained()
    expect = expect.strip().lower().removeprefix("sha256:")
    if not checkpoints:
        entries = sum(head.length for head in chain_heads().values())
        if entries:
            return CheckpointReport(
                False,
                None,
                f"there is no signed checkpoint, although the logs hold {entries} entries: "
                "either none was ever made (sign the first with --checkpoint --first) or "
                "they were deleted (compare with the last checkpoint head you kept)",
                missing=True,
            )
        if expect:
            return _fail(f"the checkpoint head you kept (sha256:{expect}) is not in the database")
        return CheckpointReport(True, None, "the logs are empty and no checkpoint is needed yet")

    previous, before = GENESIS_HASH, dict.fromkeys((code for code, *_ in CHAINS), 0)
    for checkpoint in checkpoints:
        heads = checkpoint_heads(checkpoint)
        message = checkpoint_message(
            previous=checkpoint.previous, created_at=checkpoint.created_at, heads=heads
        )
        where = f"checkpoint {checkpoint.pk} ({checkpoint.created_at:%Y-%m-%d %H:%M})"
        if checkpoint.previous != previous:
            return _fail(
                f"{where} does not follow the checkpoint before it: checkpoints were "
                "deleted or replaced",
                checkpoint,
            )
        if hashlib.sha256(message).hexdigest() != checkpoint.digest:
            return _fail(f"{where} does not match its digest: it was edited", checkpoint)
        try:
            public.verify(bytes.fromhex(checkpoint.signature), message)
        except (InvalidSignature, ValueError):
            return _fail(f"{where} is not signed with this installation's key", checkpoint)
        for code, name, *_ in CHAINS:
            if heads[code].length < before[code]:
                return _fail(f"{where} counts fewer {name} entries than the one before it")
            before[code] = heads[code].length
        previous = checkpoint.digest

    latest = checkpoints[-1]
    for code, name, model, *_ in CHAINS:
        head = checkpoint_heads(latest)[code]
        if head.length == 0:
            continue
        at_position = (
            model.objects.order_by("id")
            .values_list("hash", flat=True)[head.length - 1 : head.length]
            .first()
        )
        if at_position is None:
            return _fail(
                f"the {name} is shorter than the {head.length} entries signed",
                latest,
                len(checkpoints),
            )
        if at_position != head.hash:
            return _fail(
                f"entry {head.length} of the {name} is not the one signed: rewritten",
                latest,
                len(checkpoints),
            )
    if expect and expect not in {checkpoint.digest for checkpoint in checkpoints}:
        return _fail(
            f"the checkpoint head you kept (sha256:{expect}) is not among the signed "
            "checkpoints: they were replaced",
            latest,
            len(checkpoints),
        )
    return CheckpointReport(True, latest, count=len(checkpoints))
