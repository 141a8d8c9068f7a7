"""The passage of each result where the search matched, its matched words marked.

Made in Python from the text the result card already holds (its summary and the opening of
its body), the same on both engines and without a second pass of the database over the
page's rows: PostgreSQL's ``ts_headline`` re-parses every text and cost more than the whole
match at 100,000 articles. A word is marked when its Snowball stem is one the query looks
for, which is how PostgreSQL's English configuration (and, near enough, SQLite's Porter
tokenizer) matched it.
"""

from __future__ import annotations

import html
import re

from django.utils.safestring import SafeString, mark_safe

from newsapp.recommender.stemming import stems
from newsapp.search.query import STOP_WORDS, ParsedQuery

SNIPPET_WORDS = 30
# The opening of the body is where a story says what it is about; cutting it first keeps
# the cost of a snippet bounded by the page, not by the length of the article.
SNIPPET_SOURCE_CHARS = 2000
# Words of context kept before the first marked word of a passage.
LEAD_WORDS = 4
_WORD = re.compile(r"[^\W_]+")
# A tag, or a tag cut in half at the end of the opening.
_TAG = re.compile(r"<[^>]*(?:>|$)")


class Highlighter:
    """Snippets for one page of results of ``query``: each distinct word of the page is
    stemmed once (in one call of the C stemmer) and looked up after that."""

    def __init__(self, query: ParsedQuery) -> None:
        self.wanted = frozenset(stems([w for w in query.words if w not in STOP_WORDS]))
        self._is_wanted: dict[str, bool] = {}

    def snippet(self, summary: str, body: str) -> SafeString | None:
        """Up to two passages of the text (about ``SNIPPET_WORDS`` words in all) around the
        words the query looks for, those words marked; the opening when none is there."""
        text = source_text(summary, body)
        words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
        if not words:
            return None
        lowered = [text[start:end].lower() for start, end in words]
        new = list({w for w in lowered if w not in self._is_wanted})
        for word, root in zip(new, stems(new), strict=True):
            self._is_wanted[word] = root in self.wanted
        hits = [i for i, word in enumerate(lowered) if self._is_wanted[word]]
        return _passages(text, words, _windows(hits, len(words)), hits)


def source_text(summary: str, body: str) -> str:
    """The plain text a snippet is cut from: the summary, then the body's opening."""
    opening = html.unescape(_TAG.sub(" ", body[:SNIPPET_SOURCE_CHARS]))
    return " ".join(f"{summary} {opening}".split())


def _windows(hits: list[int], n_words: int) -> list[tuple[int, int]]:
    """The word ranges shown: the one with most matches, or two shorter ones when the
    matches are far apart, as a search engine shows them; the opening without a match."""
    if not hits:
        return [(0, min(n_words, SNIPPET_WORDS))]
    first = _best_window(hits, n_words, SNIPPET_WORDS)
    outside = [i for i in hits if not first[0] <= i < first[1]]
    if outside:
        half = SNIPPET_WORDS // 2
        head = (first[0], min(first[1], first[0] + half))
        tail = _best_window(outside, n_words, half)
        if tail[1] <= head[0] or tail[0] >= head[1]:
            return sorted([head, tail])
    return [first]


def _best_window(hits: list[int], n_words: int, size: int) -> tuple[int, int]:
    """The window of ``size`` words (starting a few words before a hit, or earlier near
    the end of the text) with most hits."""
    best, best_count = (0, 0), -1
    for hit in hits:
        start = max(0, min(hit - LEAD_WORDS, n_words - size))
        end = min(n_words, start + size)
        count = sum(1 for h in hits if start <= h < end)
        if count > best_count:
            best, best_count = (start, end), count
    return best


def _passages(
    text: str, words: list[tuple[int, int]], windows: list[tuple[int, int]], hits: list[int]
) -> SafeString:
    parts = []
    for start, end in windows:
        out, cursor = [], words[start][0]
        for i in (h for h in hits if start <= h < end):
            word_start, word_end = words[i]
            out.append(html.escape(text[cursor:word_start], quote=True))
            out.append(f"<mark>{html.escape(text[word_start:word_end], quote=True)}</mark>")
            cursor = word_end
        out.append(html.escape(text[cursor : words[end - 1][1]], quote=True))
        parts.append("".join(out))
    # Every piece of the reader-visible text was escaped; only our <mark> tags are markup.
    return mark_safe(" … ".join(parts))  # nosec B308 B703
