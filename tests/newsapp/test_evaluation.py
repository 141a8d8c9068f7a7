"""The offline evaluation: metrics, corpus loading and the management command."""

import gzip
import json
import re

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from newsapp.recommender import evaluation
from tests.newsapp.corpus import FOOD, SPACE, SPORT


def write_corpus(path, *, gz=False):
    rows = []
    for topic, texts in (("sport", SPORT), ("food", FOOD), ("space", SPACE)):
        for copy in range(3):  # enough articles for a split with tagged and untagged ones
            for i, text in enumerate(texts):
                rows.append(
                    {"id": f"{topic}-{copy}-{i}", "title": text[:30], "body": text, "topic": topic}
                )
    # The same story filed under two topics counts once, relevant to both.
    rows.append({"id": "both-a", "wikinews_id": 7, "title": "t", "body": "b", "topic": "food"})
    rows.append({"id": "both-b", "wikinews_id": 7, "title": "t", "body": "b", "topic": "space"})
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps(r) for r in rows))
    return path


def test_metrics_on_a_known_ranking():
    ranked = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], dtype=float)
    assert evaluation.precision_at(ranked) == pytest.approx(0.2)
    assert evaluation.r_precision(ranked) == pytest.approx(2 / 3)
    assert evaluation.average_precision(ranked) == pytest.approx((1 + 2 / 3 + 3 / 11) / 3)
    assert evaluation.ndcg_at(np.array([1, 1, 0], dtype=float)) == pytest.approx(1.0)


def test_duplicate_filings_merge_into_one_article(tmp_path):
    articles = evaluation.load_corpus(write_corpus(tmp_path / "c.jsonl.gz", gz=True))
    merged = [a for a in articles if a.id == "both-a"]
    assert len(articles) == 37 and merged[0].topics == {"food", "space"}


def test_our_ranker_beats_random_and_prints_every_method(tmp_path):
    report = evaluation.evaluate(
        evaluation.load_corpus(write_corpus(tmp_path / "c.jsonl")), tagged_fraction=0.5, seed=3
    )
    assert report.readers == 6  # three topics and three pairs
    assert report.scores["ours"][3] > report.scores["random"][3]
    table = report.table()
    for name in ("ours", "random", "centroid", "linear-svc", "P@10", "nDCG@10", "R-prec", "MAP"):
        assert name in table


def test_command_prints_the_table(tmp_path, capsys):
    path = write_corpus(tmp_path / "c.jsonl")
    call_command("evaluate_recommender", corpus=str(path), tagged_fraction=0.3, seed=1, verbosity=0)
    out = capsys.readouterr().out
    assert "tagged fraction 0.3 (seed 1)" in out and "linear-svc" in out


def test_command_refuses_a_missing_file_or_a_bad_fraction(tmp_path):
    with pytest.raises(CommandError, match="No corpus"):
        call_command("evaluate_recommender", corpus=str(tmp_path / "nope.jsonl"))
    path = write_corpus(tmp_path / "c.jsonl")
    with pytest.raises(CommandError, match="strictly between"):
        call_command("evaluate_recommender", corpus=str(path), tagged_fraction=1.0)


def test_command_over_several_seeds_prints_the_mean_and_the_worst_seed(tmp_path, capsys):
    path = write_corpus(tmp_path / "c.jsonl")
    call_command(
        "evaluate_recommender", corpus=str(path), tagged_fraction=0.5, seeds="0-2", verbosity=0
    )
    out = capsys.readouterr().out
    assert "mean over seeds 0, 1, 2" in out and "worst MAP (seed)" in out
    for name in ("ours", "random", "centroid", "linear-svc"):
        assert re.search(rf"^{name} .*\(\d\)$", out, flags=re.M), out


def test_command_refuses_bad_seeds(tmp_path):
    path = write_corpus(tmp_path / "c.jsonl")
    with pytest.raises(CommandError, match="--seeds takes a range"):
        call_command("evaluate_recommender", corpus=str(path), seeds="zero-four")


def test_readers_follow_only_topics_with_two_tagged_articles(tmp_path):
    articles = evaluation.load_corpus(write_corpus(tmp_path / "c.jsonl"))
    rare = evaluation.LabelledArticle(id="rare", title="t", body="b", topics=frozenset({"rare"}))
    setting = evaluation.prepare([*articles, rare], tagged_fraction=0.5, seed=3)
    assert "rare" in setting.topics and "rare" not in evaluation.followable(setting)
