"""Offline evaluation of the ranker against three references, in one seeded run.

A labelled corpus (JSON Lines: ``id``, ``title``, ``body``, ``topic``) stands in for a
newsroom: a seeded random ``1 - F`` of the articles lose their topics (as imported,
untagged articles do), the index is built on all of them, and every reader who follows
one topic or a pair of topics gets the untagged articles ranked. An article is relevant
when one of its hidden topics is followed. The same run scores three references on the
index's own TF-IDF matrix, so only the ranking method differs:

* ``random``: a seeded shuffle, the floor;
* ``centroid``: cosine with the mean of the followed topics' tagged articles;
* ``linear-svc``: a supervised scikit-learn ``LinearSVC`` per reader, trained on the
  tagged articles (followed topic or not), its decision function as the score.

Plain Python (numpy, scikit-learn), no Django: the management command only wraps it.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from newsapp.recommender.build import build_index
from newsapp.recommender.index import Index
from newsapp.recommender.types import Document, Profile

CUTOFF = 10
METRICS = ("P@10", "nDCG@10", "R-prec", "MAP")
# A reader follows only topics that editors tagged at least this often in the split.
MIN_TAGGED = 2


@dataclass(frozen=True)
class LabelledArticle:
    id: str
    title: str
    body: str
    topics: frozenset[str]


def load_corpus(path: str | Path) -> list[LabelledArticle]:
    """Read a JSON Lines corpus, plain or gzipped.

    ``topic`` may be one slug or a list; ``also_in`` (optional) names more topics. An
    article listed once per topic (same ``wikinews_id``, or same ``id``) becomes one
    article relevant to all of them.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    merged: dict[str, dict] = {}
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            key = str(row.get("wikinews_id") or row["id"])
            topics = row.get("topic") or []
            topics = [topics] if isinstance(topics, str) else list(topics)
            also = row.get("also_in") or []
            topics += [also] if isinstance(also, str) else list(also)
            entry = merged.setdefault(
                key, {"id": str(row["id"]), "title": row.get("title") or "", "topics": set()}
            )
            entry["body"] = entry.get("body") or row.get("body") or ""
            entry["topics"].update(t for t in topics if t)
    return [
        LabelledArticle(id=e["id"], title=e["title"], body=e["body"], topics=frozenset(e["topics"]))
        for e in merged.values()
    ]


# -- metrics (binary relevance, ranking given as a relevance vector in rank order) -------


def precision_at(ranked: np.ndarray, k: int = CUTOFF) -> float:
    return float(ranked[:k].sum() / k)


def ndcg_at(ranked: np.ndarray, k: int = CUTOFF) -> float:
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float((ranked[:k] * discounts[: len(ranked[:k])]).sum())
    ideal = float(discounts[: min(int(ranked.sum()), k)].sum())
    return dcg / ideal if ideal else 0.0


def r_precision(ranked: np.ndarray) -> float:
    r = int(ranked.sum())
    return float(ranked[:r].sum() / r) if r else 0.0


def average_precision(ranked: np.ndarray) -> float:
    r = int(ranked.sum())
    if not r:
        return 0.0
    hits = np.flatnonzero(ranked)
    return float((np.arange(1, r + 1) / (hits + 1)).mean())


def metric_values(scores: np.ndarray, relevant: np.ndarray, tiebreak: np.ndarray) -> list[float]:
    # Ties are broken by a seeded permutation, never by corpus order (which may be sorted
    # by topic and would flatter a constant score).
    order = np.lexsort((tiebreak, -scores))
    ranked = relevant[order].astype(np.float64)
    return [precision_at(ranked), ndcg_at(ranked), r_precision(ranked), average_precision(ranked)]


# -- the rankers -----------------------------------------------------------------------


@dataclass
class Setting:
    """One seeded split of a corpus and the index built on it."""

    articles: list[LabelledArticle]
    tagged: np.ndarray  # bool per article: its topics are visible to the index
    index: Index
    topics: list[str]
    seed: int

    @property
    def untagged(self) -> np.ndarray:
        return np.flatnonzero(~self.tagged)

    def labels(self, followed: Sequence[str]) -> np.ndarray:
        wanted = set(followed)
        return np.array([bool(a.topics & wanted) for a in self.articles])


