"""Top stories rank by breadth of coverage and recency, the same for everyone; /latest/
is newest first."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from newsapp import selectors
from newsapp.models import ReaderPreferences, Story
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def titles(response) -> list[str]:
    found = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())
    return [html.unescape(t) for t in found]


@pytest.fixture
def newsroom():
    """Four stories: breadth against age. Scores (outlets x 0.5 ** (hours / 24)):
    budget 3 x 0.5 ** (10/24) = 2.25, ferry 1 x 0.5 ** (1/24) = 0.97,
    bridge 2 x 0.5 ** (30/24) = 0.84, fete 1 x 0.5 ** (50/24) = 0.24."""
    outlets = [SourceFactory(name=n) for n in ("Gazette", "Courier", "Wire")]
    politics = TopicFactory(name="Politics")

    def story(name, hours, sources, topics=()):
        shared = Story.objects.create() if len(sources) > 1 else None
        return [
            ArticleFactory(
                title=f"{name} ({source.name})",
                source=source,
                story=shared,
                published_at=NOW - timedelta(hours=hours + i),
                topics=list(topics),
            )
            for i, source in enumerate(sources)
        ]

    return {
        "budget": story("Budget passed", 10, outlets, topics=[politics]),
        "ferry": story("Ferry delayed", 1, outlets[:1]),
        "bridge": story("Bridge reopens", 30, outlets[1:]),
        "fete": story("Village fete", 50, outlets[2:]),
        "outlets": outlets,
        "politics": politics,
    }


@time_machine.travel(NOW, tick=False)
def test_top_stories_rank_by_outlets_and_recency(client, newsroom):
    response = client.get("/top/")
    assert titles(response) == [
        "Budget passed (Gazette)",  # the newest version leads its story
        "Ferry delayed (Gazette)",
        "Bridge reopens (Courier)",
        "Village fete (Wire)",
    ]
    page = response.content.decode()
    assert "3 outlets</a> cover this story" in page and "2 outlets</a> cover this story" in page


@time_machine.travel(NOW, tick=False)
def test_top_stories_are_the_same_for_everyone(client, newsroom):
    anonymous = titles(client.get("/top/"))
    reader = UserFactory()
    follow(reader, TopicFactory(name="Gardening"))
    client.force_login(reader)
    assert titles(client.get("/top/")) == anonymous


@time_machine.travel(NOW, tick=False)
def test_mutes_apply_to_top_stories(client, newsroom):
    reader = UserFactory()
    preferences = ReaderPreferences.objects.create(user=reader)
    preferences.muted_sources.add(newsroom["outlets"][0])
    client.force_login(reader)
    # The budget keeps two outlets (2 x 0.75 = 1.5) and a new lead; the ferry is gone.
    assert titles(client.get("/top/")) == [
        "Budget passed (Courier)",
        "Bridge reopens (Courier)",
        "Village fete (Wire)",
    ]
    preferences.muted_sources.clear()
    preferences.muted_topics.add(newsroom["politics"])
    assert "Budget passed" not in " ".join(titles(client.get("/top/")))


@time_machine.travel(NOW, tick=False)
def test_latest_is_newest_first(client, newsroom):
    shown = titles(client.get("/latest/"))
    assert shown[:3] == [
        "Ferry delayed (Gazette)",
        "Budget passed (Gazette)",
        "Budget passed (Courier)",
    ]
    assert len(shown) == 7


@time_machine.travel(NOW, tick=False)
def test_top_stories_look_only_at_the_newest_articles(client, newsroom, monkeypatch):
    """However large the archive, the ranking reads a bounded number of the newest rows."""
    monkeypatch.setattr(selectors, "TOP_CANDIDATES", 4)
    # The 4 newest: ferry, the 3 budget versions; the rest are not read at all.
    assert titles(client.get("/top/")) == ["Budget passed (Gazette)", "Ferry delayed (Gazette)"]


@time_machine.travel(NOW, tick=False)
def test_top_stories_cost_the_same_queries_at_any_size(client, newsroom, django_assert_num_queries):
    for i in range(40):
        ArticleFactory(title=f"Filler {i}", published_at=NOW - timedelta(hours=60 + i))
    # The content version (read once for the page memory, tests/newsapp/test_page_memory.py,
    # and the ranking), the ranking's rows, the page's articles, their topics.
    with django_assert_num_queries(4):
        assert client.get("/top/").status_code == 200
    # The ranking is shared until the content changes: the version, the page, its topics.
    with django_assert_num_queries(3):
        assert client.get("/top/", {"page": 3}).status_code == 200
    # And the page itself once rendered: the version only.
    with django_assert_num_queries(1):
        assert client.get("/top/", {"page": 3}).status_code == 200


def test_the_shared_ranking_changes_as_soon_as_the_news_does(client, newsroom):
    first = titles(client.get("/top/"))
    outlets = [SourceFactory(name=f"Outlet {n}") for n in range(5)]
    shared = Story.objects.create()
    for source in outlets:
        ArticleFactory(title=f"Breaking ({source.name})", source=source, story=shared)
    now = titles(client.get("/top/"))
    assert now[0].startswith("Breaking") and now[1:] == first[: len(now) - 1]


def test_newest_first_pages_go_on_without_counting_the_archive(client, monkeypatch):
    from newsapp import views

    monkeypatch.setattr(views, "LATEST_DEPTH", 50)
    for n in range(60):
        ArticleFactory(title=f"Item {n:02d}", published_at=NOW - timedelta(hours=n))
    first = client.get("/latest/").content.decode()
    pagination = first.split('class="pagination"')[1]
    assert 'rel="next" href="?page=2"' in first and "Page 1 of" not in pagination
    pages = [titles(client.get("/latest/", {"page": n})) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [20, 20, 10]  # 50 deep, the last page shorter
    assert pages[0][0] == "Item 00" and pages[2][-1] == "Item 49"
    last = client.get("/latest/", {"page": 3}).content.decode()
    assert 'rel="next"' not in last and 'rel="prev" href="?page=2"' in last
    assert titles(client.get("/latest/", {"page": 99})) == pages[2]  # past the end: the last
