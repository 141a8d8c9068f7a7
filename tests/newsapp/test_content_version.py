"""The content version and the index readers are served: a change costs a request one
primary-key read, never a build; the task worker grows or refits the index."""

import re

import numpy as np
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsapp import ranking, services
from newsapp.core import pagecache
from newsapp.models import Article, Topic
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow
from tests.newsapp.corpus import FOOD, SPACE

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def version() -> int:
    return ranking.version_row().version


@pytest.fixture
def newsroom():
    food = TopicFactory(name="Food", keywords="chef, harvest, recipe")
    space = TopicFactory(name="Space", keywords="planet, telescope, galaxy")
    outlets = [SourceFactory(), SourceFactory(), SourceFactory()]
    for subject, topic, texts in (("Food", food, FOOD), ("Space", space, SPACE)):
        for i, text in enumerate(texts):
            ArticleFactory(
                title=f"{subject} {i}: {text[:40]}",
                body=f"<p>{text}</p>",
                source=outlets[i % 3],
                topics=[topic] if i % 2 == 0 else [],
            )
    return {"food": food, "space": space}


def test_every_kind_of_write_bumps_the_version_in_its_own_transaction():
    topic = TopicFactory(name="Food")
    steps = [
        lambda: Article.objects.bulk_create(
            [Article(title=f"T{i}", slug=f"t{i}", body="<p>x</p>") for i in range(3)]
        ),
        lambda: Article.objects.first().topics.add(topic),
        lambda: Article.objects.filter(slug="t1").update(title="Edited"),
        lambda: Topic.objects.filter(pk=topic.pk).update(keywords="bread"),
        lambda: Article.objects.filter(slug="t2").delete(),
    ]
    for step in steps:
        before = version()
        step()
        assert version() > before
    before = version()
    Article.objects.filter(slug="t1").update(author="Someone")  # not read by the index
    assert version() == before
    with transaction.atomic():
        sid = transaction.savepoint()
        Article.objects.filter(slug="t1").update(title="Undone")
        assert version() > before
        transaction.savepoint_rollback(sid)
    assert version() == before  # the bump is rolled back with the change


def test_a_request_learns_the_version_in_one_primary_key_read(client, newsroom):
    reader = UserFactory()
    follow(reader, newsroom["food"])
    client.force_login(reader)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    sql = [q["sql"] for q in queries]
    version_reads = [s for s in sql if "newsapp_contentversion" in s]
    assert len(version_reads) == 1 and re.search(r'\b"?id"? = 1\b', version_reads[0])
    assert not any("newsapp_article" in s and ("COUNT(" in s or "MAX(" in s) for s in sql)


@pytest.mark.parametrize("url", ["/", "/topics/", "article"])
def test_queries_a_page_makes_do_not_grow_with_a_thousand_more_articles(
    client, newsroom, django_assert_num_queries, url
):
    reader = UserFactory()
    follow(reader, newsroom["food"], newsroom["space"])
    client.force_login(reader)
    target = Article.objects.first().get_absolute_url() if url == "article" else url
    client.get(target)
    pagecache.clear()  # the pages made again each time, not the ones kept
    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    expected = len(small)  # read now: the next request resets the log it slices
    now = timezone.now()
    added = Article.objects.bulk_create(
        Article(
            title=f"Harvest market {i}",
            slug=f"harvest-market-{i}",
            body=f"<p>Chefs cook a harvest recipe at stall {i}.</p>",
            status=Article.Status.PUBLISHED,
            published_at=now,
        )
        for i in range(1000)
    )
    Article.topics.through.objects.bulk_create(
        Article.topics.through(article_id=a.pk, topic_id=newsroom["food"].pk) for a in added
    )
    client.get(target)  # the refresh runs here: the immediate task backend of the tests
    assert len(ranking.get_index()) > 1000
    pagecache.clear()
    with django_assert_num_queries(expected):
        assert client.get(target).status_code == 200


def test_an_edit_never_refits_inside_a_request(client, newsroom, settings):
    """The edit queues a refresh after its commit; readers keep the previous index until
    the worker has built the next one."""
    reader = UserFactory()
    follow(reader, newsroom["food"])
    client.force_login(reader)
    assert client.get("/").status_code == 200
    before = ranking.get_index()
    settings.TASKS = DUMMY_TASKS  # queued, not run: as with the worker in production
    from django_tasks import default_task_backend

    article = Article.objects.filter(topics=newsroom["food"]).first()
    article.title = "Chefs open a harvest school"
    article.body = "<p>Chefs teach every harvest recipe.</p>"
    with transaction.atomic():
        article.save()
        ranking.index_refresh_queue()
        assert not default_task_backend.results  # nothing before the commit
    # (the test's own transaction holds on_commit callbacks: run them as a commit would)
    for _, callback, _ in connection.run_on_commit[:]:
        callback()
    connection.run_on_commit.clear()
    queued = [r.task.name for r in default_task_backend.results]
    assert queued == ["refresh_recommender_index"]

    response = client.get("/")
    assert response.status_code == 200
    assert ranking.get_index() is before  # served by the previous index, no build
    assert [r.task.name for r in default_task_backend.results] == queued  # queued once

    ranking.index_refresh()  # what the worker does with the queued task
    after = ranking.get_index()
    assert after is not before and after.vectorizer is not before.vectorizer  # refitted
    assert client.get("/").status_code == 200


def test_publishing_grows_the_index_and_an_unpublished_article_leaves_the_page_at_once(
    client, newsroom, settings
):
    reader = UserFactory()
    follow(reader, newsroom["food"])
    client.force_login(reader)
    client.get("/")
    before = ranking.get_index()
    fresh = ArticleFactory(
        title="Harvest chefs open a recipe school",
        body="<p>Chefs teach a harvest recipe.</p>",
        topics=[newsroom["food"]],
        status=Article.Status.DRAFT,
        published_at=None,
    )
    services.article_publish(article=fresh)
    assert fresh.title in client.get("/").content.decode()
    grown = ranking.get_index()
    assert grown.vectorizer is before.vectorizer and fresh.pk in grown.position  # no refit

    settings.TASKS = DUMMY_TASKS
    services.articles_status_set(
        articles=Article.objects.filter(pk=fresh.pk), status=Article.Status.DRAFT
    )
    body = client.get("/").content.decode()
    assert ranking.get_index() is grown  # the refresh is only queued
    assert fresh.title not in body  # but the page shows published articles only


def test_a_page_explains_only_its_own_cards(client, newsroom, settings):
    settings.FEED_PAGE_SIZE = 3
    reader = UserFactory()
    follow(reader, newsroom["food"], newsroom["space"])
    client.force_login(reader)
    response = client.get("/?page=2")
    ranked = response.context["page"].ranking
    assert ranked.explained == 3  # the three cards of page 2, not the whole ranking
    assert ranked.ordered == 7  # and ordered only as far as one past the page
    assert len(ranked) > 7
    assert "Why this?" in response.content.decode()


def test_a_saved_index_is_memory_mapped_and_shared(newsroom):
    ranking.build_now()
    ranking.reset_cache()
    index = ranking.get_index()

    def mapped(array) -> bool:
        while array is not None:
            if isinstance(array, np.memmap):
                return True
            array = getattr(array, "base", None)
        return False

    for array in (index.matrix.data, index.matrix.indices, index.columns.data, index.affinity):
        assert mapped(array) and not array.flags.writeable
