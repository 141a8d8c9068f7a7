"""Snowball stemming (English, Porter 2), with nothing else of the recommender: the search
snippets stem with it too, and must not load numpy or scikit-learn to do so.

snowballstemmer runs the C stemmers of PyStemmer when they are installed (they are a
dependency), the same algorithm as PostgreSQL's English configuration.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence

import snowballstemmer

# Snowball's English stemmer (the Porter 2 algorithm), through one lock: a stemmer object
# keeps state while it works and is not safe to share between threads.
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()


@functools.lru_cache(maxsize=200_000)
def stem(term: str) -> str:
    """The Snowball stem of a term: "trams" and "tram" are "tram", "policies" and "policy"
    are "polici", "running" is "run"."""
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(term))


def stems(words: Sequence[str]) -> list[str]:
    """The Snowball stem of every word, in one call (a vocabulary at build time)."""
    with _STEMMER_LOCK:
        return [str(w) for w in _STEMMER.stemWords(list(words))]
