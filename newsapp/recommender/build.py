"""Building an index: fit the vocabulary on the corpus and learn what each topic is about."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from newsapp.recommender.index import Index
from newsapp.recommender.learning import learn_topics
from newsapp.recommender.rows import apply_tag_floor, source_codes, tag_matrix, timestamps
from newsapp.recommender.terms import VECTORIZER_PARAMS, Vectorizer, document_text
from newsapp.recommender.types import Document


def build_index(
    documents: Iterable[Document], topic_keywords: Mapping[str, Sequence[str]] | None = None
) -> Index:
    """Fit the vocabulary on ``documents`` and learn one profile per topic.

    ``topic_keywords`` maps a topic slug to words (and, if wished, its description) that
    describe it; they are blended with the centroid of the topic's tagged articles, so a
    topic works before anything is tagged and stays anchored once many are.
    """
    documents = list(documents)
    topic_keywords = dict(topic_keywords or {})
    topics = sorted({t for d in documents for t in d.topics} | set(topic_keywords))
    topic_position = {slug: i for i, slug in enumerate(topics)}

    vectorizer = TfidfVectorizer(**VECTORIZER_PARAMS)
    texts = [document_text(d) for d in documents]
    try:
        matrix = vectorizer.fit_transform(texts or [""])
    except ValueError:  # no usable word anywhere: an index that ranks by freshness only
        vectorizer = TfidfVectorizer(**{**VECTORIZER_PARAMS, "stop_words": None})
        matrix = vectorizer.fit_transform(["empty"])
    matrix = matrix[: len(documents)]
    matrix = (normalize(matrix) if len(documents) else matrix).astype(np.float32).tocsr()

    tags = tag_matrix(documents, topic_position)
    keyword_vectors = {}
    for slug in topics:
        words = " ".join(topic_keywords.get(slug, ()))
        vector = normalize(vectorizer.transform([words])) if words.strip() else None
        if vector is not None and vector.nnz:
            keyword_vectors[slug] = sp.csr_matrix(vector, dtype=np.float32)
    topic_profiles, offsets, scales, raw = learn_topics(matrix, tags, topics, keyword_vectors)
    affinity = ((raw - offsets[:, None]) / scales[:, None]).astype(np.float32)
    if len(topics):
        affinity = apply_tag_floor(affinity, tags)

    source_names = sorted({d.source for d in documents if d.source})
    source_position = {name: i for i, name in enumerate(source_names)}
    return Index(
        vectorizer=Vectorizer.from_fitted(vectorizer),
        matrix=matrix,
        doc_ids=[d.id for d in documents],
        topics=topics,
        topic_profiles=topic_profiles,
        affinity=np.ascontiguousarray(affinity, dtype=np.float32),
        affinity_mean=offsets,
        affinity_std=scales,
        tags=tags,
        sources=source_codes(documents, source_position),
        source_names=source_names,
        published=timestamps(documents),
        regions=[d.region for d in documents],
    )
