"""Atom feeds of public content (Django's syndication framework): Top stories, each topic,
each outlet. The same for everyone: no reader's mutes, no personal data, no tracking
parameters on the links; a feed reader needs no cookie and gets none."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.views.decorators.http import require_GET

from newsapp import selectors
from newsapp.models import Article, Source, Topic

SITE_NAME = "Plainsight"
ITEMS = 30


class _ArticleFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=300"
        return response

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # Atom's summary is declared HTML: the plain text is escaped to stay text.
        return escape(item.summary or item.plain_text[:400])

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return max(item.published_at, item.updated_at)

    def item_author_name(self, item: Article) -> str | None:
        return item.author or (item.source.name if item.source else None)

    def item_categories(self, item: Article) -> list[str]:
        return [topic.name for topic in item.topics.all()]


class TopStoriesFeed(_ArticleFeed):
    title = f"{SITE_NAME}: Top stories"
    subtitle = "The stories most outlets are covering, freshest first; the same for everyone."

    def link(self) -> str:
        return reverse("newsapp:top-stories")

    def items(self) -> list[Article]:
        ranked = selectors.top_story_ranking(preferences=selectors.StatedPreferences())
        return selectors.top_story_cards(ranked=ranked[:ITEMS])


class TopicFeed(_ArticleFeed):
    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj: Topic) -> str:
        return f"{SITE_NAME}: {obj.name}"

    def subtitle(self, obj: Topic) -> str:
        return obj.description

    def link(self, obj: Topic) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Topic):
        return Article.objects.published().filter(topics=obj).for_page()[:ITEMS]


class SourceFeed(_ArticleFeed):
    def get_object(self, request, slug: str) -> Source:
        return get_object_or_404(Source, slug=slug)

    def title(self, obj: Source) -> str:
        return f"{SITE_NAME}: stories from {obj.name}"

    def subtitle(self, obj: Source) -> str:
        return f"The newest stories from {obj.name}."

    def link(self, obj: Source) -> str:
        try:
            return reverse("newsapp:source-detail", kwargs={"slug": obj.slug})
        except NoReverseMatch:  # before outlets have pages of their own
            return reverse("newsapp:latest")

    def items(self, obj: Source):
        return Article.objects.published().filter(source=obj).for_page()[:ITEMS]


top_stories_feed = require_GET(TopStoriesFeed())
topic_feed = require_GET(TopicFeed())
source_feed = require_GET(SourceFeed())
