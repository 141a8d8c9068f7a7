"""Atom feeds of public content: valid Atom (feedparser reads them back without a
complaint), the same for everyone, linked from the pages they mirror."""

import html
import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from newsapp.models import Article, ReaderPreferences, Story
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom():
    gazette, courier = SourceFactory(name="Gazette"), SourceFactory(name="Courier")
    harbour = TopicFactory(name="Harbour life")
    now = timezone.now()
    shared = Story.objects.create()
    ArticleFactory(
        title="Harbour wall repaired & reopened",
        summary="Engineers finished <early>.",
        source=gazette,
        topics=[harbour],
        story=shared,
        published_at=now - timedelta(hours=5),
        author="Ines Moreau",
    )
    ArticleFactory(
        title="Sea wall work done",
        source=courier,
        story=shared,
        published_at=now - timedelta(hours=6),
    )
    ArticleFactory(
        title="Ferry timetable changes", source=courier, published_at=now - timedelta(hours=1)
    )
    ArticleFactory(
        title="A draft about the harbour",
        source=gazette,
        topics=[harbour],
        status=Article.Status.DRAFT,
    )
    return {"gazette": gazette, "courier": courier, "harbour": harbour}


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return response, feed


def test_the_top_stories_feed_is_atom_in_the_top_stories_order(client, newsroom):
    _, feed = parsed(client, "/feed/")
    assert feed.feed.title == "Plainsight: Top stories"
    assert [e.title for e in feed.entries] == [
        "Harbour wall repaired & reopened",
        "Ferry timetable changes",
    ]
    first = feed.entries[0]
    lead = Article.objects.get(title="Harbour wall repaired & reopened")
    assert first.link == f"http://testserver{lead.get_absolute_url()}"
    assert html.unescape(first.summary) == "Engineers finished <early>."  # text stays text
    assert first.author == "Ines Moreau" and [t.term for t in first.tags] == ["Harbour life"]
    assert first.id and first.published and first.updated


def test_topic_and_outlet_feeds(client, newsroom):
    _, topic = parsed(client, "/topics/harbour-life/feed/")
    assert topic.feed.title == "Plainsight: Harbour life"
    assert [e.title for e in topic.entries] == ["Harbour wall repaired & reopened"]  # no draft
    _, outlet = parsed(client, "/sources/courier/feed/")
    assert outlet.feed.title == "Plainsight: stories from Courier"
    assert [e.title for e in outlet.entries] == ["Ferry timetable changes", "Sea wall work done"]
    assert client.get("/topics/nowhere/feed/").status_code == 404
    assert client.get("/sources/nowhere/feed/").status_code == 404


def test_feeds_hold_nothing_personal_and_no_tracking(client, newsroom):
    anonymous, _ = parsed(client, "/feed/")
    assert not anonymous.cookies and anonymous["Cache-Control"] == "public, max-age=300"
    reader = UserFactory(email="feed.reader@example.org")
    preferences = ReaderPreferences.objects.create(user=reader)
    preferences.muted_sources.add(newsroom["courier"])
    client.force_login(reader)
    signed_in, _ = parsed(client, "/feed/")
    assert signed_in.content == anonymous.content  # the same feed, mutes or not
    body = signed_in.content.decode()
    assert "feed.reader" not in body and "utm_" not in body
    assert all("?" not in link for link in re.findall(r'href="([^"]+)"', body))


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("/top/", "/feed/"),
        ("/latest/", "/feed/"),
        ("/topics/harbour-life/", "/topics/harbour-life/feed/"),
    ],
)
def test_pages_link_their_feeds(client, newsroom, page, feed):
    body = client.get(page).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in body and f'href="{feed}"' in body


def test_an_article_page_links_its_outlets_feed(client, newsroom):
    article = Article.objects.get(title="Ferry timetable changes")
    body = client.get(article.get_absolute_url()).content.decode()
    assert 'href="/sources/courier/feed/"' in body
