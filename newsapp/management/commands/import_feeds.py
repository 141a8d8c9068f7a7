"""Import RSS and Atom feeds now, in the foreground, with one result line per feed.

The scheduled way is the ``import_due_feeds`` task; this command is the same work for cron,
for trying a new feed (``--url``) and for checking what a feed would bring (``--dry-run``).
Without options it fetches every active source that is not backing off after failures.
It exits non-zero when the arguments are wrong or when every feed it tried failed.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator

from newsapp.coverage import stories_queue
from newsapp.ingest import services
from newsapp.models import Source


class Command(BaseCommand):
    help = "Fetch feeds and import their entries as articles (one result line per feed)."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, metavar="ID", help="Fetch only this source.")
        parser.add_argument(
            "--url", help="Fetch this feed address, making a source for it if there is none."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Fetch and report what would change, but store nothing.",
        )

    def handle(self, *args, source=None, url=None, dry_run=False, verbosity=1, **options):
        if source is not None and url:
            raise CommandError("Give either --source or --url, not both.")
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise CommandError(f"Not an http or https address: {url}") from None
            reports = [services.feed_import(url=url, dry_run=dry_run)]
            if not dry_run:
                services.topic_suggestions_queue(reports[0].new_article_ids)
                services.lead_images_queue(reports[0].new_article_ids)
                stories_queue()
        elif source is not None:
            found = Source.objects.filter(pk=source).first()
            if found is None:
                raise CommandError(f"There is no source with id {source}.")
            if not found.feed_url:
                raise CommandError(f"Source {source} ({found.name}) has no feed address.")
            reports = services.feeds_import(sources=[found], dry_run=dry_run)
        else:
            due = list(services.sources_due())
            if verbosity >= 1:
                waiting = Source.objects.filter(active=True).exclude(feed_url="")
                for other in waiting.exclude(pk__in=[s.pk for s in due]):
                    self.stdout.write(
                        f"waiting {other.name}: {other.consecutive_failures} failure(s) in a "
                        f"row, next attempt after {other.next_fetch_after:%Y-%m-%d %H:%M} UTC"
                    )
            if not due:
                self.stdout.write("No feed is due for fetching.")
                return
            reports = services.feeds_import(sources=due, dry_run=dry_run)

        for report in reports:
            line = report.line()
            self.stdout.write(self.style.SUCCESS(line) if report.ok else self.style.ERROR(line))
        failed = sum(not r.ok for r in reports)
        if verbosity >= 1 and len(reports) > 1:
            self.stdout.write(
                f"{len(reports)} feeds: {len(reports) - failed} fetched, {failed} failed; "
                f"{sum(r.new for r in reports)} new, {sum(r.updated for r in reports)} "
                f"updated articles."
            )
        if reports and failed == len(reports):
            raise CommandError("Every feed failed; see the reasons above.")
