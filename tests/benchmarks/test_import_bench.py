"""import_jsonl on the shared Wikinews corpus (../shared/datasets): under a minute.

Run by ``make bench`` from a checkout that sits beside ``shared/``.
"""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from newsapp.models import Article
from tests.benchmarks.conftest import FIGURES

SHARED_CORPUS = Path(__file__).resolve().parents[2].parent / "shared/datasets/wikinews.jsonl.gz"


@pytest.mark.django_db
def test_the_shared_wikinews_corpus_loads_in_under_a_minute(benchmark):
    assert SHARED_CORPUS.exists(), f"make bench needs the shared corpus at {SHARED_CORPUS}"
    out = StringIO()
    started = time.perf_counter()
    benchmark.pedantic(
        call_command,
        args=("import_jsonl", str(SHARED_CORPUS), "--publish"),
        kwargs={"stdout": out},
        rounds=1,
        iterations=1,
    )
    elapsed = time.perf_counter() - started
    FIGURES["import_jsonl, shared Wikinews corpus"] = f"{elapsed:.1f} s (target < 60 s)"
    assert elapsed < 60
    assert "5929 records read" in out.getvalue() and "0 failed" in out.getvalue()
    assert Article.objects.count() == 5929 - 220  # stories filed under both topics, once
