"""The ranking pack private mode downloads: one JSON file per index, the same for everyone.

``newsapp.recommender.pack`` turns the served index into arrays; this module adds what a
card shows (headline, link, outlet and topic names) for the articles still published, and
keeps the encoded bytes per index name, so each worker builds a pack once per index. The
pack's URL names the index it was built from (``/private/pack/<index name>.json``): a new
index is a new URL, and any proxy may keep a pack for as long as it likes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass

from django.conf import settings

from newsapp import ranking
from newsapp.models import Article, Region, Source, Topic

# The depth the server's "For you" ranking uses (newsapp.views.FEED_DEPTH): the browser's
# diversity pass and exploration slot must see the same depth to give the same order.
FEED_DEPTH = 200


@dataclass(frozen=True)
class Pack:
    version: str  # the index's name: part of the URL
    body: bytes  # compact JSON, the same bytes in every worker for one index
    gzipped: bytes
    etag: str
    articles: int


_cache: dict[str, Pack] = {}
_lock = threading.Lock()


def pack_version() -> str:
    """The name of the index now served (one primary-key read, no build)."""
    ranking.get_index()  # loads or queues as a request would
    return ranking.version_row().index_name or "none"


def current_pack() -> Pack:
    """The pack of the index now served, built once per index per worker."""
    index = ranking.get_index()
    version = ranking.version_row().index_name or "none"
    found = _cache.get(version)
    if found is not None:
        return found
    with _lock:
        found = _cache.get(version)
        if found is None:
            found = build_pack(index, version)
            _cache.clear()  # one pack per worker: the old index's is not served again
            _cache[version] = found
    return found


def build_pack(index, version: str, limit: int | None = None) -> Pack:
    """Encode the ``limit`` newest published articles of ``index`` (``PACK_ARTICLES``)."""
    # Imported here: the encoder reads the index's arrays (numpy, scipy), which a process
    # loads with the first ranking, not at start-up.
    from newsapp.recommender import pack as packing

    limit = packing.PACK_ARTICLES if limit is None else limit
    positions = packing.recent_positions(index, limit * 2)
    doc_ids = [index.doc_ids[p] for p in positions]
    rows = {
        pk: (slug, title, story)
        for pk, slug, title, story in Article.objects.published()
        .filter(pk__in=doc_ids)
        .values_list("pk", "slug", "title", "story_id")
    }
    # Articles the index still holds but that were unpublished since are left out.
    positions = [p for p in positions if index.doc_ids[p] in rows][:limit]
    arrays, ids = packing.pack_arrays(index, positions)
    topic_names = dict(Topic.objects.values_list("slug", "name"))
    source_names = dict(Source.objects.values_list("slug", "name"))
    region_names = dict(Region.objects.values_list("slug", "name"))
    data = {
        "schema": packing.SCHEMA,
        "version": version,
        "settings": packing.constants(
            half_life_hours=settings.RECOMMENDER_HALF_LIFE_HOURS,
            depth=FEED_DEPTH,
            page_size=settings.FEED_PAGE_SIZE,
        ),
        **arrays,
        "topic_names": [topic_names.get(s, s) for s in arrays["topics"]],
        "source_names": [source_names.get(s, s) for s in arrays["sources"]],
        "region_names": [region_names.get(s, s) for s in arrays["regions"]],
        "ids": ids,
        "slugs": [rows[i][0] for i in ids],
        "titles": [rows[i][1] for i in ids],
        "stories": [rows[i][2] for i in ids],
    }
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    # mtime=0: the compressed bytes too are the same in every worker.
    gzipped = gzip.compress(body, 9, mtime=0)
    return Pack(version=version, body=body, gzipped=gzipped, etag=etag, articles=len(ids))


def reset_cache() -> None:
    _cache.clear()
