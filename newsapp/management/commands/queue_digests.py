"""Queue the sending of the e-mail digests that are due, for the task worker.

Run it from cron, for example every hour: the worker (``manage.py db_worker``) sends each
reader's digest at most once per day or week however often this runs, so a missed hour
or a restarted worker costs nothing and sends nothing twice.
"""

from django.core.management.base import BaseCommand

from newsapp.digest import send_due_digests
from newsapp.models import DigestSubscription


class Command(BaseCommand):
    help = "Queue the digests that are due for the task worker (safe to run often)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many readers get one; queue nothing."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        readers = DigestSubscription.objects.count()
        if dry_run:
            self.stdout.write(f"{readers} reader(s) asked for a digest; nothing queued.")
            return
        result = send_due_digests.enqueue()
        if verbosity >= 1:
            self.stdout.write(f"Queued the digests of {readers} reader(s) (task {result.id}).")
