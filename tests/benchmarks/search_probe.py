"""Run by test_search_bench.py in a process of its own, on the scratch PostgreSQL database:
times whole search pages (Django's test client through every middleware, production
settings) and the search selector alone, and prints the figures as one JSON object.

Queries come from the corpus itself (words and pairs of words of random titles, phrases,
``or``, exclusions, a topic filter), so common words that match tens of thousands of
articles are measured as well as rare ones.
"""

import json
import os
import random
import statistics
import sys
import time

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from newsapp.models import Article, Topic  # noqa: E402
from newsapp.search.query import STOP_WORDS, EmptyQuery, QueryError, parse  # noqa: E402
from newsapp.search.results import MAX_RESULTS, Filters, search_page  # noqa: E402

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 300


def queries(rng: random.Random) -> list[tuple[str, dict]]:
    titles = list(Article.objects.published().order_by("?").values_list("title", flat=True)[:400])
    words = [
        w.strip(".,;:'\"()").lower()
        for title in titles
        for w in title.split()
        if w.isalpha() and len(w) > 3 and w.lower() not in STOP_WORDS
    ]
    topics = list(Topic.objects.values_list("slug", flat=True))
    made: list[tuple[str, dict]] = []
    while len(made) < REQUESTS:
        kind = rng.random()
        a, b = rng.choice(words), rng.choice(words)
        if kind < 0.35:
            made.append((a, {}))
        elif kind < 0.6:
            made.append((f"{a} {b}", {}))
        elif kind < 0.7:
            title = rng.choice(titles).split()
            start = rng.randrange(max(1, len(title) - 1))
            made.append(('"' + " ".join(title[start : start + 2]) + '"', {}))
        elif kind < 0.8:
            made.append((f"{a} or {b}", {}))
        elif kind < 0.9:
            made.append((f"{a} -{b}", {}))
        else:
            made.append((a, {"topic": rng.choice(topics)}))
    return [(q, extra) for q, extra in made if searchable(q)]


def searchable(q: str) -> bool:
    try:
        parse(q)
    except (QueryError, EmptyQuery):
        return False
    return True


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    rng = random.Random(7)
    asked = queries(rng)
    client = Client(HTTP_HOST="127.0.0.1")
    for q, extra in asked[:20]:  # warm caches and connections
        client.get("/search/", {"q": q, **extra}, secure=True)
    pages, selectors, counts = [], [], []
    for q, extra in asked:
        started = time.perf_counter()
        response = client.get("/search/", {"q": q, **extra}, secure=True)
        pages.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (q, response.status_code)
        topic = Topic.objects.filter(slug=extra.get("topic")).first()
        started = time.perf_counter()
        page = search_page(query=parse(q), filters=Filters(topic=topic), page_number=1)
        selectors.append((time.perf_counter() - started) * 1000)
        counts.append(page.paginator.count)
    others = {}
    for path in ("/top/", "/latest/"):
        timings = []
        for _ in range(50):
            started = time.perf_counter()
            assert client.get(path, secure=True).status_code == 200
            timings.append((time.perf_counter() - started) * 1000)
        others[path] = {"p50": statistics.median(timings), "p95": percentile(timings, 0.95)}
    print(
        json.dumps(
            {
                "articles": Article.objects.published().count(),
                "requests": len(pages),
                "page_p50": statistics.median(pages),
                "page_p95": percentile(pages, 0.95),
                "selector_p50": statistics.median(selectors),
                "selector_p95": percentile(selectors, 0.95),
                "median_matches": statistics.median(counts),
                "capped": sum(c >= MAX_RESULTS for c in counts),
                "cap": MAX_RESULTS,
                "load_average": os.getloadavg()[0],
                "others": others,
                "server": connection.cursor().connection.info.server_version,
            }
        )
    )


if __name__ == "__main__":
    main()