Ranker = Callable[[Setting, tuple[str, ...]], np.ndarray]


def rank_ours(setting: Setting, followed: tuple[str, ...]) -> np.ndarray:
    profile = Profile(topics=dict.fromkeys(followed, 1.0), explore=False)
    return setting.index.relevance(profile)[setting.untagged]


def rank_random(setting: Setting, followed: tuple[str, ...]) -> np.ndarray:
    salt = sum(ord(c) for c in "|".join(followed))
    return np.random.default_rng(setting.seed + salt).random(len(setting.untagged))


def rank_centroid(setting: Setting, followed: tuple[str, ...]) -> np.ndarray:
    matrix = setting.index.matrix
    positive = setting.tagged & setting.labels(followed)
    if not positive.any():
        return np.zeros(len(setting.untagged))
    centroid = normalize(sp.csr_matrix(matrix[np.flatnonzero(positive)].mean(axis=0)))
    return np.asarray((matrix[setting.untagged] @ centroid.T).todense()).ravel()


def rank_linear_svc(setting: Setting, followed: tuple[str, ...]) -> np.ndarray:
    matrix = setting.index.matrix
    rows = np.flatnonzero(setting.tagged)
    y = setting.labels(followed)[rows]
    if y.all() or not y.any():  # one class only: nothing to separate
        return np.zeros(len(setting.untagged))
    model = LinearSVC().fit(matrix[rows], y)
    return model.decision_function(matrix[setting.untagged])


RANKERS: dict[str, Ranker] = {
    "ours": rank_ours,
    "random": rank_random,
    "centroid": rank_centroid,
    "linear-svc": rank_linear_svc,
}


# -- one run ---------------------------------------------------------------------------


@dataclass
class Report:
    corpus_size: int
    tagged: int
    untagged: int
    topics: list[str]
    readers: int
    tagged_fraction: float
    seed: int
    scores: dict[str, list[float]] = field(default_factory=dict)  # method -> METRICS means

    def table(self) -> str:
        width = max(len(m) for m in self.scores) + 2
        head = "method".ljust(width) + "".join(m.rjust(9) for m in METRICS)
        lines = [
            f"corpus: {self.corpus_size} articles, {len(self.topics)} topics; "
            f"tagged fraction {self.tagged_fraction:g} (seed {self.seed}): "
            f"{self.tagged} tagged, {self.untagged} ranked; {self.readers} readers "
            "(every topic and every pair of topics)",
            head,
            "-" * len(head),
        ]
        for method, values in self.scores.items():
            lines.append(method.ljust(width) + "".join(f"{v:9.4f}" for v in values))
        return "\n".join(lines)


def readers_for(topics: Sequence[str]) -> list[tuple[str, ...]]:
    return [(t,) for t in topics] + list(itertools.combinations(topics, 2))


def followable(setting: Setting, min_tagged: int = MIN_TAGGED) -> list[str]:
    """The topics with at least ``min_tagged`` tagged articles in the split."""
    counts = dict.fromkeys(setting.topics, 0)
    for i in np.flatnonzero(setting.tagged):
        for topic in setting.articles[i].topics:
            counts[topic] += 1
    return [t for t in setting.topics if counts[t] >= min_tagged]


def prepare(articles: Sequence[LabelledArticle], *, tagged_fraction: float, seed: int) -> Setting:
    """Hide the topics of a seeded ``1 - tagged_fraction`` and build the index on all."""
    if not 0.0 < tagged_fraction < 1.0:
        raise ValueError("The tagged fraction must be strictly between 0 and 1.")
    articles = list(articles)
    rng = np.random.default_rng(seed)
    n_tagged = max(1, min(len(articles) - 1, round(tagged_fraction * len(articles))))
    tagged = np.zeros(len(articles), dtype=bool)
    tagged[rng.permutation(len(articles))[:n_tagged]] = True
    documents = [
        Document(
            id=i,
            title=a.title,
            text=a.body,
            topics=a.topics if tagged[i] else frozenset(),
        )
        for i, a in enumerate(articles)
    ]
    topics = sorted({t for a in articles for t in a.topics})
    index = build_index(documents)
    return Setting(articles=articles, tagged=tagged, index=index, topics=topics, seed=seed)


