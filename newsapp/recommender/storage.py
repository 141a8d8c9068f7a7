"""An index on disk: a directory of plain ``.npy`` arrays and one JSON file, no pickle,
written atomically (built beside, then renamed into place).

The arrays are stored uncompressed and loaded memory-mapped, read-only: every worker on
the machine that loads the same build shares one copy of its matrices in the page cache,
and a worker's resident memory holds only the pages its requests touch. The column copy
of the matrix (what keyword and feedback scoring read) is stored too, so loading costs no
transposition. Loading takes a fraction of a second at any size.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from newsapp.recommender.index import Index
from newsapp.recommender.terms import Vectorizer

FORMAT_VERSION = 4
META = "meta.json"


def _arrays(index: Index) -> dict[str, np.ndarray]:
    ints = all(isinstance(i, int) for i in index.doc_ids)
    tags = sp.csr_matrix(index.tags)
    return {
        "terms": np.frombuffer("\n".join(index.terms).encode(), dtype=np.uint8),
        "stems": np.frombuffer("\n".join(index.term_stems).encode(), dtype=np.uint8),
        "idf": np.asarray(index.vectorizer.idf_, dtype=np.float32),
        "ids": np.asarray(index.doc_ids if ints else [], dtype=np.int64),
        "m_data": index.matrix.data,
        "m_indices": index.matrix.indices,
        "m_indptr": index.matrix.indptr,
        "c_data": index.columns.data,
        "c_indices": index.columns.indices,
        "c_indptr": index.columns.indptr,
        "p_data": index.topic_profiles.data,
        "p_indices": index.topic_profiles.indices,
        "p_indptr": index.topic_profiles.indptr,
        "affinity": index.affinity,
        "affinity_mean": index.affinity_mean,
        "affinity_std": index.affinity_std,
        "t_indices": tags.indices.astype(np.int32),
        "t_indptr": tags.indptr.astype(np.int32),
        "sources": index.sources,
        "published": index.published,
    }


def save_index(index: Index, path: str | Path) -> None:
    """Write ``index`` as the directory ``path``, replacing any index already there."""
    path = Path(path)
    ints = all(isinstance(i, int) for i in index.doc_ids)
    meta = {
        "format": FORMAT_VERSION,
        "topics": index.topics,
        "sources": index.source_names,
        "regions": index.regions,
        "doc_ids": None if ints else [str(i) for i in index.doc_ids],
        "m_shape": list(index.matrix.shape),
        "p_shape": list(index.topic_profiles.shape),
    }
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.mkdir(parents=True)
    try:
        for name, array in _arrays(index).items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        (tmp / META).write_text(json.dumps(meta))
        if path.exists():  # replaced whole: readers of the old files keep their mapping
            old = path.with_name(f".{path.name}.{secrets.token_hex(4)}.old")
            os.rename(path, old)
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _one_blas_thread() -> None:
    """Limit BLAS to one thread in this process, once.

    A process that loads an index serves it: each request thread ranks on its own core,
    and BLAS's extra threads would only wait for a core another request holds (on a busy
    machine, a ranking's matrix-vector product took twice as long with two). A build in a
    process that never loads an index keeps every thread."""
    global _blas_pinned
    if not _blas_pinned:
        threadpool_limits(limits=1, user_api="blas")
        _blas_pinned = True


_blas_pinned = False


def load_index(path: str | Path) -> Index:
    """The index saved at ``path``, its large arrays memory-mapped read-only (and BLAS on
    one thread from then on in this process: see ``_one_blas_thread``)."""
    path = Path(path)
    _one_blas_thread()
    meta_path = path / META
    if not meta_path.is_file():
        raise ValueError(f"{path} is not a saved index (format {FORMAT_VERSION}).")
    meta = json.loads(meta_path.read_text())
    if meta.get("format") != FORMAT_VERSION:
        raise ValueError(f"Index format {meta.get('format')} is not {FORMAT_VERSION}.")

    def array(name: str) -> np.ndarray:
        # A plain ndarray view of the mapping: the pages stay shared between workers, and
        # indexing skips numpy.memmap's per-call Python overhead (a third of a ranking).
        return np.asarray(np.load(path / f"{name}.npy", mmap_mode="r", allow_pickle=False))

    terms = array("terms").tobytes().decode().split("\n")
    vectorizer = Vectorizer(terms, np.asarray(array("idf")))
    doc_ids = meta["doc_ids"] if meta["doc_ids"] is not None else array("ids").tolist()
    shape = tuple(meta["m_shape"])
    n_topics = len(meta["topics"])
    tag_indices, tag_indptr = array("t_indices"), array("t_indptr")
    return Index(
        vectorizer=vectorizer,
        matrix=sp.csr_matrix(
            (array("m_data"), array("m_indices"), array("m_indptr")), shape=shape, copy=False
        ),
        columns=sp.csc_matrix(
            (array("c_data"), array("c_indices"), array("c_indptr")), shape=shape, copy=False
        ),
        doc_ids=doc_ids,
        topics=meta["topics"],
        topic_profiles=sp.csr_matrix(
            (array("p_data"), array("p_indices"), array("p_indptr")),
            shape=tuple(meta["p_shape"]),
        ),
        affinity=array("affinity"),
        affinity_mean=np.asarray(array("affinity_mean")),
        affinity_std=np.asarray(array("affinity_std")),
        tags=sp.csr_matrix(
            (np.ones(len(tag_indices), dtype=np.bool_), tag_indices, tag_indptr),
            shape=(len(doc_ids), n_topics),
        ),
        sources=np.asarray(array("sources")),
        source_names=meta["sources"],
        published=np.asarray(array("published")),
        regions=meta["regions"],
        term_stems=array("stems").tobytes().decode().split("\n"),
    )
