"""A ranking read page by page: rank deep, diversify and explain shallow.

``Index.rank`` scores every document and orders the few hundred best; the diversity pass
and the reasons of each card ("Why this?") are worked out only as far as the ranking is
read, so the first page of a feed ranked 200 deep costs a little more than 20 documents.
Whatever is read is exactly what the full list holds at those positions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

from newsapp.recommender.types import DocId, Recommendation


class Ranked(Sequence[Recommendation]):
    """The ranked documents in order. Indexing or slicing works out the order as far as
    needed and explains only what it returns (each document once); ``len()`` and
    ``doc_ids`` need the whole order; :meth:`has_more` looks one document ahead."""

    def __init__(
        self,
        *,
        order: Iterator[int],
        doc_ids: Sequence[DocId],
        explain: Callable[[Sequence[int]], list[Recommendation]],
    ) -> None:
        self._order = order  # rows of the index, best first, computed as read
        self._rows: list[int] = []
        self._complete = False
        self._index_ids = doc_ids
        self._explain = explain  # rows -> their recommendations, explained together
        self._explained: dict[int, Recommendation] = {}

    def _fill(self, n: int | None) -> None:
        """Work out the order up to ``n`` documents (None: all of it)."""
        while not self._complete and (n is None or len(self._rows) < n):
            row = next(self._order, None)
            if row is None:
                self._complete = True
            else:
                self._rows.append(row)

    def __len__(self) -> int:
        self._fill(None)
        return len(self._rows)

    def has_more(self, n: int) -> bool:
        """Whether the ranking holds more than ``n`` documents (works out ``n + 1``)."""
        self._fill(n + 1)
        return len(self._rows) > n

    @property
    def doc_ids(self) -> list[DocId]:
        self._fill(None)
        return [self._index_ids[row] for row in self._rows]

    def _recommendation(self, j: int) -> Recommendation:
        found = self._explained.get(j)
        if found is None:
            found = self._explain([self._rows[j]])[0]
            self._explained[j] = found
        return found

    def _recommendations(self, positions: range) -> list[Recommendation]:
        """The recommendations at these positions, those not yet explained in one go."""
        missing = [j for j in positions if j not in self._explained]
        if missing:
            found = self._explain([self._rows[j] for j in missing])
            self._explained.update(zip(missing, found, strict=True))
        return [self._explained[j] for j in positions]

    @overload
    def __getitem__(self, item: int) -> Recommendation: ...

    @overload
    def __getitem__(self, item: slice) -> list[Recommendation]: ...

    def __getitem__(self, item: int | slice) -> Recommendation | list[Recommendation]:
        if isinstance(item, slice):
            if item.step not in (None, 1) or (item.start or 0) < 0 or (item.stop or 0) < 0:
                self._fill(None)
            else:
                self._fill(item.stop)
            return self._recommendations(range(len(self._rows))[item])
        if item < 0:
            self._fill(None)
        else:
            self._fill(item + 1)
        return self._recommendation(range(len(self._rows))[item])

    def __iter__(self) -> Iterator[Recommendation]:
        j = 0
        while True:
            self._fill(j + 1)
            if j >= len(self._rows):
                return
            yield self._recommendation(j)
            j += 1

    def filtered(self, keep: Callable[[list[DocId]], Sequence[bool]], batch: int = 40) -> Ranked:
        """This ranking without the documents ``keep`` turns down. ``keep`` is asked about
        ``batch`` documents at a time, in order, only as far as the new ranking is read
        (so it may remember what it kept, as a filter of one card per story does)."""

        def order() -> Iterator[int]:
            start = 0
            while True:
                self._fill(start + batch)
                rows = self._rows[start : start + batch]
                if not rows:
                    return
                verdicts = keep([self._index_ids[row] for row in rows])
                yield from (row for row, kept in zip(rows, verdicts, strict=True) if kept)
                start += len(rows)

        return Ranked(order=order(), doc_ids=self._index_ids, explain=self._explain)

    @property
    def explained(self) -> int:
        """How many documents have been explained so far."""
        return len(self._explained)

    @property
    def ordered(self) -> int:
        """How many documents the order has been worked out for so far."""
        return len(self._rows)
