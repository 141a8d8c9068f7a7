"""The reader's pages after the redesign: cards, feedback without script, topic and outlet
pages, onboarding in two steps, the display cookie, and what search engines are told."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consent.cookies import cookies
from newsapp.core import pagecache
from newsapp.models import ArticleFeedback, ReaderPreferences, TopicFollow
from newsapp.privacy import DISPLAY_COOKIE
from newsapp.templatetags.news import ago
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow
from tests.newsapp.test_views import newsroom  # noqa: F401 -- fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    science = TopicFactory(name="Science", keywords="telescope, comet")
    sport = TopicFactory(name="Sport", keywords="league, goal")
    gazette = SourceFactory(name="Harbour Gazette")
    comet = ArticleFactory(
        title="Telescope spots a comet",
        body="<p>" + "The telescope team measured the comet. " * 60 + "</p>",
        topics=[science],
        source=gazette,
        published_at=timezone.now() - timedelta(hours=3),
    )
    goal = ArticleFactory(title="Late goal wins the league", topics=[sport])
    return {"science": science, "sport": sport, "gazette": gazette, "comet": comet, "goal": goal}


@pytest.fixture
def reader(client, world):
    user = UserFactory()
    follow(user, world["science"])
    client.force_login(user)
    return user


def card_of(page: str, article) -> str:
    start = page.index(f'id="article-{article.pk}"')
    return page[start : page.index("</article>", start)]


def test_a_card_puts_the_headline_first_then_outlet_time_and_reading_time(client, reader, world):
    page = client.get("/").content.decode()
    card = card_of(page, world["comet"])
    assert card.index("card-title") < card.index("card-meta")
    assert f'<a class="card-source" href="/sources/{world["gazette"].slug}/">' in card
    assert ">3 h ago</time>" in card and 'title="' in card.split("<time")[1]
    assert "2 min read" in card
    # One reason, the full explanation one step away, the actions in one menu.
    assert '<span class="why-line">Because you follow Science</span>' in card
    assert re.search(
        r"Mostly Science: it matches the Science profile (strongly|clearly|somewhat)\.", card
    )
    assert card.count('<details class="card-menu">') == 1
    assert f'value="/#article-{world["comet"].pk}"' in card


def test_a_reason_line_names_the_keyword_that_matched(client, reader, world):
    TopicFollow.objects.filter(user=reader).delete()
    ReaderPreferences.objects.create(user=reader, keywords="telescope")
    page = html.unescape(client.get("/").content.decode())
    assert "Matches your keyword “telescope”" in card_of(page, world["comet"])


def test_the_exploration_pick_says_it_is_outside_your_topics(client, newsroom):  # noqa: F811
    user = UserFactory()
    follow(user, newsroom["food"])
    client.force_login(user)
    page = client.get("/").content.decode()
    assert page.count('<span class="why-line">Outside your topics</span>') == 1


def test_without_script_feedback_returns_to_the_card_anchor(client, reader, world):
    comet = world["comet"]
    response = client.post(
        f"/articles/{comet.slug}/feedback/", {"kind": "more", "next": f"/#article-{comet.pk}"}
    )
    assert response.status_code == 302 and response["Location"] == f"/#article-{comet.pk}"
    page = client.get("/").content.decode()
    assert "Noted: more like" in page
    assert 'aria-pressed="true">You asked for more like this' in card_of(page, comet)


def test_with_script_feedback_answers_with_the_new_state_and_no_redirect(client, reader, world):
    comet = world["comet"]
    url = f"/articles/{comet.slug}/feedback/"
    answer = client.post(url, {"kind": "less"}, headers={"accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json() == {
        "message": "Noted: less like “Telescope spots a comet”; it and stories like it move "
        "out of your feed. Press it again to take it back.",
        "more": False,
        "less": True,
    }
    assert ArticleFeedback.objects.get(user=reader).kind == "less"
    again = client.post(url, {"kind": "less"}, headers={"accept": "application/json"}).json()
    assert again["less"] is False and again["message"].startswith("Taken back")
    bad = client.post(url, {"kind": "love"}, headers={"accept": "application/json"})
    assert bad.status_code == 400 and "Choose" in bad.json()["message"]
    # No message waits for the next page: the script already said it.
    assert "Noted" not in client.get("/").content.decode()


def test_hiding_an_outlet_from_a_card_and_showing_it_again_on_its_page(client, reader, world):
    gazette, comet = world["gazette"], world["comet"]
    answer = client.post(
        f"/sources/{gazette.slug}/mute/", headers={"accept": "application/json"}
    ).json()
    assert answer["source_muted"] is True and answer["source"] == gazette.slug
    assert comet.title not in client.get("/top/").content.decode()
    page = client.get(gazette.get_absolute_url()).content.decode()
    assert "<h1>Harbour Gazette</h1>" in page and "Show Harbour Gazette again" in page
    assert comet.title not in page
    response = client.post(f"/sources/{gazette.slug}/unmute/", follow=True)
    assert "Stories from Harbour Gazette are back" in response.content.decode()
    assert comet.title in response.content.decode() and "Hide Harbour Gazette" in (
        response.content.decode()
    )
    assert client.get("/sources/no-such-outlet/").status_code == 404


def test_an_outlet_page_lists_its_stories_for_anyone(world):
    page = Client().get(world["gazette"].get_absolute_url()).content.decode()
    assert world["comet"].title in page and world["goal"].title not in page
    assert "Hide Harbour Gazette" not in page  # nothing to mute without an account


def test_topic_pages_follow_and_unfollow(client, reader, world):
    sport = world["sport"]
    page = client.get(sport.get_absolute_url()).content.decode()
    assert "Follow Sport" in page
    response = client.post(f"/topics/{sport.slug}/follow/", follow=True)
    assert "You follow Sport" in response.content.decode()
    assert "Unfollow Sport" in response.content.decode()
    assert TopicFollow.objects.filter(user=reader, topic=sport).exists()
    client.post(f"/topics/{sport.slug}/unfollow/")
    assert not TopicFollow.objects.filter(user=reader, topic=sport).exists()


def test_following_a_muted_topic_unmutes_it(client, reader, world):
    sport = world["sport"]
    ReaderPreferences.objects.create(user=reader).muted_topics.add(sport)
    page = client.get(sport.get_absolute_url()).content.decode()
    assert "Unmute and follow Sport" in page and world["goal"].title not in page
    client.post(f"/topics/{sport.slug}/follow/")
    assert not ReaderPreferences.objects.get(user=reader).muted_topics.exists()
    assert TopicFollow.objects.filter(user=reader, topic=sport).exists()


def test_onboarding_chips_save_topics_and_keep_keywords_and_mutes(client, reader, world):
    ReaderPreferences.objects.create(user=reader, keywords="comet")
    page = client.get("/topics/?welcome=1").content.decode()
    assert 'class="chip"' in page and 'name="keywords"' not in page
    response = client.post(
        "/topics/?welcome=1", {"step": "topics", "topics": ["science", "sport"], "fine_tune": "1"}
    )
    assert response["Location"] == "/topics/fine-tune/"
    assert set(TopicFollow.objects.filter(user=reader).values_list("topic__slug", flat=True)) == {
        "science",
        "sport",
    }
    assert ReaderPreferences.objects.get(user=reader).keyword_list == ["comet"]


def test_fine_tune_offers_no_way_to_mute_a_followed_topic(client, reader, world):
    page = client.get("/topics/fine-tune/").content.decode()
    assert 'id="weight-science"' in page and 'id="mute-science"' not in page
    assert 'id="mute-sport"' in page and 'id="weight-sport"' not in page
    # A hand-made post that tries anyway is still refused.
    response = client.post(
        "/topics/fine-tune/", {"topics": ["science"], "muted_topics": ["science"]}
    )
    assert "You cannot follow and mute the same topic: Science" in html.unescape(
        response.content.decode()
    )


def test_the_display_cookie_is_the_declared_one_and_set_only_when_asked(client, world):
    anonymous = Client()
    response = anonymous.get("/top/")
    assert not response.cookies  # no cookie before a form is used
    assert 'name="theme"' in response.content.decode()
    response = anonymous.post("/display/", {"theme": "dark", "text": "large", "next": "/top/"})
    assert response["Location"] == "/top/"
    cookie = response.cookies[DISPLAY_COOKIE.name]
    assert cookie.value == "dark.large" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == DISPLAY_COOKIE.max_age
    page = anonymous.get("/top/").content.decode()
    assert '<html lang="en" data-theme="dark" data-text="large">' in page
    assert set(response.cookies) <= {c.name for c in cookies()}
    # Nonsense is ignored, and choosing the defaults removes the cookie.
    anonymous.cookies[DISPLAY_COOKIE.name] = "<script>.huge"
    assert '<html lang="en">' in anonymous.get("/top/").content.decode()
    response = anonymous.post("/display/", {"theme": "system", "text": "normal"})
    assert response.cookies[DISPLAY_COOKIE.name].value == ""


def test_public_pages_have_a_description_and_open_graph_tags(world):
    page = Client().get(world["comet"].get_absolute_url()).content.decode()
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Telescope spots a comet">' in page
    assert '<meta name="description" content="' in page
    assert "article:published_time" in page
    topic = Client().get(world["science"].get_absolute_url()).content.decode()
    assert f'<meta name="description" content="{world["science"].description}">' in topic


def test_relative_times_read_like_a_news_reader():
    now = timezone.now()
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now - timedelta(minutes=12), now) == "12 min ago"
    assert ago(now - timedelta(hours=3, minutes=50), now) == "3 h ago"
    assert ago(now - timedelta(days=4), now) == "4 days ago"
    assert ago(now.replace(year=now.year - 2), now).endswith(str(now.year - 2))


def test_card_pages_keep_a_fixed_number_of_queries(
    client, reader, world, django_assert_num_queries
):
    for n in range(5):
        ArticleFactory(
            title=f"Comet update {n}", topics=[world["science"]], source=world["gazette"]
        )
    client.get(world["gazette"].get_absolute_url())
    pagecache.clear()  # the page made again, not the one kept for the reader
    # 10 with the content version and the reader's data version (one query, the page
    # memory's), and the reader's saved articles, read once for every card's "Save for
    # later" (the page is not counted: one row more than it shows tells whether another
    # follows).
    with django_assert_num_queries(10):
        client.get(world["gazette"].get_absolute_url())
