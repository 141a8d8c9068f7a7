import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from consent.purposes import PURPOSE_CHOICES

GENESIS_HASH = "0" * 64


class PrivacyNotice(models.Model):
    """One published version of the privacy notice. A material version asks readers again."""

    version = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain language; paragraphs separated by a blank line.")
    material = models.BooleanField(
        default=False, help_text="Readers are asked for their consents again at their next visit."
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"Privacy notice {self.version}"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a ledger row."""


class ConsentEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The consent ledger is append-only.")

    def delete(self):
        raise AppendOnlyError("The consent ledger is append-only.")

    def for_subject(self, pseudonym: str) -> "ConsentEventQuerySet":
        return self.filter(subject_pseudonym=pseudonym)


class ConsentEvent(models.Model):
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
    purpose = models.CharField(max_length=40, choices=PURPOSE_CHOICES)
    granted = models.BooleanField()
    notice_version = models.CharField(max_length=20)
    method = models.CharField(max_length=20, choices=Method.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        action = "granted" if self.granted else "withdrew"
        return f"{self.subject_pseudonym[:10]}… {action} {self.purpose}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("The consent ledger is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The consent ledger is append-only.")

    def canonical(self) -> bytes:
        return json.dumps(
            {
                "subject": self.subject_pseudonym,
                "purpose": self.purpose,
                "granted": self.granted,
                "notice_version": self.notice_version,
                "method": self.method,
                "created_at": self.created_at.isoformat(),
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()
