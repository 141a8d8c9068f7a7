"""An index on disk: one ``.npz`` file, no pickle, written atomically, so every worker
loads the same build in a fraction of a second instead of refitting."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from newsapp.recommender.index import Index
from newsapp.recommender.terms import VECTORIZER_PARAMS

FORMAT_VERSION = 3


def save_index(index: Index, path: str | Path) -> None:
    path = Path(path)
    ints = all(isinstance(i, int) for i in index.doc_ids)
    meta = {
        "format": FORMAT_VERSION,
        "topics": index.topics,
        "sources": index.source_names,
        "regions": index.regions,
        "doc_ids": None if ints else [str(i) for i in index.doc_ids],
    }
    tags = index.tags.toarray().astype(np.bool_) if index.tags.shape[1] else np.zeros(0)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        np.savez(
            handle,
            meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
            terms=np.frombuffer("\n".join(index.terms).encode(), dtype=np.uint8),
            stems=np.frombuffer("\n".join(index.term_stems).encode(), dtype=np.uint8),
            idf=index.vectorizer.idf_.astype(np.float32),
            ids=np.asarray(index.doc_ids if ints else [], dtype=np.int64),
            m_data=index.matrix.data,
            m_indices=index.matrix.indices,
            m_indptr=index.matrix.indptr,
            m_shape=np.asarray(index.matrix.shape),
            p_data=index.topic_profiles.data,
            p_indices=index.topic_profiles.indices,
            p_indptr=index.topic_profiles.indptr,
            p_shape=np.asarray(index.topic_profiles.shape),
            affinity=index.affinity,
            affinity_mean=index.affinity_mean,
            affinity_std=index.affinity_std,
            tags=tags,
            sources=index.sources,
            published=index.published,
        )
    tmp.replace(path)


def load_index(path: str | Path) -> Index:
    with np.load(Path(path), allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode())
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"Index format {meta.get('format')} is not {FORMAT_VERSION}.")
        terms = data["terms"].tobytes().decode().split("\n")
        vectorizer = TfidfVectorizer(
            **VECTORIZER_PARAMS, vocabulary={t: i for i, t in enumerate(terms)}
        )
        vectorizer.idf_ = data["idf"]
        doc_ids = meta["doc_ids"] if meta["doc_ids"] is not None else data["ids"].tolist()
        n_topics = len(meta["topics"])
        tags = data["tags"] if n_topics else np.zeros((len(doc_ids), 0), dtype=bool)
        return Index(
            vectorizer=vectorizer,
            matrix=sp.csr_matrix(
                (data["m_data"], data["m_indices"], data["m_indptr"]),
                shape=tuple(data["m_shape"]),
            ),
            doc_ids=doc_ids,
            topics=meta["topics"],
            topic_profiles=sp.csr_matrix(
                (data["p_data"], data["p_indices"], data["p_indptr"]),
                shape=tuple(data["p_shape"]),
            ),
            affinity=data["affinity"],
            affinity_mean=data["affinity_mean"],
            affinity_std=data["affinity_std"],
            tags=sp.csr_matrix(tags),
            sources=data["sources"],
            source_names=meta["sources"],
            published=data["published"],
            regions=meta["regions"],
            term_stems=data["stems"].tobytes().decode().split("\n"),
        )
