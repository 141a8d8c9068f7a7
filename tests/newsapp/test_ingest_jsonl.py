"""import_jsonl: bulk loading, idempotent re-runs, bad lines (shared corpus: make bench)."""

import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from newsapp.models import Article, Source, Topic

pytestmark = pytest.mark.django_db


RECORDS = [
    {
        "id": "r1",
        "title": "Orchard harvest best in a decade",
        "body": "Apple growers report a record crop.\n\nPrices are expected to fall.",
        "topic": "food_and_farming",
        "source": "County Courier",
        "date": "2024-09-01",
    },
    {
        "id": "r2",
        "title": "Bridge closes for repairs",
        "body": "<p>Closed <b>all week</b>.</p><script>x()</script>",
    },
    {
        "id": "r3",
        "title": "Orchard harvest best in a decade",
        "body": "Apple growers report a record crop.\n\nPrices are expected to fall.",
        "topic": "economy",
        "source": "County Courier",
    },
]


def write(path: Path, records, *, compress=False, extra_lines=()) -> Path:
    lines = [json.dumps(r) for r in records] + list(extra_lines)
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def load(*args) -> str:
    out = StringIO()
    call_command("import_jsonl", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_records_become_articles_with_topics_sources_and_dates(tmp_path):
    out = load(write(tmp_path / "a.jsonl.gz", RECORDS, compress=True))
    assert "3 records read in" in out and " s: 2 new" in out and "1 merged" in out
    orchard = Article.objects.get(guid="r1")
    assert set(orchard.topics.values_list("slug", flat=True)) == {"food-and-farming", "economy"}
    assert orchard.source.name == "County Courier"
    assert orchard.published_at.date().isoformat() == "2024-09-01"
    assert (
        orchard.body
        == "<p>Apple growers report a record crop.</p><p>Prices are expected to fall.</p>"
    )
    assert orchard.status == Article.Status.DRAFT
    bridge = Article.objects.get(guid="r2")
    assert "<script" not in bridge.body and "<b>all week</b>" in bridge.body
    assert Topic.objects.get(slug="food-and-farming").name == "Food and farming"


def test_running_again_duplicates_nothing_and_applies_changes(tmp_path):
    path = write(tmp_path / "a.jsonl", RECORDS)
    load(path, "--publish")
    changed = [dict(RECORDS[1], title="Bridge reopens early"), *RECORDS[:1]]
    out = load(write(tmp_path / "b.jsonl", changed), "--publish")
    assert "0 new, 1 updated, 1 unchanged" in out
    assert Article.objects.count() == 2
    assert Article.objects.get(guid="r2").title == "Bridge reopens early"
    assert set(Article.objects.values_list("status", flat=True)) == {"published"}


def test_bad_lines_are_listed_and_the_rest_loads(tmp_path):
    path = write(
        tmp_path / "a.jsonl",
        RECORDS[:1],
        extra_lines=["{not json", json.dumps({"title": "No id", "body": ""}), "[1, 2]", ""],
    )
    out = load(path)
    assert "1 new" in out and "3 failed" in out
    assert "line 2: not valid JSON" in out
    assert 'line 3: missing "id"' in out
    assert "line 4: not a JSON object" in out


def test_dry_run_stores_nothing(tmp_path):
    out = load(write(tmp_path / "a.jsonl", RECORDS), "--dry-run")
    assert out.startswith("[dry run]") and "2 new" in out
    assert Article.objects.count() == Source.objects.count() == 0


def test_unreadable_or_useless_files_fail_cleanly(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        load(tmp_path / "missing.jsonl")
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(gzip.compress(b'{"id": "1"}\n' * 100)[:40])
    with pytest.raises(CommandError):
        load(broken)
    with pytest.raises(CommandError, match="No record could be loaded"):
        load(write(tmp_path / "junk.jsonl", [], extra_lines=["junk", "more junk"]))
