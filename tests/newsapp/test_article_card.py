"""The article card as ``{% article_card %}`` renders it is the card the template used to
render, for every kind of article and reader; and its remembered public parts never carry
one reader's state to another.

The old template is kept beside this file (card_reference/) as the reference: it still
includes the project's _feedback_forms.html and _save_form.html, so a change to those that
the tag does not follow shows up here too. HTML is compared with runs of white space made
one space (what a browser shows is the same)."""

import difflib
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template import Context, Engine, engines
from django.test import Client, RequestFactory
from django.utils import timezone

from newsapp.models import Article, ArticleFeedback, SavedArticle, Story
from newsapp.recommender.types import Reasons
from newsapp.selectors import FeedItem
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)

REFERENCE = Engine(
    dirs=[Path(__file__).parent / "card_reference", *settings.TEMPLATES[0]["DIRS"]],
    libraries={"news": "newsapp.templatetags.news"},
)
TAG = engines["django"].engine.from_string(
    "{% load cards %}{% article_card article item=item position=position "
    "heading_level=heading_level snippet=snippet remove_on_unsave=remove_on_unsave %}"
)


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def render_both(article, *, user=None, path="/latest/?page=2&q=a<b", **values):
    """The card through the old template and through the tag, from the same context."""
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    context = {
        "article": article,
        "item": None,
        "position": None,
        "heading_level": None,
        "snippet": None,
        "remove_on_unsave": False,
        "user": request.user,
        "request": request,
        "csrf_token": get_token(request),
        "preferences": SimpleNamespace(liked=[], disliked=[]),
        "saved_ids": frozenset(),
        **values,
    }
    old = REFERENCE.get_template("newsapp/_article_card.html").render(Context(context))
    new = TAG.render(Context(context))
    return squeeze(old), squeeze(new)


def assert_same(old: str, new: str) -> None:
    if old != new:
        diff = difflib.unified_diff(
            old.replace("> <", ">\n<").splitlines(),
            new.replace("> <", ">\n<").splitlines(),
            "template",
            "tag",
            lineterm="",
        )
        pytest.fail("\n".join(diff))


def with_picture(article: Article) -> Article:
    article.image = "pictures/harbour"
    article.image_widths = "320,640,1280"
    article.image_width = 1280
    article.image_height = 853
    article.image_alt = "Boats in the harbour"
    article.save()
    return article


def cards_for(article_id: int) -> Article:
    article = Article.objects.for_cards().get(pk=article_id)
    return article


@pytest.fixture
def articles():
    politics = TopicFactory(name="Politics & <Power>", slug="politics")
    climate = TopicFactory(name="Climate")
    hostile = SourceFactory(name='The "Daily" <script>alert(1)</script> & Co', slug="daily")
    story = Story.objects.create()
    made = [
        ArticleFactory(
            title="<script>alert('x')</script> & \"quotes\"",
            source=hostile,
            topics=[politics, climate],
            published_at=NOW - timedelta(seconds=20),
            body="<p>" + "word " * 900 + "</p>",
            story=story,
        ),
        with_picture(ArticleFactory(published_at=NOW - timedelta(minutes=12), topics=[climate])),
        ArticleFactory(source=None, published_at=NOW - timedelta(hours=5)),
        with_picture(ArticleFactory(source=None, published_at=NOW - timedelta(days=1, hours=2))),
        ArticleFactory(published_at=NOW - timedelta(days=4)),
        ArticleFactory(published_at=NOW - timedelta(days=40)),
        ArticleFactory(published_at=NOW - timedelta(days=800)),
        ArticleFactory(status=Article.Status.DRAFT, published_at=None, title="A draft"),
    ]
    return [cards_for(a.pk) for a in made]


def feed_items(article, other):
    names = {"politics": "Politics & <Power>", "climate": "Climate"}
    reasons = [
        Reasons(exploration=True, freshness=0.9),
        Reasons(
            topics=(("climate", 0.8), ("politics", 0.2)),
            topic_certainty=(("climate", 0.95),),
            terms=("word",),
            keywords=("harbour", "<b>tide</b>"),
            freshness=0.5,
            liked=(other.pk,),
            local=True,
        ),
        Reasons(freshness=0.1),
    ]
    return [FeedItem(article, r, names, liked=[other] if r.liked else []) for r in reasons]


