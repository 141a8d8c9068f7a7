"""Generate many published articles quickly, for load tests and benchmarks.

The demo newsroom has a few hundred hand-written stories; a load test needs a corpus the
size of a real site's (``make load`` asks for 10,000). Each generated article is stitched
from sentences of the demo stories of one or two topics plus those topics' keywords, so
the recommender sees text that is really about its topics, and is tagged, sourced and
dated like an editor's. Rows go in with ``bulk_create`` in batches (seconds for 10,000),
which is why this bypasses the editorial services: the bodies are built here from
sanitised demo text, and no reader data is touched.

Run ``load_demo`` first: topics, sources and the demo stories are the raw material.

The demo stories' vocabulary is small, and an index's size grows with the vocabulary of
real prose: ``--prose FILE`` (JSON Lines with ``title`` and ``body``, gzipped or not, such
as the shared corpora) mixes sentences of real news into every paragraph, so the benchmarks
measure an index of real text. The prose is read at run time, never stored in the project.
"""

import gzip
import json
import random
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from newsapp import ranking
from newsapp.core.sanitize import paragraphs_to_html
from newsapp.models import Article, Region, Source, Topic

BATCH = 1000


class Command(BaseCommand):
    help = "Add N generated published articles (bulk insert) built from the demo stories."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many articles to add.")
        parser.add_argument("--seed", type=int, default=20261101, help="Random seed.")
        parser.add_argument(
            "--days", type=int, default=30, help="Spread publication over this many days."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Build the articles but write nothing."
        )
        parser.add_argument(
            "--prose",
            action="append",
            default=[],
            metavar="FILE",
            help="JSON Lines of real articles whose sentences are mixed in (repeatable).",
        )

    def handle(self, *args, count: int, seed: int, days: int, dry_run: bool, **options):
        rng = random.Random(seed)
        topics = list(Topic.objects.all())
        sources = list(Source.objects.all())
        regions = list(Region.objects.all())
        if not topics or not sources:
            raise CommandError("No topics or sources: run `manage.py load_demo` first.")
        sentences = self.sentences_by_topic(topics)
        prose = self.prose_sentences(options["prose"])
        now = timezone.now()
        first = Article.objects.filter(slug__startswith="generated-").count()
        made = 0
        while made < count:
            size = min(BATCH, count - made)
            batch, tags = [], []
            for n in range(first + made, first + made + size):
                chosen = rng.sample(topics, k=rng.choice((1, 1, 2)))
                pool = [s for topic in chosen for s in sentences[topic.pk]]
                keywords = [w for topic in chosen for w in topic.keyword_list]
                title = self.title(rng, pool, keywords)
                paragraphs = [
                    " ".join(
                        rng.sample(pool, k=min(len(pool), rng.randint(2, 4)))
                        + (rng.sample(prose, k=rng.randint(1, 3)) if prose else [])
                    )
                    for _ in range(rng.randint(3, 6))
                ]
                batch.append(
                    Article(
                        title=title,
                        slug=f"generated-{n}-{slugify(title)[:60]}",
                        summary=paragraphs[0][:280],
                        body=paragraphs_to_html("\n\n".join(paragraphs)),
                        source=rng.choice(sources),
                        author="Plainsight load generator",
                        status=Article.Status.PUBLISHED,
                        published_at=now - timedelta(minutes=rng.randint(1, days * 24 * 60)),
                        region=rng.choice(regions) if regions and rng.random() < 0.1 else None,
                    )
                )
                tags.append(chosen)
            if not dry_run:
                self.write(batch, tags)
            made += size
            if options["verbosity"] >= 1:
                self.stdout.write(f"  {made}/{count} articles", ending="\r")
        self.stdout.write("")
        if not dry_run and made:
            ranking.index_refresh_queue()  # the task worker refits for the new corpus
        verb = "Would add" if dry_run else "Added"
        self.stdout.write(self.style.SUCCESS(f"{verb} {made} generated articles."))

    @transaction.atomic
    def write(self, batch: list[Article], tags: list[list[Topic]]) -> None:
        Article.objects.bulk_create(batch)  # PostgreSQL and SQLite return the new ids
        Through = Article.topics.through
        Through.objects.bulk_create(
            [
                Through(article_id=article.pk, topic_id=topic.pk)
                for article, chosen in zip(batch, tags, strict=True)
                for topic in chosen
            ]
        )

    def sentences_by_topic(self, topics: list[Topic]) -> dict[int, list[str]]:
        """Sentences of the published demo stories, by topic; keywords where there are none."""
        found: dict[int, list[str]] = {topic.pk: [] for topic in topics}
        articles = Article.objects.published().exclude(slug__startswith="generated-")
        for article in articles.prefetch_related("topics")[:2000]:
            parts = [s.strip() + "." for s in article.plain_text.split(".") if len(s.split()) > 5]
            for topic in article.topics.all():
                found[topic.pk].extend(parts)
        for topic in topics:
            if not found[topic.pk]:
                words = topic.keyword_list or [topic.name.lower()]
                found[topic.pk] = [f"This story is about {w} and {topic.name}." for w in words]
        return found

    def prose_sentences(self, paths: list[str]) -> list[str]:
        sentences: list[str] = []
        for path in paths:
            try:
                opener = gzip.open if path.endswith(".gz") else open
                with opener(path, "rt", encoding="utf-8") as lines:
                    for line in lines:
                        record = json.loads(line)
                        text = f"{record.get('title', '')}. {record.get('body', '')}"
                        sentences += [
                            s.strip() + "." for s in text.split(". ") if len(s.split()) > 5
                        ]
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {path}: {error}") from error
        return sentences

    def title(self, rng: random.Random, pool: list[str], keywords: list[str]) -> str:
        words = rng.choice(pool).split()[:8]
        if keywords:
            words.insert(rng.randint(0, len(words)), rng.choice(keywords))
        return " ".join(words).rstrip(".,;:").capitalize()[:200]
