"""How the recommender reads text: one analysis for the index, the queries and the words
shown to readers (lower-cased, accents stripped, English stop words and digits left out).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer, strip_accents_unicode

from newsapp.recommender.types import Document

TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W\d_]+\b"  # words of two letters or more, no digits
VECTORIZER_PARAMS: dict[str, object] = {
    "lowercase": True,
    "strip_accents": "unicode",
    "stop_words": "english",
    "token_pattern": TOKEN_PATTERN,
    "sublinear_tf": True,
    "dtype": np.float32,
}
# How strongly a title counts against the body: the title is repeated this many times.
TITLE_WEIGHT = 2

_ANALYZER = TfidfVectorizer(**VECTORIZER_PARAMS).build_analyzer()
_TOKEN = re.compile(TOKEN_PATTERN)
_NON_ASCII_LETTER = re.compile(r"(?=[^\x00-\x7f])[^\W\d_]")


def document_text(doc: Document) -> str:
    """What the index reads of a document: the title (weighted) and the text."""
    return " ".join([doc.title] * TITLE_WEIGHT + [doc.text or ""])


def meaningful_terms(text: str) -> list[str]:
    """The words of ``text`` any index could rank by: not stop words, not digits alone."""
    return _ANALYZER(text)


def surface_forms(terms: Sequence[str], text: str) -> list[str]:
    """``terms`` as ``text`` writes them: the index strips accents ("café" is "cafe"), a
    reader checking "Why this?" against the article should see the article's own word."""
    if text.isascii() or not _NON_ASCII_LETTER.search(text):
        return list(terms)  # every word is plain ASCII (curly quotes and dashes are no words)
    wanted = set(terms)
    found: dict[str, str] = {}
    for match in _TOKEN.finditer(text):
        word = match.group().lower()
        term = word if word.isascii() else strip_accents_unicode(word)
        if term in wanted and term not in found:
            found[term] = word
            if len(found) == len(wanted):
                break  # the first occurrence of each is the one shown
    return [found.get(term, term) for term in terms]
