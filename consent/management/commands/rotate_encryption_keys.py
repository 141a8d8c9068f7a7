"""Re-encrypt every encrypted value under the newest field-encryption key.

Why: a key is retired by putting a new one first in ``DJANGO_FIELD_ENCRYPTION_KEYS``
(old keys stay after it, so everything still decrypts), running this command, and only
then removing the old key. It visits every EncryptedTextField of every model and every
registered extra source (allauth's MFA secrets), one transaction per batch. Rows already
under the newest key are skipped, so a run that was interrupted is simply run again.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from consent import crypto
from consent.fields import rotation_sources


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field value under the newest key (resumable)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be re-encrypted."
        )

    def handle(self, *args, batch_size: int, dry_run: bool, verbosity: int, **options) -> None:
        crypto.check_configuration()
        key = crypto.current_key_id()
        if verbosity:
            self.stdout.write(f"Newest key: {key}")
        total = 0
        for source in rotation_sources():
            pending = source.pending()
            if dry_run:
                if verbosity:
                    self.stdout.write(f"{source.label}: {len(pending)} to re-encrypt")
                total += len(pending)
                continue
            done = 0
            with tqdm(
                total=len(pending),
                desc=source.label,
                unit="row",
                disable=verbosity < 1 or not pending,
                file=self.stderr._out,
            ) as bar:
                for start in range(0, len(pending), batch_size):
                    batch = pending[start : start + batch_size]
                    with transaction.atomic():
                        done += source.rotate(batch)
                    bar.update(len(batch))
            total += done
            if verbosity:
                self.stdout.write(f"{source.label}: {done} re-encrypted")
        verb = "would be re-encrypted" if dry_run else "re-encrypted"
        self.stdout.write(self.style.SUCCESS(f"{total} value(s) {verb} under key {key}."))
