"""Group the published articles full coverage has not looked at yet into stories.

Publishing queues this work for the newest articles as they arrive (``newsapp.coverage``);
this command works through a backlog: after a bulk load that bypassed the services
(``generate_articles``), or after the migration that added stories to an existing site.
"""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from newsapp.coverage import BATCH, stories_assign
from newsapp.models import Article


class Command(BaseCommand):
    help = "Group published articles not looked at yet into stories (full coverage)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many are waiting; change nothing."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        waiting = Article.objects.published().filter(clustered_at__isnull=True).count()
        if dry_run or not waiting:
            self.stdout.write(f"{waiting} published article(s) waiting for full coverage.")
            return
        done = 0
        with tqdm(total=waiting, unit=" articles", disable=verbosity < 1, delay=0.2) as bar:
            while True:
                looked_at = stories_assign(limit=BATCH)
                if not looked_at:
                    break
                done += looked_at
                bar.update(looked_at)
        in_stories = Article.objects.published().filter(story__isnull=False).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Looked at {done} article(s); {in_stories} published article(s) now share a "
                "story with another outlet's version."
            )
        )
