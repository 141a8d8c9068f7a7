"""How the recommender reads text: one analysis for the index, the queries and the words
shown to readers (lower-cased, accents stripped, English stop words and digits left out).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from newsapp.recommender.stopwords import STOP_WORDS
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

_TOKEN = re.compile(TOKEN_PATTERN)


def strip_accents_unicode(text: str) -> str:
    """``text`` without its accents ("café" is "cafe"): scikit-learn's function of the
    same name, which the index was fitted with."""
    try:
        text.encode("ASCII", errors="strict")
        return text
    except UnicodeEncodeError:
        normalized = unicodedata.normalize("NFKD", text)
        return "".join([c for c in normalized if not unicodedata.combining(c)])


def _analyse(text: str) -> list[str]:
    """The terms of ``text`` as ``VECTORIZER_PARAMS`` analyse it (scikit-learn's analyzer
    for them: lower-cased, then accents stripped, the token pattern's words, no stop
    words)."""
    return [t for t in _TOKEN.findall(strip_accents_unicode(text.lower())) if t not in STOP_WORDS]


_ANALYZER = _analyse


class Vectorizer:
    """A fitted TF-IDF vectorizer reduced to what reading an index needs: its vocabulary,
    its idf and ``transform``, the same numbers as scikit-learn's ``TfidfVectorizer`` with
    ``VECTORIZER_PARAMS`` (sublinear term frequency, idf, rows of length one). Fitting
    stays with scikit-learn (``build.py``); a process that only loads a saved index never
    imports it."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray) -> None:
        self.vocabulary_: Mapping[str, int] = {t: i for i, t in enumerate(terms)}
        if len(self.vocabulary_) != len(idf):
            raise ValueError(f"{len(idf)} idf values for {len(self.vocabulary_)} terms.")
        self.idf_ = np.asarray(idf, dtype=np.float32)
        self._terms = np.asarray(list(terms), dtype=object)

    @classmethod
    def from_fitted(cls, fitted: Any) -> Vectorizer:
        """The reading side of a fitted ``TfidfVectorizer``."""
        return cls(fitted.get_feature_names_out().tolist(), fitted.idf_)

    def get_feature_names_out(self) -> np.ndarray:
        return self._terms

    def build_analyzer(self) -> Callable[[str], list[str]]:
        return _analyse

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Rows of sublinear TF-IDF, each of length one (an empty row stays empty)."""
        vocabulary = self.vocabulary_
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for text in texts:
            counted: dict[int, int] = {}
            for term in _analyse(text):
                position = vocabulary.get(term)
                if position is not None:
                    counted[position] = counted.get(position, 0) + 1
            indices.extend(counted)
            counts.extend(counted.values())
            indptr.append(len(indices))
        matrix = sp.csr_matrix(
            (
                np.asarray(counts, dtype=np.float32),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int32),
            ),
            shape=(len(indptr) - 1, len(vocabulary)),
        )
        matrix.sort_indices()
        np.log(matrix.data, matrix.data)
        matrix.data += 1.0
        matrix.data *= self.idf_[matrix.indices]
        return l2_rows(matrix)


def l2_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row of ``matrix`` over its length, as scikit-learn's ``normalize`` does it to
    the bit: the squares, of the stored type, summed one after another in double
    precision, each value divided in double precision and stored in its type. An empty
    row stays empty."""
    matrix = sp.csr_matrix(matrix, copy=True)
    if matrix.dtype not in (np.float32, np.float64):
        matrix = matrix.astype(np.float64)
    data, indptr = matrix.data, matrix.indptr
    squares = (data * data).astype(np.float64)
    for row in range(matrix.shape[0]):
        start, end = indptr[row], indptr[row + 1]
        if start == end:
            continue
        total = float(np.cumsum(squares[start:end])[-1])
        if total == 0.0:
            continue
        data[start:end] = data[start:end].astype(np.float64) / np.sqrt(total)
    return matrix


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
