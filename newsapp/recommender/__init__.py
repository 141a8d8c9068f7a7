"""The stated-preference recommender: plain Python, numpy, scipy and scikit-learn.

Nothing here imports Django or the rest of the project, so the core is tested and
benchmarked alone. The Django side (``newsapp.ranking``) only adapts models to
``Document`` and ``Profile``.
"""

from newsapp.recommender.build import build_index
from newsapp.recommender.index import Index
from newsapp.recommender.scoring import Scoring
from newsapp.recommender.storage import load_index, save_index
from newsapp.recommender.terms import meaningful_terms, surface_forms
from newsapp.recommender.types import Document, Profile, Reasons, Recommendation

__all__ = [
    "Document",
    "Index",
    "Profile",
    "Reasons",
    "Recommendation",
    "Scoring",
    "build_index",
    "load_index",
    "meaningful_terms",
    "save_index",
    "surface_forms",
]
