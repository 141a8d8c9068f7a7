"""The stated-preference recommender: plain Python, numpy, scipy and scikit-learn.

Nothing here imports Django or the rest of the project, so the core is tested and
benchmarked alone. The Django side (``newsapp.ranking``) only adapts models to
``Document`` and ``Profile``.


The value types load at once; everything that needs scikit-learn and scipy (the index,
its building, storage and text analysis) loads on first use, so a process that never ranks
(a management command, the admin's start-up, a migration) does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from newsapp.recommender.types import Document, Profile, Reasons, Recommendation

if TYPE_CHECKING:
    from newsapp.recommender.build import build_index
    from newsapp.recommender.index import Index
    from newsapp.recommender.ranked import Ranked
    from newsapp.recommender.scoring import Scoring
    from newsapp.recommender.storage import load_index, save_index
    from newsapp.recommender.terms import meaningful_terms, surface_forms

_LAZY = {
    "build_index": "build",
    "Index": "index",
    "Ranked": "ranked",
    "Scoring": "scoring",
    "load_index": "storage",
    "save_index": "storage",
    "meaningful_terms": "terms",
    "surface_forms": "terms",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"newsapp.recommender.{_LAZY[name]}")
        value = getattr(module, name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Document",
    "Index",
    "Profile",
    "Ranked",
    "Reasons",
    "Recommendation",
    "Scoring",
    "build_index",
    "load_index",
    "meaningful_terms",
    "save_index",
    "surface_forms",
]
