"""Full coverage, measured: precision and recall on pairs of the story clustering.

1. The demo newsroom (load_demo): 14 versions written for the project of 8 stories that
   other outlets also covered, among 211 articles, grouped by the real publishing path.
   The demo also holds two pairs that look alike but are not one story; they count
   against precision.
2. The shared Wikinews corpus (../shared/datasets, read at run time, never stored): 600
   articles get 1 to 3 synthetic versions each (a sample of their sentences, a share of
   their words dropped, another title), among all 5,709 articles as distractors, in
   publication order. Wikinews itself files some stories twice under other titles;
   those true duplicates count as errors here, so precision is a lower bound.
"""

import gzip
import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from newsapp.models import Article
from newsapp.recommender import Document, build_index
from newsapp.recommender.coverage import THRESHOLD, cluster, pair_scores
from tests.benchmarks.conftest import FIGURES

pytestmark = pytest.mark.benchmark_suite

ROOT = Path(__file__).resolve().parents[2]
# The shared folder sits beside the checkout (or beside the folder of worktrees).
SHARED = (
    next(
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
        ROOT.parent / "shared",
    )
    / "datasets/wikinews.jsonl.gz"
)
# Titles of the demo's known groups (newsapp/demo/articles_4.jsonl and their originals).
DEMO_STORY_WORDS = {
    "pacemate": ("PaceMate", "Fitness App", "Fitness app"),
    "lobbying": ("obbyist", "Lobbying"),
    "quake": ("Earthquake", "tremors", "Tremors", "Thorne End"),
    "wildfire": ("wildfire", "Wildfire", "heathland fire"),
    "meteors": ("Meteor", "meteors"),
    "heatwave": ("Marine heatwave", "sea temperatures off Port Ardent"),
    "standards": ("Barrowby", "Housing Minister"),
    "blood": ("O-negative",),
}


def _demo_truth(article: Article) -> str:
    for story, words in DEMO_STORY_WORDS.items():
        if any(w in article.title for w in words):
            return story
    return f"alone-{article.pk}"


@pytest.mark.django_db
def test_clustering_precision_and_recall_on_the_demo_newsroom(benchmark):
    benchmark.pedantic(call_command, args=("load_demo",), rounds=1, iterations=1)
    articles = list(Article.objects.order_by("pk"))
    predicted = [a.story_id or f"alone-{a.pk}" for a in articles]
    truth = [_demo_truth(a) for a in articles]
    precision, recall = pair_scores(predicted, truth)
    FIGURES["coverage, demo newsroom (pairs)"] = (
        f"precision {precision:.2f}, recall {recall:.2f} ({len(articles)} articles, "
        f"threshold {THRESHOLD})"
    )
    assert recall == 1.0 and precision >= 0.85


def _version(rng: random.Random, record: dict, heavy: bool) -> tuple[str, str]:
    sentences = re.split(r"(?<=[.!?])\s+", record["body"])
    keep = [s for s in sentences if rng.random() < (0.3 if heavy else 0.6)] or sentences[:2]
    head, tail = keep[:2], keep[2:]
    rng.shuffle(tail)
    words = [w for w in " ".join(head + tail).split() if rng.random() > (0.4 if heavy else 0.2)]
    title_words = [w for w in record["title"].split() if rng.random() > 0.4]
    title = " ".join(title_words + sentences[0].split()[:4])
    return title, " ".join(words)


def _wikinews(heavy: bool):
    records = {}
    with gzip.open(SHARED, "rt") as handle:
        for line in handle:
            record = json.loads(line)
            records.setdefault(record["wikinews_id"], record)  # filed under two topics: once
    originals = list(records.values())
    rng = random.Random(7)
    with_versions = set(rng.sample(range(len(originals)), 600))
    documents, truth, times = [], [], []
    for i, record in enumerate(originals):
        day = datetime.fromisoformat(record["date"] or "2005-01-01").replace(tzinfo=UTC)
        published = day + timedelta(hours=rng.uniform(0, 12))
        documents.append(Document(id=len(documents), title=record["title"], text=record["body"]))
        truth.append(i)
        times.append(published.timestamp())
        for _ in range(rng.choice((1, 1, 2, 3)) if i in with_versions else 0):
            title, text = _version(rng, record, heavy)
            documents.append(Document(id=len(documents), title=title, text=text))
            truth.append(i)
            times.append((published + timedelta(hours=rng.uniform(-6, 30))).timestamp())
    return documents, truth, np.asarray(times)


@pytest.mark.parametrize("heavy", [False, True], ids=["light rewrites", "heavy rewrites"])
def test_clustering_precision_and_recall_on_wikinews_with_versions(benchmark, heavy):
    assert SHARED.exists(), f"make bench needs the shared corpus at {SHARED}"
    documents, truth, times = _wikinews(heavy)
    index = build_index(documents)
    labels = benchmark.pedantic(cluster, args=(index.matrix, times), rounds=1, iterations=1)
    precision, recall = pair_scores(labels, truth)
    kind = "heavy" if heavy else "light"
    FIGURES[f"coverage, Wikinews + {kind} versions (pairs)"] = (
        f"precision {precision:.2f} (lower bound), recall {recall:.2f} "
        f"({len(documents):,} articles)"
    )
    assert precision >= 0.85 and recall >= 0.9
