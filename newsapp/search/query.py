"""What a reader typed, read the way web search engines read it, and what is wrong with it.

- Words are all required: ``tram fares`` finds articles with both.
- ``"heat pumps"`` is a phrase; ``-gas`` or ``-"gas boiler"`` leaves articles out.
- ``or`` between words accepts either side: ``tram or bus fares`` is (tram) or (bus and fares),
  as PostgreSQL's ``websearch_to_tsquery`` reads it.

The reading is rebuilt from words only (letters and digits), so nothing a reader types is
ever syntax to a database: PostgreSQL gets a clean websearch string, SQLite an FTS5
expression made of quoted strings. Both drop the same stop words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 200

# PostgreSQL's English stop words (tsearch_data/english.stop, from Snowball), so that a
# query made only of them is explained the same way on SQLite, whose index keeps them.
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class EmptyQuery(Exception):
    """Nothing was typed: show the search form, no message."""


class QueryError(ValueError):
    """The query cannot be searched; ``str(error)`` says why and what to do, in plain words."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or the words of a phrase
    negated: bool = False

    @property
    def meaningful(self) -> bool:
        return any(word not in STOP_WORDS for word in self.words)

    def websearch(self) -> str:
        text = self.words[0] if len(self.words) == 1 else '"' + " ".join(self.words) + '"'
        return f"-{text}" if self.negated else text

    def fts5(self) -> str:
        # An FTS5 string: inside double quotes every character is text, never an operator.
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class ParsedQuery:
    """Alternatives (``or``), each a list of terms that must all hold."""

    groups: tuple[tuple[Term, ...], ...]

    def websearch(self) -> str:
        """For PostgreSQL's ``websearch_to_tsquery``."""
        return " or ".join(" ".join(term.websearch() for term in group) for group in self.groups)

    def fts5(self) -> str:
        """For SQLite's ``MATCH``: ``(("a" AND "b") NOT "c") OR ("d")``."""
        parts = []
        for group in self.groups:
            wanted = [t.fts5() for t in group if not t.negated]
            expression = "(" + " AND ".join(wanted) + ")"
            for term in group:
                if term.negated:
                    expression = f"({expression} NOT {term.fts5()})"
            parts.append(expression)
        return " OR ".join(parts)

    @property
    def words(self) -> list[str]:
        """The words searched for (not the ones left out), for messages."""
        return [w for group in self.groups for t in group if not t.negated for w in t.words]


def parse(text: str | None) -> ParsedQuery:
    """Read ``text``; raises ``EmptyQuery`` or ``QueryError`` (with the reader's message)."""
    text = _CONTROL.sub(" ", text or "").strip()
    if not text:
        raise EmptyQuery
    if len(text) > MAX_LENGTH:
        raise QueryError(
            f"Your search is {len(text):,} characters long. Keep it under {MAX_LENGTH}: "
            "a few words that describe the story work best."
        )
    if text.count('"') % 2:
        raise QueryError(
            "A quotation mark is not closed. Put a phrase between two quotation marks, "
            'like "heat pumps", or remove the quotation mark.'
        )
    groups: list[list[Term]] = [[]]
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1) == "-", match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or":
            groups.append([])
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = True, bare[1:]
        words = tuple(w.lower() for w in _WORD.findall(phrase if phrase is not None else bare))
        if words:
            groups[-1].append(Term(words=words, negated=negated))
    terms = [t for group in groups for t in group]
    if not terms:
        raise QueryError("Type at least one word to search for (letters or digits).")
    kept = [[t for t in group if t.meaningful] for group in groups]
    kept = [group for group in kept if group]
    if not any(not t.negated for group in kept for t in group):
        if all(not t.meaningful for t in terms):
            raise QueryError(
                "Your search has only very common words (like “the”, “of” or “and”) that "
                "say nothing about a story. Add a word that does, like a name or a place."
            )
        raise QueryError(
            "Say what to look for, not only what to leave out: a word with a minus sign "
            "in front (like -gas) removes articles from the results of other words."
        )
    for group in kept:
        if all(t.negated for t in group):
            raise QueryError(
                "Each side of “or” needs a word to look for, not only words to leave out."
            )
    return ParsedQuery(groups=tuple(tuple(group) for group in kept))
