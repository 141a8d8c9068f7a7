"""Reader controls on cards and articles: more / less like this, hide a source, pause,
topics never seen, explanations that name real words and the feedback that counted."""

import html
import re

import pytest
from django.test import Client

from newsapp.core import pagecache
from newsapp.models import Article, ArticleFeedback, ReaderPreferences
from newsapp.recommender import meaningful_terms
from tests.factories import ArticleFactory, TopicFactory, UserFactory, follow
from tests.newsapp.test_views import newsroom, titles  # noqa: F401 -- fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, newsroom):  # noqa: F811
    user = UserFactory()
    follow(user, newsroom["food"])
    client.force_login(user)
    return user


def feedback_url(article):
    return f"/articles/{article.slug}/feedback/"


def test_less_like_this_removes_the_story_from_the_feed_and_again_takes_it_back(client, reader):
    first = titles(client.get("/"))[0]
    article = Article.objects.get(title=first)
    response = client.post(feedback_url(article), {"kind": "less", "next": "/"}, follow=True)
    assert "Noted: less like" in response.content.decode()
    assert first not in titles(response)
    assert ArticleFeedback.objects.get(user=reader, article=article).kind == "less"
    response = client.post(feedback_url(article), {"kind": "less", "next": "/"}, follow=True)
    assert "Taken back" in response.content.decode()
    assert first in titles(response)
    assert not ArticleFeedback.objects.filter(user=reader).exists()


def test_more_then_less_keeps_one_opinion_and_liked_article_is_named_in_reasons(client, reader):
    liked = Article.objects.get(title__startswith="Food 0")
    client.post(feedback_url(liked), {"kind": "more"})
    page = client.get("/").content.decode()
    assert "Because you liked" in page and html.escape(liked.title) in page
    assert "You asked for more like this" in client.get(liked.get_absolute_url()).content.decode()
    client.post(feedback_url(liked), {"kind": "less"})
    assert list(ArticleFeedback.objects.filter(user=reader).values_list("kind", flat=True)) == [
        "less"
    ]


def test_feedback_needs_login_csrf_a_published_article_and_a_known_kind(client, reader):
    article = Article.objects.first()
    anonymous = Client()
    response = anonymous.post(feedback_url(article), {"kind": "more"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(feedback_url(article), {"kind": "more"}).status_code == 403
    assert client.get(feedback_url(article)).status_code == 405
    draft = ArticleFactory(status=Article.Status.DRAFT)
    assert client.post(feedback_url(draft), {"kind": "more"}).status_code == 404
    response = client.post(feedback_url(article), {"kind": "love"}, follow=True)
    assert "Choose “more like this” or “less like this”" in response.content.decode()
    assert not ArticleFeedback.objects.exists()


def test_feedback_never_redirects_off_site(client, reader):
    article = Article.objects.first()
    response = client.post(feedback_url(article), {"kind": "more", "next": "https://evil.test/"})
    assert response["Location"] == article.get_absolute_url()


def test_hide_this_source_mutes_it_everywhere(client, reader):
    article = Article.objects.get(title=titles(client.get("/"))[0])
    source = article.source
    response = client.post(f"/sources/{source.slug}/mute/", {"next": "/"}, follow=True)
    assert f"You will no longer see stories from {source.name}" in response.content.decode()
    assert source in ReaderPreferences.objects.get(user=reader).muted_sources.all()
    shown = titles(response) + titles(client.get("/top/"))
    assert not Article.objects.filter(title__in=shown, source=source).exists()
    assert client.post("/sources/no-such-outlet/mute/").status_code == 404


def test_paused_personalization_shows_top_stories_and_says_so(client, reader):
    ReaderPreferences.objects.create(user=reader, personalization_paused=True)
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200 and "<h1>Top stories</h1>" in page
    assert "Personalization is paused" in page and 'href="/privacy/"' in page
    assert "Why this?" not in page
    newest = Article.objects.published().order_by("-published_at").first()
    assert titles(response)[0] == newest.title


def test_topics_page_lists_topics_the_reader_never_sees(client, reader, settings):
    # A first page of five: the four food stories and one exploration pick, so one of
    # sport and space never reaches it; that one is listed, food never is.
    settings.FEED_PAGE_SIZE = 5
    page = client.get("/topics/").content.decode()
    panel = page.split("Topics you never see")[1].split("</section>")[0]
    assert "Food" not in panel
    assert ("Sport" in panel) != ("Space" in panel)
    TopicFactory(name="Empty topic")  # no published article: nothing to miss
    assert "Empty topic" not in client.get("/topics/").content.decode().split("never see")[1]


def test_exploration_can_be_switched_off_on_the_topics_page(client, reader, newsroom):  # noqa: F811
    assert "Outside your topics" in client.get("/").content.decode()
    client.post("/topics/", {"topics": ["food"], "keywords": ""})  # explore unchecked
    assert ReaderPreferences.objects.get(user=reader).explore is False
    assert "Outside your topics" not in client.get("/").content.decode()


def test_every_term_shown_in_why_this_occurs_in_the_article(client, reader):
    client.post("/topics/", {"topics": ["food", "space"], "keywords": "harvest, telescope"})
    page = client.get("/").content.decode()
    cards = re.findall(
        r'class="card-title"><a href="/articles/([^/]+)/">.*?<span class="terms">([^<]*)</span>',
        page,
        flags=re.S,
    )
    assert cards
    for slug, terms in cards:
        article = Article.objects.get(slug=slug)
        words = set(meaningful_terms(f"{article.title} {article.summary} {article.plain_text}"))
        for term in html.unescape(terms).split(", "):
            assert term in words


def test_stop_word_keywords_get_a_clear_message_and_nothing_is_saved(client, reader):
    response = client.post("/topics/", {"topics": ["food"], "keywords": "the, and of, tram"})
    page = html.unescape(response.content.decode())
    assert "“the, and of” are made only of very common words" in page
    assert not ReaderPreferences.objects.filter(user=reader, keywords__contains="tram").exists()


def test_feed_with_feedback_loads_in_a_fixed_number_of_queries(
    client, reader, django_assert_num_queries
):
    for article in Article.objects.all()[:3]:
        client.post(feedback_url(article), {"kind": "more"})
    client.get("/")  # the index is built once per content version
    pagecache.clear()  # the page made again, not the one kept for the reader
    # 12 = session, user, the content version and the reader's data version (one query
    # for both, the page memory's), follows, preferences, feedback, reading history,
    # region, the stories of the ranking's first page
    # and a page more (one card per story), the page's articles and their topics (+1
    # counting outlets when a story on the page has several), the articles the reader saved
    # (their "Save for later" buttons).
    with django_assert_num_queries(12):
        client.get("/")


def test_previewing_unchanged_choices_changes_nothing_even_with_feedback(client, reader, newsroom):  # noqa: F811
    for article in Article.objects.all()[:3]:
        client.post(feedback_url(article), {"kind": "less"})
    response = client.post(
        "/topics/",
        {
            "topics": [newsroom["food"].slug],
            f"weight-{newsroom['food'].slug}": "2",
            "explore": "on",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.entering == [] and preview.leaving == []
    assert "The first page of your feed would stay the same." in response.content.decode()
