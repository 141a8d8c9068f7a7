"""A signed-in reader's own pages are kept for them alone while neither the news nor
anything of theirs changes: a reload of the feed ranks nothing again, and whatever they
change, here or on another device, shows on the next page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from consent import rights
from consent.models import ReaderVersion
from newsapp import services
from newsapp.core import pagecache
from newsapp.models import Article, ArticleFeedback, TopicFollow
from tests.factories import ArticleFactory, UserFactory, follow
from tests.newsapp.test_views import newsroom, titles  # noqa: F401 -- fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def still_clock():
    """One minute throughout: pages are kept per minute."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def reader(client, newsroom):  # noqa: F811
    user = UserFactory()
    follow(user, newsroom["food"])
    client.force_login(user)
    client.get("/")  # the session's first page keeps the region alive: a write, not kept
    return user


def _without_nonce(page: bytes) -> str:
    return re.sub(r'nonce="[^"]+"', "", page.decode())


def test_a_reload_of_the_feed_is_the_same_page_for_three_reads(
    client, reader, django_assert_num_queries
):
    first = client.get("/")
    # The session, the reader, and the content version with their data version (one query).
    with django_assert_num_queries(3):
        again = client.get("/")
    assert again.status_code == 200 and titles(again) == titles(first)
    assert _without_nonce(again.content) == _without_nonce(first.content)
    assert "no-store" in again["Cache-Control"]


def test_less_like_this_shows_on_the_next_page(client, reader):
    shown = titles(client.get("/"))
    article = Article.objects.get(title=shown[0])
    client.post(f"/articles/{article.slug}/feedback/", {"kind": "less"})
    client.get("/")  # the message of the feedback, shown once
    assert shown[0] not in titles(client.get("/"))


def test_a_change_made_elsewhere_shows_on_the_next_page(client, reader, newsroom):  # noqa: F811
    """Another device, a worker, the admin: a write that is not this session's request."""
    assert any(title.startswith("Food") for title in titles(client.get("/")))
    services.preferences_update(
        user=reader,
        follows={newsroom["space"]: TopicFollow.Weight.NORMAL},
        keywords=[],
        muted_topics=[newsroom["food"]],
        muted_sources=[],
        explore=False,
    )
    after = titles(client.get("/"))
    assert after and not any(title.startswith("Food") for title in after)
    ArticleFeedback.objects.create(
        user=reader, article=Article.objects.get(title=after[0]), kind=ArticleFeedback.Kind.LESS
    )
    assert after[0] not in titles(client.get("/"))


def test_news_published_meanwhile_shows_on_the_next_page(client, reader, newsroom):  # noqa: F811
    client.get("/")
    ArticleFactory(
        title="Chefs open a harvest kitchen",
        body="<p>The chef cooks a harvest recipe for the market.</p>",
        topics=[newsroom["food"]],
    )
    assert "Chefs open a harvest kitchen" in titles(client.get("/"))


def test_a_flash_message_is_shown_once_and_the_page_after_it_is_kept(
    client,
    reader,
    newsroom,  # noqa: F811
    django_assert_num_queries,
):
    article = Article.objects.get(title=titles(client.get("/"))[0])
    client.post(f"/articles/{article.slug}/feedback/", {"kind": "more"})
    assert "Noted: more like" in client.get("/").content.decode()
    after = client.get("/")
    assert "Noted: more like" not in after.content.decode()
    with django_assert_num_queries(3):
        assert client.get("/").content.count(b"Noted: more like") == 0


def test_readers_never_get_each_others_pages(client, reader, newsroom):  # noqa: F811
    client.post(f"/articles/{Article.objects.filter(topics=newsroom['food']).first().slug}/save/")
    mine = client.get("/").content.decode()
    other = UserFactory()
    follow(other, newsroom["food"])
    theirs_client = Client()
    theirs_client.force_login(other)
    theirs_client.get("/")
    theirs = theirs_client.get("/").content.decode()
    assert mine.count(">Saved</button>") == 1 and ">Saved</button>" not in theirs
    assert reader.email not in theirs and other.email not in mine


def test_other_pages_of_the_reader_are_kept_and_follow_their_choices(
    client,
    reader,
    newsroom,  # noqa: F811
    django_assert_num_queries,
):
    url = newsroom["space"].get_absolute_url()
    assert "Unfollow" not in client.get(url).content.decode()
    with django_assert_num_queries(3):
        client.get(url)
    follow(reader, newsroom["space"])
    assert "Unfollow" in client.get(url).content.decode()


def test_pages_go_from_memory_within_two_minutes(client, reader, still_clock):
    client.get("/")
    client.get("/topics/")
    assert pagecache.held()[0] >= 2
    still_clock.shift(timedelta(minutes=3))
    client.get("/healthz")  # any page kept or asked for sweeps the memory
    client.get("/latest/")
    assert pagecache.held()[0] == 1  # the newest list just kept, no page of three minutes ago


def test_the_data_version_goes_with_the_account(client, reader):
    client.post(f"/articles/{Article.objects.first().slug}/feedback/", {"kind": "more"})
    assert ReaderVersion.objects.count() == 1
    assert ArticleFeedback.objects.filter(user=reader).exists()
    rights.account_erase(user=reader)
    assert not ReaderVersion.objects.exists()


def test_a_form_that_changes_rows_in_bulk_shows_on_the_next_page(client, reader, newsroom):  # noqa: F811
    """ "Clear recommendations" empties the keywords with one UPDATE, which sends no signal
    for the row it changes; the page after it shows the change all the same."""
    client.post("/topics/fine-tune/", {"topics": ["food"], "keywords": "harvest", "explore": "on"})
    client.get("/topics/fine-tune/")  # the message of the change, shown once
    assert 'value="harvest"' in client.get("/topics/fine-tune/").content.decode()
    client.post("/privacy/clear/", {"reset_topics": "on"})
    client.get("/privacy/")  # the receipt, shown once
    assert 'value="harvest"' not in client.get("/topics/fine-tune/").content.decode()


def test_the_privacy_page_is_kept_and_shows_each_change_at_once(
    client,
    reader,
    newsroom,  # noqa: F811
    django_assert_num_queries,
):
    assert "1 saved article" not in client.get("/privacy/").content.decode()
    # The session, the account, and the content version with the reader's data version.
    with django_assert_num_queries(3):
        client.get("/privacy/")
    article = Article.objects.filter(topics=newsroom["food"]).first()
    client.post(f"/articles/{article.slug}/save/")
    client.get("/")  # the message of the save, shown once
    page = client.get("/privacy/").content.decode()
    assert "1 saved article" in page
