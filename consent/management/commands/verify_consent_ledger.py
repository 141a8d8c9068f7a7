from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from consent.checkpoints import checkpoint_create, checkpoint_verify
from consent.models import AccessRecord, ConsentEvent, DataRequest
from consent.services import ledger_verify

LEDGERS = [
    ("consent ledger", ConsentEvent),
    ("data-subject request log", DataRequest),
    ("staff access log", AccessRecord),
]


class Command(BaseCommand):
    help = "Verify the consent ledger's hash chain (and the other chained logs) and its last "
    "signed checkpoint; with --checkpoint, sign the current head."

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="After a successful check, sign (length, head hash) with "
            "DJANGO_LEDGER_SIGNING_KEY and store the checkpoint.",
        )

    def handle(self, *args, checkpoint: bool, **options):
        failed = False
        for name, model in LEDGERS:
            report = ledger_verify(model)
            if report.ok:
                self.stdout.write(f"OK: {name}, {report.checked} entries, chain intact.")
            else:
                failed = True
                self.stderr.write(
                    f"BROKEN: {name}: entry id {report.broken_at} ({report.reason}); "
                    f"{report.checked} entries before it verify."
                )
        result = checkpoint_verify()
        if result.checkpoint is None:
            self.stdout.write("No checkpoint yet.")
        elif result.ok:
            self.stdout.write(
                f"OK: last checkpoint ({result.checkpoint.length} events, "
                f"{result.checkpoint.created_at:%Y-%m-%d %H:%M}) still matches the ledger."
            )
        else:
            failed = True
            self.stderr.write(f"BROKEN: checkpoint check: {result.reason}.")
        if failed:
            raise CommandError("The ledger does not verify; no checkpoint was written.")
        if checkpoint:
            try:
                made = checkpoint_create()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"Checkpoint signed: {made.length} events, head {made.head_hash[:16]}…"
            )
