""" "Why this?" names what really drove a pick, on a real corpus (the shared HuffPost
headlines): removing the shown words from an article lowers its score for that reader
more than removing as many of its other words, for at least 90% of sampled pairs."""

import gzip
import json
import random
import re
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import strip_accents_unicode

from newsapp.recommender import Document, Profile, build_index
from newsapp.recommender.terms import TOKEN_PATTERN

CORPUS = "shared/datasets/huffpost_news_10k.jsonl.gz"
ARTICLES = 2000
READERS = 20
PICKS = 5
TOKEN = re.compile(TOKEN_PATTERN)


def shared_corpus() -> Path:
    """The shared corpus beside the repository (or beside a folder above it)."""
    for folder in Path(__file__).resolve().parents:
        if (folder / CORPUS).exists():
            return folder / CORPUS
    raise AssertionError(f"This test reads the shared corpus {CORPUS} beside the repository.")


def without(text: str, terms: set[str]) -> str:
    """``text`` with every word the index reads as one of ``terms`` taken out."""
    return TOKEN.sub(
        lambda m: "" if strip_accents_unicode(m.group().lower()) in terms else m.group(), text
    )


@pytest.fixture(scope="module")
def newsroom():
    with gzip.open(shared_corpus(), "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line, _ in zip(lines, range(ARTICLES), strict=False)]
    documents = [  # every other article tagged, as an editor would have filed it
        Document(
            id=i,
            title=row["title"],
            text=row["body"],
            topics=frozenset({row["topic"]}) if i % 2 == 0 else frozenset(),
        )
        for i, row in enumerate(rows)
    ]
    return build_index(documents), documents


def test_removing_the_shown_words_lowers_the_score_more_than_removing_others(newsroom):
    index, documents = newsroom
    rng = random.Random(16)
    tagged = [d.id for d in documents if d.topics]
    counts = {t: sum(t in d.topics for d in documents) for t in index.topics}
    common = sorted(t for t, n in counts.items() if n >= 20)
    cases = []  # (profile, probe ids: as is, shown words out, as many others out)
    probes: list[Document] = []
    for _ in range(READERS):
        followed = rng.sample(common, rng.choice([1, 2]))
        profile = Profile(topics=dict.fromkeys(followed, 1.0), explore=False)
        # Untagged picks: a tagged article's score is held up by the editor's tag.
        for pick in index.recommend(profile, k=PICKS, exclude=tagged):
            doc = documents[pick.doc_id]
            shown = set(pick.reasons.terms)
            vocabulary = index.vectorizer.vocabulary_
            present = set(index.vectorise([f"{doc.title} {doc.text}"]).indices.tolist())
            others = sorted(present - {vocabulary[t] for t in shown})
            if not shown or len(others) < len(shown):
                continue
            removed = {str(index.terms[c]) for c in rng.sample(others, len(shown))}
            ids = []
            for words in (set(), shown, removed):
                ids.append(f"probe-{len(probes)}")
                probes.append(
                    Document(
                        id=ids[-1], title=without(doc.title, words), text=without(doc.text, words)
                    )
                )
            cases.append((profile, ids))
    grown = index.with_documents(probes)  # the probes are scored like any new article
    wins = 0
    for profile, ids in cases:
        scores = grown.relevance(profile)[[grown.position[i] for i in ids]]
        wins += bool(scores[0] - scores[1] > scores[0] - scores[2])
    assert len(cases) >= READERS * PICKS * 0.8
    assert wins / len(cases) >= 0.9, f"{wins} of {len(cases)}"
