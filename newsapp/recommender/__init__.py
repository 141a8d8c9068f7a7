"""The stated-preference recommender: plain Python, numpy, scipy and scikit-learn.

Nothing here imports Django or the rest of the project, so the core is tested and
benchmarked alone. The Django side (``newsapp.ranking``) only adapts models to
``Document`` and ``Profile``.
"""

from newsapp.recommender.index import Index, build_index, meaningful_terms, surface_forms
from newsapp.recommender.types import Document, Profile, Reasons, Recommendation

__all__ = [
    "Document",
    "Index",
    "Profile",
    "Reasons",
    "Recommendation",
    "build_index",
    "meaningful_terms",
    "surface_forms",
]
