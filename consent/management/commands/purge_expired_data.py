from django.core.management.base import BaseCommand

from consent.rights import retention_purge


class Command(BaseCommand):
    help = "Delete every item past the retention declared in the data inventory."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options):
        results = retention_purge(dry_run=dry_run)
        verb = "would be deleted" if dry_run else "deleted"
        for title, count in results:
            self.stdout.write(f"{title}: {count} {verb}")
        total = sum(count for _, count in results)
        self.stdout.write(f"In all: {total} {verb}.")
