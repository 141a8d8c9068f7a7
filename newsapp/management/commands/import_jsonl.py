"""Bulk-load articles from a JSON Lines file (plain or .gz), with a progress bar.

For corpora and migrations from another system, where fetching feeds one by one is not
the way. Each line is an object with ``id``, ``title``, ``body`` and optionally ``topic``,
``source`` and ``date``. Running it again on the same file updates changed articles and
duplicates nothing. Bad lines are counted and listed, never fatal; an unreadable file is.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from newsapp import ranking
from newsapp.coverage import stories_queue
from newsapp.ingest.jsonl import JsonlError, count_lines, jsonl_import
from newsapp.ingest.services import topic_suggestions_queue


class Command(BaseCommand):
    help = "Load articles from a JSON Lines file (id, title, body, optional topic, source, date)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A .jsonl file, or a .jsonl.gz.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the new articles at once (default: drafts, unless their source "
            "publishes imported articles).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check everything, store nothing."
        )

    def handle(self, *args, file: Path, publish=False, dry_run=False, verbosity=1, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            total = count_lines(file) if verbosity >= 1 else None
            with tqdm(
                total=total, unit=" lines", file=sys.stderr, disable=verbosity < 1, delay=0.2
            ) as bar:
                report = jsonl_import(
                    path=file, publish=publish, dry_run=dry_run, progress=bar.update
                )
        except JsonlError as error:
            raise CommandError(str(error)) from None
        if not dry_run:
            topic_suggestions_queue(report.new_untagged_ids)
            if report.new or report.updated or report.merged:
                ranking.index_refresh_queue()
            stories_queue()

        prefix = "[dry run] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{file.name}: {report.read} records read in {report.seconds:.1f} s: "
            f"{report.new} new, {report.updated} updated, {report.skipped} unchanged, "
            f"{report.merged} merged into an article with the same text, "
            f"{report.failed} failed."
        )
        if report.topics_created:
            self.stdout.write(f"New topics: {', '.join(report.topics_created)}.")
        if report.sources_created:
            self.stdout.write(f"New sources: {', '.join(report.sources_created)}.")
        for error in report.errors:
            self.stdout.write(self.style.WARNING(f"  {error}"))
        if report.failed > len(report.errors):
            self.stdout.write(f"  … and {report.failed - len(report.errors)} more.")
        if report.read and report.failed == report.read:
            raise CommandError("No record could be loaded; see the reasons above.")
