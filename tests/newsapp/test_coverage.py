"""Full coverage: one story from many outlets, grouped as articles arrive."""

import html
import json
import re
from datetime import timedelta

import numpy as np
import pytest
import scipy.sparse as sp
from django.core.management import call_command
from django.utils import timezone

from newsapp import coverage, services
from newsapp.models import Article, ReaderPreferences
from newsapp.recommender.coverage import cluster, pair_scores
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow
from tests.newsapp.coverage_corpus import SINGLES, STORIES

pytestmark = pytest.mark.django_db


def make(outlet, title, text, *, hours_ago=3.0, **extra):
    return ArticleFactory(
        title=title,
        body=f"<p>{text}</p>",
        source=SourceFactory(name=outlet),
        published_at=timezone.now() - timedelta(hours=hours_ago),
        **extra,
    )


@pytest.fixture
def newsroom():
    """The known stories and the near misses, all published; returns story key -> articles.
    Call ``grouped`` to group them."""
    made = {
        key: [make(*version, hours_ago=10 - i) for i, version in enumerate(versions)]
        for key, versions in STORIES.items()
    }
    made["singles"] = [make(*single, hours_ago=8) for single in SINGLES]
    return made


def grouped(newsroom) -> dict:
    """Group the newsroom (as publishing would) and read back what was stored."""
    coverage.stories_assign()
    for group in newsroom.values():
        for article in group:
            article.refresh_from_db()
    return newsroom


def test_a_fixture_with_known_duplicates_is_grouped_exactly(newsroom):
    assert coverage.stories_assign() == 11
    truth = {a.pk: key for key, group in newsroom.items() for a in group if key != "singles"}
    articles = list(Article.objects.order_by("pk"))
    predicted = [a.story_id or f"alone-{a.pk}" for a in articles]
    expected = [truth.get(a.pk, f"alone-{a.pk}") for a in articles]
    assert pair_scores(predicted, expected) == (1.0, 1.0)
    assert all(a.clustered_at is not None for a in articles)
    assert coverage.stories_assign() == 0  # nothing is looked at twice


def test_a_new_version_joins_its_story_when_published(newsroom, django_capture_on_commit_callbacks):
    grouped(newsroom)
    draft = make(
        "Herald",
        "Trams every six minutes as Riverside extension opens",
        "The Riverside tram extension is open: five stops, a tram every six minutes and free "
        "rides for a week on the 4.2 kilometre line.",
        status=Article.Status.DRAFT,
        hours_ago=1,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(article=draft)
    draft.refresh_from_db()
    assert draft.story_id == newsroom["tram"][0].story_id is not None
    assert draft.clustered_at is not None


def test_a_version_published_days_later_is_another_story():
    first, second = STORIES["fine"]
    make(*first, hours_ago=24 * 6)
    later = make(*second, hours_ago=1)
    make(*SINGLES[0], hours_ago=2)
    coverage.stories_assign()
    later.refresh_from_db()
    assert later.story_id is None and later.clustered_at is not None


def test_a_json_lines_import_groups_what_it_publishes(
    newsroom, tmp_path, django_capture_on_commit_callbacks
):
    grouped(newsroom)
    file = tmp_path / "wire.jsonl"
    record = {
        "id": "wire-1",
        "title": "Geologists record sixty tremors beneath Thorne End",
        "body": "A swarm of more than sixty small earthquakes, the largest of magnitude 2.9, "
        "has been recorded near the Aldercombe Fault beneath Thorne End. There is no sign of "
        "a larger quake, scientists said.",
        "source": "Agency",
        "date": timezone.localdate().isoformat(),
    }
    file.write_text(json.dumps(record) + "\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_jsonl", str(file), "--publish", verbosity=0)
    imported = Article.objects.get(title=record["title"])
    assert imported.story_id == newsroom["quake"][0].story_id is not None


def test_the_article_page_lists_the_other_outlets(client, newsroom):
    grouped(newsroom)
    first, second, third = newsroom["tram"]
    page = html.unescape(client.get(first.get_absolute_url()).content.decode())
    section = page.split("Also covered by")[1].split("</section>")[0]
    assert second.title in section and third.title in section and first.title not in section
    assert "Courier" in section and "Wire" in section
    assert f"/stories/{first.story_id}/" in section
    single = newsroom["singles"][0]
    assert "Also covered by" not in client.get(single.get_absolute_url()).content.decode()


def test_a_muted_outlet_is_not_listed_as_coverage(client, newsroom):
    grouped(newsroom)
    reader = UserFactory()
    preferences = ReaderPreferences.objects.create(user=reader)
    preferences.muted_sources.add(newsroom["tram"][1].source)
    client.force_login(reader)
    page = html.unescape(client.get(newsroom["tram"][0].get_absolute_url()).content.decode())
    section = page.split("Also covered by")[1].split("</section>")[0]
    assert newsroom["tram"][1].title not in section and newsroom["tram"][2].title in section


def test_the_story_page_lists_the_whole_coverage(client, newsroom):
    grouped(newsroom)
    story = newsroom["tram"][0].story
    response = client.get(f"/stories/{story.pk}/")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "3 versions from 3 outlets: Courier, Gazette, Wire" in page
    shown = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)
    assert shown == [a.title for a in reversed(newsroom["tram"])]  # newest first
    assert client.get("/stories/999999/").status_code == 404


def test_the_feed_shows_one_card_per_story_with_its_outlets(client, newsroom):
    grouped(newsroom)
    transport = TopicFactory(name="Transport", keywords="tram, ferry, fares")
    for article in newsroom["tram"] + newsroom["singles"][:1]:
        article.topics.add(transport)
    reader = UserFactory()
    follow(reader, transport)
    client.force_login(reader)
    page = html.unescape(client.get("/").content.decode())
    shown = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', page)
    tram_titles = {a.title for a in newsroom["tram"]}
    assert len([t for t in shown if t in tram_titles]) == 1
    assert f'href="/stories/{newsroom["tram"][0].story_id}/">3 outlets</a>' in page


def test_clustering_in_publication_order_and_pair_scores():
    vectors = sp.csr_matrix(
        np.array(
            [[1.0, 0.0, 0.0], [0.9, 0.436, 0.0], [0.0, 0.0, 1.0], [0.0, 0.6, 0.8]],
            dtype=np.float32,
        )
    )
    hour = 3600.0
    labels = cluster(vectors, np.array([0, 2 * hour, 1 * hour, 500 * hour]), threshold=0.45)
    assert labels[0] == labels[1] and labels[2] != labels[0] and labels[3] != labels[2]
    assert pair_scores([1, 1, 2, 3], ["a", "a", "b", "b"]) == (1.0, 0.5)
    assert pair_scores([1, 1, 1], ["a", "a", "b"]) == (1 / 3, 1.0)
