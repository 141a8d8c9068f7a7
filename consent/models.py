import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from consent.pseudonyms import pseudonym_for
from consent.purposes import purpose_choices

GENESIS_HASH = "0" * 64


class PrivacyNoticeQuerySet(models.QuerySet):
    def current(self) -> "PrivacyNotice | None":
        return self.filter(published_at__lte=timezone.now()).order_by("-published_at").first()

    def latest_material(self) -> "PrivacyNotice | None":
        return (
            self.filter(material=True, published_at__lte=timezone.now())
            .order_by("-published_at")
            .first()
        )


class PrivacyNotice(models.Model):
    """One published version of the privacy notice. A material version asks readers again."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain language; paragraphs separated by a blank line.")
    material = models.BooleanField(
        default=False, help_text="Readers are asked for their consents again at their next visit."
    )
    published_at = models.DateTimeField(default=timezone.now)

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"Privacy notice {self.version}"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("This ledger is append-only.")

    def delete(self):
        raise AppendOnlyError("This ledger is append-only.")

    def for_subject(self, pseudonym: str) -> "AppendOnlyQuerySet":
        return self.filter(subject_pseudonym=pseudonym)


class ChainedRecord(models.Model):
    """An append-only row carrying the SHA-256 of the previous row of its table.

    Subclasses name the fields the hash covers in ``chain_fields``; any edit, insertion
    or deletion in the middle breaks the chain and is reported by ``ledger_verify``.
    """

    chain_fields: tuple[str, ...] = ()

    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("This ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("This ledger is append-only.")

    def canonical(self) -> bytes:
        values = {}
        for name in self.chain_fields:
            value = getattr(self, name)
            values[name] = value.isoformat() if hasattr(value, "isoformat") else value
        values["prev_hash"] = self.prev_hash
        return json.dumps(values, sort_keys=True, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    def links_hold(self) -> bool:
        """Whether the row's links to accounts agree with what its hash covers."""
        return True


class ConsentEvent(ChainedRecord):
    """One grant or withdrawal, chained to the previous event by its SHA-256.

    The hash covers the pseudonym, not the user id, so the chain still verifies after an
    erased account's link to ``subject`` is cut.
    """

    class Method(models.TextChoices):
        SIGNUP = "signup", "Sign-up"
        DASHBOARD = "dashboard", "Privacy dashboard"
        PROMPT = "prompt", "Re-consent prompt"

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_events",
    )
    subject_pseudonym = models.CharField(max_length=64, db_index=True)
    # The purposes the apps registered, read when needed: a new purpose needs no migration.
    purpose = models.CharField(max_length=40, choices=purpose_choices)
    granted = models.BooleanField()
    notice_version = models.CharField(max_length=20)
    method = models.CharField(max_length=20, choices=Method.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # "subject" in the hash is the pseudonym, so the chain outlives an erased account.
    chain_fields = (
        "subject_pseudonym",
        "purpose",
        "granted",
        "notice_version",
        "method",
        "created_at",
    )

    class Meta(ChainedRecord.Meta):
        pass

    def __str__(self) -> str:
        action = "granted" if self.granted else "withdrew"
        return f"{self.subject_pseudonym[:10]}… {action} {self.purpose}"

    def links_hold(self) -> bool:
        # ``subject`` cannot be hashed (erasure cuts it), but whom it names can be checked:
        # the account's pseudonym is hashed. users_consenting_to reads ``subject``.
        return self.subject_id is None or pseudonym_for(self.subject_id) == self.subject_pseudonym


class DataRequest(ChainedRecord):
    """A reader's request about their own data, logged for the privacy officer.

    Holds the kind, the time and counts only (never the content), under the reader's
    pseudonym, so the log survives the erasure it records.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", "Export (Art. 15/20)"
        CLEAR = "clear", "Clear recommendations"
        ERASE = "erase", "Erasure (Art. 17)"
        ITEM_DELETE = "item_delete", "Deleted one item"
        OBJECT = "object", "Paused personalization (Art. 21)"
        RESUME = "resume", "Resumed personalization"

    subject_pseudonym = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.JSONField(
        default=dict, blank=True, help_text="Counts per data category; never the content."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    chain_fields = ("subject_pseudonym", "kind", "summary", "created_at")

    class Meta(ChainedRecord.Meta):
        verbose_name = "data-subject request"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.subject_pseudonym[:10]}…"


class AccessRecord(ChainedRecord):
    """A member of staff looked at a reader's personal data (or looked a reader up)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff_label = models.CharField(
        max_length=254, help_text="Who, kept if the staff account is later removed."
    )
    subject_pseudonym = models.CharField(max_length=64, db_index=True)
    what = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    chain_fields = ("staff_label", "subject_pseudonym", "what", "created_at")

    class Meta(ChainedRecord.Meta):
        verbose_name = "staff access record"

    def __str__(self) -> str:
        return f"{self.staff_label} viewed {self.what}"

    def links_hold(self) -> bool:
        # The hashed label ends with the staff member's short pseudonym (audit.staff_label_for).
        return self.staff_id is None or self.staff_label.endswith(pseudonym_for(self.staff_id)[:12])