def evaluate(
    articles: Sequence[LabelledArticle],
    *,
    tagged_fraction: float = 0.5,
    seed: int = 0,
    rankers: dict[str, Ranker] | None = None,
    progress: Callable[[Iterable], Iterable] = iter,
) -> Report:
    setting = prepare(articles, tagged_fraction=tagged_fraction, seed=seed)
    rankers = rankers or RANKERS
    untagged = setting.untagged
    tiebreak = np.random.default_rng(seed + 1).permutation(len(untagged))
    per_method: dict[str, list[list[float]]] = {name: [] for name in rankers}
    readers = 0
    for followed in progress(readers_for(followable(setting))):
        relevant = setting.labels(followed)[untagged]
        if not relevant.any():  # nothing to find: every metric is undefined
            continue
        readers += 1
        for name, ranker in rankers.items():
            scores = np.nan_to_num(np.asarray(ranker(setting, followed), dtype=np.float64))
            per_method[name].append(metric_values(scores, relevant, tiebreak))
    return Report(
        corpus_size=len(setting.articles),
        tagged=int(setting.tagged.sum()),
        untagged=len(untagged),
        topics=setting.topics,
        readers=readers,
        tagged_fraction=tagged_fraction,
        seed=seed,
        scores={
            name: [float(np.mean(column)) for column in zip(*rows, strict=True)]
            if rows
            else [math.nan] * len(METRICS)
            for name, rows in per_method.items()
        },
    )


# -- several seeds -----------------------------------------------------------------------


@dataclass
class Summary:
    """Several seeded runs of one corpus and fraction: the mean of every metric and the
    worst seed's MAP per method."""

    reports: list[Report]

    @property
    def methods(self) -> list[str]:
        return list(self.reports[0].scores)

    def mean(self, method: str) -> list[float]:
        return [
            float(np.mean(v)) for v in zip(*(r.scores[method] for r in self.reports), strict=True)
        ]

    def worst(self, method: str) -> tuple[float, int]:
        """The lowest MAP over the seeds, and that seed."""
        report = min(self.reports, key=lambda r: r.scores[method][3])
        return report.scores[method][3], report.seed

    def table(self) -> str:
        first = self.reports[0]
        seeds = ", ".join(str(r.seed) for r in self.reports)
        width = max(len(m) for m in self.methods) + 2
        head = (
            "method".ljust(width)
            + "".join(m.rjust(9) for m in METRICS)
            + "worst MAP (seed)".rjust(19)
        )
        lines = [
            f"corpus: {first.corpus_size} articles, {len(first.topics)} topics; tagged "
            f"fraction {first.tagged_fraction:g}: {first.tagged} tagged, {first.untagged} "
            f"ranked; {first.readers} readers (topics with >= {MIN_TAGGED} tagged articles, "
            f"and their pairs); mean over seeds {seeds}",
            head,
            "-" * len(head),
        ]
        for method in self.methods:
            value, seed = self.worst(method)
            lines.append(
                method.ljust(width)
                + "".join(f"{v:9.4f}" for v in self.mean(method))
                + f"{value:13.4f} ({seed})"
            )
        return "\n".join(lines)


def evaluate_seeds(
    articles: Sequence[LabelledArticle],
    *,
    tagged_fraction: float = 0.5,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    rankers: dict[str, Ranker] | None = None,
    progress: Callable[[Iterable], Iterable] = iter,
) -> Summary:
    return Summary(
        [
            evaluate(
                articles,
                tagged_fraction=tagged_fraction,
                seed=seed,
                rankers=rankers,
                progress=progress,
            )
            for seed in seeds
        ]
    )
