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
# Splitting on a captured word gives the separators and the words in turn, in one call.
_WORDS = re.compile(r"([^\W_]+)")
# The same split for a text whose letters and digits are all ASCII (most news: its curly
# quotes and dashes are not letters), where the ASCII class finds the same words three
# times as fast as the Unicode one.
_ASCII_WORDS = re.compile(r"([A-Za-z0-9]+)")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
# The stems of words seen by any page of this process (a bounded memory: a newsroom's
# vocabulary is some tens of thousands of words).
_ROOTS: dict[str, str] = {}
ROOTS_KEPT = 100_000
# A tag, or a tag cut in half at the end of the opening.
_TAG = re.compile(r"<[^>]*(?:>|$)")


class Highlighter:
    """Snippets for one page of results of ``query``: each distinct word of the page is
    stemmed once (in one call of the C stemmer) and looked up after that."""

    def __init__(self, query: ParsedQuery) -> None:
        self.wanted = frozenset(stems([w for w in query.words if w not in STOP_WORDS]))
        # A Snowball stem changes only the end of a word, never its first letter: a word
        # starting with no wanted stem's letter is not stemmed to be looked for.
        self._initials = frozenset(root[0] for root in self.wanted if root)
        self._is_wanted: dict[str, bool] = {}

    def snippet(self, summary: str, body: str) -> SafeString | None:
        """Up to two passages of the text (about ``SNIPPET_WORDS`` words in all) around the
        words the query looks for, those words marked; the opening when none is there."""
        parts = _split(source_text(summary, body))  # separator, word, separator, ...
        lowered = [word.lower() for word in parts[1::2]]
        if not lowered:
            return None
        is_wanted, initials = self._is_wanted, self._initials
        candidates = [word for word in set(lowered) if word[0] in initials]
        new = [word for word in candidates if word not in is_wanted]
        for word, root in zip(new, _roots(new), strict=True):
            is_wanted[word] = root in self.wanted
        found = {word for word in candidates if is_wanted[word]}
        hits = [i for i, word in enumerate(lowered) if word in found] if found else []
        return _passages(parts, _windows(hits, len(lowered)), set(hits))


def _split(text: str) -> list[str]:
    """``_WORDS.split(text)``, through the ASCII class when no letter or digit of ``text``
    is outside ASCII."""
    if any(c.isalnum() for c in set(_NOT_ASCII.findall(text))):
        return _WORDS.split(text)
    return _ASCII_WORDS.split(text)


def _roots(words: list[str]) -> list[str]:
    """The Snowball stems of ``words`` (distinct), those not met before stemmed in one call.
    (Read into a mapping of its own: another thread may empty the shared memory meanwhile.)"""
    known: dict[str, str] = {}
    missing: list[str] = []
    for word in words:
        root = _ROOTS.get(word)
        if root is None:
            missing.append(word)
        else:
            known[word] = root
    if missing:
        stemmed = dict(zip(missing, stems(missing), strict=True))
        known.update(stemmed)
        if len(_ROOTS) + len(stemmed) > ROOTS_KEPT:
            _ROOTS.clear()
        _ROOTS.update(stemmed)
    return [known[word] for word in words]


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


def _passages(parts: list[str], windows: list[tuple[int, int]], hits: set[int]) -> SafeString:
    """The text of each window of words (``parts`` as the word split gives it: word ``i``
    is ``parts[2 i + 1]``, the separators around it beside it), its hits marked."""
    passages = []
    for start, end in windows:
        out: list[str] = []
        plain: list[str] = []  # the text since the last mark, escaped when one comes
        for i in range(start, end):
            if i in hits:
                out.append(html.escape("".join(plain), quote=True))
                out.append(f"<mark>{html.escape(parts[2 * i + 1], quote=True)}</mark>")
                plain = []
            else:
                plain.append(parts[2 * i + 1])
            if i < end - 1:
                plain.append(parts[2 * i + 2])
        out.append(html.escape("".join(plain), quote=True))
        passages.append("".join(out))
    # Every piece of the reader-visible text was escaped; only our <mark> tags are markup.
    return mark_safe(" … ".join(passages))  # nosec B308 B703