class LedgerCheckpoint(models.Model):
    """A signed head of the three chained logs, chained to the checkpoint before it.

    ``length``/``head_hash`` are the consent ledger's, ``requests_*`` the data-subject
    request log's, ``access_*`` the staff access log's. ``digest`` is the SHA-256 of what
    was signed (consent.checkpoints.checkpoint_message) and ``previous`` the digest of the
    checkpoint before, so deleting or replacing a checkpoint breaks the chain of them.
    Rows without a digest are checkpoints of the consent ledger alone, from before
    checkpoints covered every log: kept, no longer relied on.
    """

    length = models.PositiveIntegerField()
    head_hash = models.CharField(max_length=64)
    requests_length = models.PositiveIntegerField(default=0)
    requests_head = models.CharField(max_length=64, default=GENESIS_HASH)
    access_length = models.PositiveIntegerField(default=0)
    access_head = models.CharField(max_length=64, default=GENESIS_HASH)
    previous = models.CharField(
        max_length=64, blank=True, help_text="Digest of the checkpoint before this one."
    )
    digest = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="SHA-256 of what was signed: the checkpoint head to keep a copy of.",
    )
    signature = models.CharField(max_length=128, help_text="Ed25519, hex.")
    public_key = models.CharField(max_length=64, help_text="Ed25519 public key, hex.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"Checkpoint at {self.length} events ({self.created_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def message(length: int, head_hash: str) -> bytes:
        """What the checkpoints without a digest signed (the consent ledger only)."""
        return f"consent-ledger|{length}|{head_hash}".encode()


class StatisticRelease(models.Model):
    """One differentially private release of a statistic, with the epsilon it spent.

    The noisy values are stored, so looking at a past release again costs nothing.
    """

    statistic = models.CharField(max_length=60)
    day = models.DateField(null=True, blank=True, help_text="The day the figures are about.")
    epsilon = models.FloatField()
    scale = models.FloatField(help_text="Noise scale of the discrete Laplace mechanism.")
    sensitivity = models.PositiveIntegerField()
    values = models.JSONField(help_text="Noisy figures as released; never the true counts.")
    released_by = models.CharField(
        max_length=254,
        help_text="Role and short pseudonym of the member of staff, never the e-mail.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.statistic} (ε={self.epsilon:g}) at {self.created_at:%Y-%m-%d %H:%M}"


class ReaderVersion(models.Model):
    """A reader's data version: a random token drawn anew whenever anything of theirs
    changes (``consent.changes``), so that pages kept for them are made again. No row
    reads as the token "0"; erasure deletes the row."""

    pseudonym = models.CharField(max_length=64, primary_key=True)
    token = models.CharField(max_length=16)

    class Meta:
        verbose_name = "reader data version"

    def __str__(self) -> str:
        return self.token
