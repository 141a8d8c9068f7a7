import html
import re

import pytest
from django.urls import reverse

from newsapp.models import Article, ReaderPreferences, TopicFollow
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow
from tests.newsapp.corpus import FOOD, SPACE, SPORT

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    found = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())
    return [html.unescape(t) for t in found]


@pytest.fixture
def newsroom():
    topics = {
        "sport": TopicFactory(name="Sport", keywords="league, match, goal"),
        "food": TopicFactory(name="Food", keywords="chef, harvest, recipe"),
        "space": TopicFactory(name="Space", keywords="planet, telescope, galaxy"),
    }
    outlets = [SourceFactory(), SourceFactory(), SourceFactory()]
    for subject, texts in (("sport", SPORT), ("food", FOOD), ("space", SPACE)):
        for i, text in enumerate(texts):
            ArticleFactory(
                title=f"{subject.title()} {i}: {text[:40]}",
                body=f"<p>{text}</p>",
                source=outlets[i % 3],
                # One in two is tagged; the others are found by their content.
                topics=[topics[subject]] if i % 2 == 0 else [],
            )
    return topics


def test_anonymous_home_is_top_stories_newest_first(client, newsroom):
    response = client.get("/")
    assert response.status_code == 200
    assert "Top stories" in response.content.decode()
    newest = Article.objects.published().order_by("-published_at").first()
    assert titles(response)[0] == newest.title


def test_reader_without_topics_is_sent_to_onboarding(client):
    client.force_login(UserFactory())
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("newsapp:topics")


def test_feed_follows_stated_topics_and_explains(client, newsroom):
    reader = UserFactory()
    follow(reader, newsroom["food"])
    client.force_login(reader)
    response = client.get("/")
    shown = titles(response)
    assert all(t.startswith("Food") for t in shown[:3])
    # untagged food stories are found by their content
    assert any(t.startswith("Food 1") or t.startswith("Food 3") for t in shown[:4])
    assert "Why this?" in response.content.decode()
    assert "Outside your topics" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"


def test_feed_differs_between_readers_with_different_topics(client, newsroom):
    space_reader, sport_reader = UserFactory(), UserFactory()
    follow(space_reader, newsroom["space"])
    follow(sport_reader, newsroom["sport"])
    client.force_login(space_reader)
    space_feed = titles(client.get("/"))
    client.force_login(sport_reader)
    sport_feed = titles(client.get("/"))
    assert space_feed[0].startswith("Space") and sport_feed[0].startswith("Sport")


def test_muted_topic_and_source_vanish_everywhere(client, newsroom):
    reader = UserFactory()
    follow(reader, newsroom["food"], newsroom["sport"])
    client.force_login(reader)
    muted_source = Article.objects.filter(title__startswith="Sport 0").get().source
    response = client.post(
        "/topics/",
        {"topics": ["food", "sport"], "muted_sources": [muted_source.slug], "keywords": ""},
    )
    assert response.status_code == 302
    for url in ("/", "/top/"):
        shown = titles(client.get(url))
        assert shown
        hidden = set(Article.objects.filter(source=muted_source).values_list("title", flat=True))
        assert not hidden & set(shown)
    client.post("/topics/", {"topics": ["food"], "muted_topics": ["sport"]})
    for url in ("/", "/top/"):
        assert not any(
            t.startswith("Sport 0") or t.startswith("Sport 2") for t in titles(client.get(url))
        )


