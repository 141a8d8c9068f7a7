"""Measure the ranker on a labelled corpus beside three references, in one seeded run.

Why: ranking quality is the product, and a number without a baseline means nothing. This
hides the topics of a seeded random share of the articles, builds the index, ranks the
untagged articles for every reader who follows one topic or a pair of topics, and prints
P@10, nDCG@10, R-precision and MAP for our ranker, a random order, a TF-IDF centroid and a
supervised LinearSVC. With ``--seeds 0-4`` it repeats the split for every seed and prints
the mean and the worst seed's MAP per method, so one lucky split proves nothing. It reads a
file and changes no data, so it needs no ``--dry-run``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from newsapp.recommender import evaluation


class Command(BaseCommand):
    help = "Evaluate the recommender on a JSON Lines corpus (id, title, body, topic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", required=True, type=Path, help="FILE.jsonl or .jsonl.gz")
        parser.add_argument(
            "--tagged-fraction",
            type=float,
            default=0.5,
            help="Share of articles whose topics stay visible to the index (default 0.5).",
        )
        parser.add_argument("--seed", type=int, default=0, help="Seed of the split (default 0).")
        parser.add_argument(
            "--seeds",
            help="Several seeds, as a range (0-4) or a list (0,2,7): prints the mean and the "
            "worst seed per method instead of one run.",
        )

    def handle(
        self,
        *args,
        corpus: Path,
        tagged_fraction: float,
        seed: int,
        seeds: str | None = None,
        **options,
    ) -> None:
        corpus = Path(corpus)
        if not corpus.is_file():
            raise CommandError(f"No corpus at {corpus}.")
        if not 0.0 < tagged_fraction < 1.0:
            raise CommandError("--tagged-fraction must be strictly between 0 and 1.")
        seed_list = parse_seeds(seeds) if seeds else None
        verbosity = options["verbosity"]
        articles = evaluation.load_corpus(corpus)
        topics = {t for a in articles for t in a.topics}
        if len(articles) < 2 or not topics:
            raise CommandError("The corpus needs at least two articles with a topic.")
        if verbosity > 1:
            self.stderr.write(f"Loaded {len(articles)} articles in {len(topics)} topics.")

        def progress(readers):
            return tqdm(readers, desc="readers", disable=verbosity < 1, file=self.stderr)

        if seed_list is not None:
            summary = evaluation.evaluate_seeds(
                articles, tagged_fraction=tagged_fraction, seeds=seed_list, progress=progress
            )
            self.stdout.write(summary.table())
            return
        report = evaluation.evaluate(
            articles, tagged_fraction=tagged_fraction, seed=seed, progress=progress
        )
        self.stdout.write(report.table())


def parse_seeds(text: str) -> list[int]:
    """``0-4`` or ``0,2,7`` as a list of seeds; a clear error for anything else."""
    try:
        if "-" in text.strip().lstrip("-"):
            low, high = (int(part) for part in text.split("-", 1))
            seeds = list(range(low, high + 1))
        else:
            seeds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(
            f"--seeds takes a range like 0-4 or a list like 0,2,7, not {text!r}."
        ) from None
    if not seeds:
        raise CommandError(f"--seeds {text!r} names no seed.")
    return seeds
