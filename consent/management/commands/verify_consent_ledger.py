"""Verify the chained logs and their signed checkpoints; with --checkpoint, sign a new one.

Why: the hash chains show an edit in the middle of a log, the checkpoints a truncation or a
rewrite since the last one, and the printed checkpoint head, kept by a privacy officer
outside the database, a rewrite of everything. Run daily with --checkpoint (cron or the
task in consent/tasks.py) and keep its last line.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from consent.checkpoints import (
    CHAINS,
    CheckpointRefused,
    checkpoint_create,
    checkpoint_verify,
    published_line,
)
from consent.services import ledger_verify


class Command(BaseCommand):
    help = "Verify the consent ledger, the data-subject request log and the staff access log "
    "(hash chains and signed checkpoints); with --checkpoint, sign their current heads."

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="After a successful check, sign the logs' heads with "
            "DJANGO_LEDGER_SIGNING_KEY and store the checkpoint.",
        )
        parser.add_argument(
            "--first",
            action="store_true",
            help="With --checkpoint: sign even though no checkpoint exists yet while the logs "
            "hold entries (an installation's first). Never schedule this: it would take "
            "deleted checkpoints for a fresh start.",
        )
        parser.add_argument(
            "--expect",
            default="",
            metavar="sha256:DIGEST",
            help="A checkpoint head kept outside the database; it must be among the checkpoints.",
        )

    def handle(self, *args, checkpoint: bool, first: bool, expect: str, **options):
        if first and not checkpoint:
            raise CommandError("--first only goes with --checkpoint.")
        failed = False
        for _code, name, model, *_ in CHAINS:
            report = ledger_verify(model)
            if report.ok:
                self.stdout.write(f"OK: {name}, {report.checked} entries, chain intact.")
            else:
                failed = True
                self.stderr.write(
                    f"BROKEN: {name}: entry id {report.broken_at} ({report.reason}); "
                    f"{report.checked} entries before it verify."
                )
        result = checkpoint_verify(expect=expect)
        starting = first and result.missing
        if result.ok and result.checkpoint is None:
            self.stdout.write(f"OK: {result.reason}.")
        elif result.ok:
            self.stdout.write(
                f"OK: {result.count} signed checkpoint(s), chained; the last still matches "
                f"the logs: {published_line(result.checkpoint)}"
            )
        elif starting:
            self.stdout.write(
                "No signed checkpoint yet: signing this installation's first (--first)."
            )
        else:
            failed = True
            self.stderr.write(f"BROKEN: checkpoints: {result.reason}.")
        if failed:
            raise CommandError("The logs do not verify; no checkpoint was written.")
        if checkpoint:
            try:
                made = checkpoint_create(first=first)
            except (ImproperlyConfigured, CheckpointRefused) as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                "Checkpoint signed. Keep a copy of this line outside the database; "
                "verify_consent_ledger --expect sha256:… checks it later:"
            )
            self.stdout.write(published_line(made))