def test_topics_form_saves_weights_keywords_and_mutes(client, newsroom):
    reader = UserFactory()
    client.force_login(reader)
    response = client.post(
        "/topics/",
        {
            "topics": ["space", "food"],
            "weight-space": "3",
            "keywords": "Orbit, orbit , moon",
            "muted_topics": ["sport"],
            "explore": "on",
        },
    )
    assert response.status_code == 302
    weights = dict(TopicFollow.objects.filter(user=reader).values_list("topic__slug", "weight"))
    assert weights == {"space": 3, "food": 2}
    assert reader.preferences.keyword_list == ["Orbit", "moon"]
    assert [t.slug for t in reader.preferences.muted_topics.all()] == ["sport"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"topics": ["no-such-topic"]}, "Select a valid choice"),
        ({"keywords": ",".join(f"word{i}" for i in range(31))}, "Please keep to 30 keywords"),
        ({"keywords": "x" * 51}, "at most 50 characters"),
        ({"topics": ["food"], "muted_topics": ["food"]}, "cannot follow and mute"),
        ({"topics": ["food"], "weight-food": "99"}, "Choose less, normal or more"),
    ],
)
def test_bad_topics_input_is_refused_with_a_message_and_saves_nothing(
    client, newsroom, data, message
):
    reader = UserFactory()
    client.force_login(reader)
    response = client.post("/topics/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TopicFollow.objects.filter(user=reader).exists()


def test_preview_shows_entering_articles_without_saving(client, newsroom):
    towns = [
        "Aldby",
        "Brent",
        "Corran",
        "Dunmore",
        "Eastmere",
        "Fenwick",
        "Galloway",
        "Harrow",
        "Ilford",
        "Jarrow",
        "Kelso",
        "Lanark",
    ]
    for town in towns:  # distinct stories, so the feed is longer than its first page
        ArticleFactory(
            title=f"{town} parish notes", body=f"<p>{town} parish {town.lower()} notes.</p>"
        )
    reader = UserFactory()
    follow(reader, newsroom["food"])
    client.force_login(reader)
    response = client.post("/topics/", {"topics": ["space"], "preview": "1"})
    body = response.content.decode()
    assert "Would enter" in body and "Space 0" in body
    assert list(TopicFollow.objects.filter(user=reader).values_list("topic__slug", flat=True)) == [
        "food"
    ]


def test_article_page_shows_more_like_this(client, newsroom):
    article = Article.objects.get(title__startswith="Space 2")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    related = titles(response)
    assert related and related[0].startswith("Space")


def test_unknown_and_draft_articles_are_404_in_site_style(client, newsroom):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    for url in ("/articles/no-such-story/", draft.get_absolute_url(), "/topics/nope/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "We could not find that page" in response.content.decode()


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "up"


@pytest.mark.parametrize("url", ["/", "/top/", "/topics/", "article"])
def test_query_count_does_not_grow_with_articles(
    client, newsroom, django_assert_max_num_queries, url
):
    reader = UserFactory()
    follow(reader, newsroom["food"], newsroom["space"])
    client.force_login(reader)
    target = Article.objects.first().get_absolute_url() if url == "article" else url
    client.get(target)  # warm the index
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(target).status_code == 200
    for i in range(30):
        ArticleFactory(
            title=f"Extra {i}",
            body="<p>Chefs cook a harvest recipe.</p>",
            topics=[newsroom["food"]],
        )
    client.get(target)  # rebuild the index for the new content
    with CaptureQueriesContext(connection) as large:
        assert client.get(target).status_code == 200
    assert len(large) == len(small)
    with django_assert_max_num_queries(15):
        client.get(target)


def test_a_newly_published_article_joins_the_index_without_a_refit(client, newsroom):
    from newsapp import ranking

    reader = UserFactory()
    follow(reader, newsroom["food"])
    client.force_login(reader)
    client.get("/")
    before = ranking.get_index()
    fresh = ArticleFactory(
        title="Harvest chefs open a recipe school",
        body="<p>Chefs teach a harvest recipe.</p>",
        topics=[newsroom["food"]],
    )
    after = ranking.get_index()
    assert after is not before and after.vectorizer is before.vectorizer  # grown, not refit
    assert fresh.pk in after.position and fresh.pk not in before.position
    assert fresh.title in client.get("/").content.decode()
    # Editing a ranked article refits.
    fresh.title = "Harvest chefs open a bigger recipe school"
    fresh.save()
    assert ranking.get_index().vectorizer is not after.vectorizer


def test_build_index_command_builds_and_saves(newsroom, settings, capsys):
    from django.core.management import call_command

    call_command("build_index")
    out = capsys.readouterr().out
    assert "Index built:" in out and "articles" in out
    assert list(settings.RECOMMENDER_INDEX_DIR.glob("index-*"))


def test_feed_pages_count_the_real_ranking(client, newsroom, settings):
    settings.FEED_PAGE_SIZE = 4
    reader = UserFactory()
    follow(reader, newsroom["food"])
    client.force_login(reader)
    total = Article.objects.published().count()
    pages = -(-total // 4)  # ceil: every published article, no empty pages
    shown = []
    for number in range(1, pages + 1):
        page = client.get(f"/?page={number}").context["page"]
        shown += [item.article.pk for item in page.object_list]
        assert page.has_next == (number < pages)
    assert len(shown) == len(set(shown)) == total
    past = client.get(f"/?page={pages + 3}")
    assert past.context["page"].number == pages  # past the end: the last page
    assert "Nothing matches your choices yet" not in past.content.decode()


def test_why_this_shows_the_matched_words_as_the_article_writes_them(client, newsroom):
    ArticleFactory(
        title="Crème brûlée at the corner café",
        body="<p>The café's chef served crème brûlée and a harvest tarte.</p>",
        topics=[newsroom["food"]],
    )
    reader = UserFactory()
    follow(reader, newsroom["food"])
    ReaderPreferences.objects.create(user=reader, keywords="cafe")
    client.force_login(reader)
    page = client.get("/").content.decode()
    card = page[page.index("Crème brûlée at the corner café") :]
    matched = html.unescape(re.search(r'<span class="terms">([^<]*)</span>', card).group(1))
    assert "café" in matched.split(", ") and "cafe" not in matched.split(", ")


def test_why_this_says_in_a_sentence_how_much_of_the_pick_each_topic_made(client, newsroom):
    reader = UserFactory()
    follow(reader, newsroom["food"])
    client.force_login(reader)
    page = client.get("/").content.decode()
    card = page[page.index("Food 0") :]
    why = card[: card.index("</details>")]
    assert re.search(r"Mostly Food: it matches the Food profile (strongly|clearly|somewhat)\.", why)
    assert "%)" not in why
