"""Audit the recommender for bias: whom it shows, against what the newsroom publishes.

Readers rarely see what a ranking leaves out, and a newsroom should not take it on trust
either. This runs every consenting reader's first feed page (a seeded sample when there are
many), compares each source's and topic's share of those pages with its share of the
articles published in the window, and flags what is exposed more than twice or less than
half its share. The figures about readers are released once through the differential
privacy budget (ε is spent; the command fails when the day's budget is gone) and kept for
the editors' page in the admin. ``--dry-run`` shows the supply and spends nothing.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone
from tqdm import tqdm

from consent import dp
from newsapp import exposure
from newsapp.audit import Supply


def audit_supply(run) -> Supply:
    return Supply.from_json(run.supply)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number <= 0:
        raise CommandError(f"Expected a whole number above 0, got {value!r}.")
    return number


class Command(BaseCommand):
    help = (
        "Audit the recommender's exposure of sources and topics against their supply "
        "(spends ε of the day's privacy budget)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sample", help="Readers audited at most (default: setting).")
        parser.add_argument("--seed", help="Seed of the sample (default: today's date).")
        parser.add_argument("--days", help="Days of published articles that make the supply.")
        parser.add_argument("--svg", help="Also write the two charts as SVG files here.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show the supply only; release nothing."
        )

    def handle(self, *args, **options):
        sample = _positive(options["sample"]) if options["sample"] else None
        days = _positive(options["days"]) if options["days"] else None
        seed = None
        if options["seed"] is not None:
            try:
                seed = int(options["seed"])
            except ValueError as error:
                raise CommandError(f"The seed must be a whole number: {error}") from error
        if options["dry_run"]:
            self._write_supply(exposure.supply_in_window(window_days=days))
            self.stdout.write("Dry run: nothing was audited, released or spent.")
            return

        def progress(pages):
            if options["verbosity"] < 1:
                return pages
            return tqdm(pages, desc="first pages", unit=" readers", file=self.stderr._out)

        try:
            run = exposure.exposure_audit_run(
                staff_label="command line (audit_recommendations)",
                sample=sample,
                seed=seed,
                window_days=days,
                progress=progress,
            )
        except dp.BudgetExhausted as refusal:
            raise CommandError(str(refusal)) from refusal
        self._write_report(run)
        if options["svg"]:
            self._write_svg(run, Path(options["svg"]))

    def _write_supply(self, supply) -> None:
        self.stdout.write("Published articles in the window, by source:")
        for slug, count in sorted(supply.sources.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {supply.source_names.get(slug, slug):<32} {count:>6}")

    def _write_report(self, run) -> None:
        found = exposure.audit_report(run)
        fewer = f"fewer than {settings.DP_MIN_SHOWN}"
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"{run}: first pages of {run.page_size} articles; supply is what was "
                f"published in the {run.window_days} days before."
            )
        )
        write(f"Readers audited: {found.readers if found.readers else fewer} (noisy).")
        write(dp.noise_in_words(run.release))
        if not found.enough:
            write(
                self.style.WARNING(
                    "Too few readers who allowed statistics were audited for the exposure "
                    "figures to mean anything: no share of exposure is shown, nothing is flagged."
                )
            )
            self._write_supply(audit_supply(run))
            return
        write(
            f"Gini coefficient of exposure across sources: {found.gini_exposure:.2f} "
            f"(of supply: {found.gini_supply:.2f})."
        )
        if found.one_topic_share is None:
            write("Readers whose first page stays inside one topic: too few readers to say.")
        else:
            write(f"Readers whose first page stays inside one topic: {found.one_topic_share:.0%}.")
        only = found.exploration_only
        write(
            f"Topics readers meet only through “Outside your topics”: {len(only)} of "
            f"{len(found.exposed_topics)} exposed"
            + (f" ({', '.join(t.name for t in only)})." if only else ".")
        )
        for title, rows in (("Sources", found.sources), ("Topics", found.topics)):
            write("")
            write(f"{title:<32} {'articles':>8} {'supply':>7} {'exposure':>14}  flag")
            for row in rows:
                if not (row.articles or row.slots):
                    continue
                shown = f"{row.exposure_share:.0%}" if row.slots else fewer
                flag = {"over": "over-exposed", "under": "under-exposed"}.get(row.flag, "")
                write(
                    f"{row.name[:32]:<32} {row.articles:>8} {row.supply_share:>7.0%} "
                    f"{shown:>14}  {flag}"
                )
        flagged = found.flagged
        write("")
        if flagged:
            write(self.style.WARNING(f"Flagged (off its supply by more than 2x): {len(flagged)}"))
        else:
            write("Nothing is exposed more than twice or less than half its supply.")

    def _write_svg(self, run, directory: Path) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot write the charts to {directory}: {error}") from error
        stamp = timezone.localtime(run.created_at).strftime("%Y%m%d-%H%M")
        charts = exposure.exposure_charts(exposure.audit_report(run))
        for name, chart in zip(("sources", "topics"), charts, strict=True):
            path = directory / f"exposure-{name}-{stamp}.svg"
            context = {"chart": chart, "standalone": True}
            path.write_text(render_to_string("newsapp/_paired_bars.html", context))
            self.stdout.write(f"Chart written: {path}")
