"""Shared state of the benchmark run: one generated corpus, one index built, saved, loaded.

Run by ``make bench`` only (``make test`` ignores this folder). The corpus size comes from
``NEWSAPP_BENCH_DOCS`` (default 100,000). Every figure is collected in ``FIGURES`` and
printed as one table at the end of the run.
"""

import os
import time

import pytest

from newsapp.recommender import Index, build_index, load_index, save_index
from tests.benchmarks.corpus import generate

N_DOCS = int(os.environ.get("NEWSAPP_BENCH_DOCS", "100000"))
FIGURES: dict[str, str] = {}
BUILD_SECONDS: list[float] = []


@pytest.fixture(scope="session")
def corpus():
    documents, keywords, topic_words = generate(N_DOCS, seed=0)
    return documents, keywords, topic_words


@pytest.fixture(scope="session")
def built(corpus, tmp_path_factory):
    documents, keywords, _ = corpus
    started = time.perf_counter()
    index = build_index(documents, topic_keywords=keywords)
    BUILD_SECONDS.append(time.perf_counter() - started)
    FIGURES["build time"] = f"{BUILD_SECONDS[0]:.1f} s for {len(documents):,} articles"
    path = tmp_path_factory.mktemp("index") / "index.npz"
    save_index(index, path)
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    FIGURES["index on disk"] = f"{sum(p.stat().st_size for p in files) / 1e6:.1f} MB"
    return path


@pytest.fixture(scope="session")
def index(built) -> Index:
    return load_index(built)


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("recommender benchmark figures")
        for name, value in FIGURES.items():
            terminalreporter.write_line(f"{name:<36} {value}")