@time_machine.travel(NOW, tick=False)
def test_anonymous_cards_are_the_templates(articles):
    for article in articles:
        for position in (None, 1, 2, 3, 7):
            for heading_level in (None, 3):
                old, new = render_both(article, position=position, heading_level=heading_level)
                assert_same(old, new)
    with timezone.override("America/New_York"):  # dates are written in the current zone
        for article in articles:
            old, new = render_both(article)
            assert_same(old, new)
        assert re.search(r'title="[^"]* E[SD]T"', render_both(articles[0])[1])


@time_machine.travel(NOW, tick=False)
def test_cards_with_coverage_snippets_and_reasons_are_the_templates(articles):
    first = articles[0]
    first.outlet_count = 4
    for article in articles:
        old, new = render_both(article, snippet="Harbour <mark>tides</mark> & more")
        assert_same(old, new)
        for item in feed_items(article, first):
            old, new = render_both(article, item=item, position=2)
            assert_same(old, new)


@time_machine.travel(NOW, tick=False)
def test_signed_in_cards_are_the_templates(articles):
    reader = UserFactory()
    liked, disliked, saved = articles[0].pk, articles[1].pk, articles[2].pk
    preferences = SimpleNamespace(liked=[liked], disliked=[disliked])
    for article in articles:
        for remove_on_unsave in (False, True):
            old, new = render_both(
                article,
                user=reader,
                preferences=preferences,
                saved_ids=frozenset({saved}),
                remove_on_unsave=remove_on_unsave,
                item=feed_items(article, articles[0])[1],
            )
            assert_same(old, new)
    # Pages without the reader's preferences or saves in their context (story, search).
    old, new = render_both(articles[0], user=reader, preferences="", saved_ids=None)
    assert_same(old, new)
    assert 'aria-pressed="true"' not in new


@time_machine.travel(NOW, tick=False)
def test_hostile_text_stays_text(articles):
    _, new = render_both(articles[0], snippet="<script>alert(2)</script>")
    assert "<script>" not in new
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in new
    assert "Politics &amp; &lt;Power&gt;" in new


def test_the_relative_time_follows_the_clock_on_a_remembered_card(articles):
    article = articles[2]
    with time_machine.travel(NOW, tick=False):
        assert ">5 h ago</time>" in render_both(article)[1]
        assert ">5 h ago</time>" in render_both(article)[1]
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        old, new = render_both(article)
        assert ">7 h ago</time>" in new
        assert_same(old, new)


@time_machine.travel(NOW, tick=False)
def test_an_edit_shows_on_a_remembered_card(articles):
    article = articles[1]
    assert "Story number" in render_both(article)[1]
    Article.objects.filter(pk=article.pk).update(title="A corrected headline")
    old, new = render_both(cards_for(article.pk))
    assert "A corrected headline" in new
    assert_same(old, new)


def _pressed(html: str, pk: int) -> dict[str, str]:
    """The pressed state of each of the card's buttons, by what it does."""
    card = re.search(rf'<article [^>]*id="article-{pk}".*?</article>', html, re.S).group(0)
    states = dict(re.findall(r'data-kind="(more|less)"[^>]*aria-pressed="(true|false)"', card))
    save = re.search(r'id="save-\d+".*?aria-pressed="(true|false)"', card, re.S)
    states["save"] = save.group(1)
    return states


def test_two_readers_see_their_own_states_on_the_same_warm_card():
    article = ArticleFactory(topics=[TopicFactory(name="Climate")])
    fan, critic = UserFactory(), UserFactory()
    ArticleFeedback.objects.create(user=fan, article=article, kind=ArticleFeedback.Kind.MORE)
    SavedArticle.objects.create(user=fan, article=article)
    ArticleFeedback.objects.create(user=critic, article=article, kind=ArticleFeedback.Kind.LESS)
    anonymous = Client()
    anonymous.get("/latest/")  # the public parts are remembered now
    pages = {}
    for reader in (fan, critic, fan):
        client = Client()
        client.force_login(reader)
        response = client.get("/latest/")
        assert response.status_code == 200
        pages.setdefault(reader.pk, []).append(response.content.decode())
    for html in pages[fan.pk]:
        assert _pressed(html, article.pk) == {"more": "true", "less": "false", "save": "true"}
    critic_page = pages[critic.pk][0]
    assert _pressed(critic_page, article.pk) == {"more": "false", "less": "true", "save": "false"}
    # Nobody's token or menu is in the page a visitor gets after them.
    visitor = anonymous.get("/latest/").content.decode()
    assert "csrfmiddlewaretoken" not in visitor
    assert 'class="card-menu"' not in visitor
    assert f'id="article-{article.pk}"' in visitor
