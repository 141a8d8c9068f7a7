"""The parts of an article card that are the same for every reader, as HTML, remembered
per process.

``CardFacts`` holds everything those parts show, and ``public_parts`` renders from the
facts alone: so a remembered rendering can only be reused where it would come out the
same, and nothing of the reader (their saves, likes, token, page) can be in it. The
relative time ("3 h ago") is one of the facts, so a card changes when its text would.

The memory is this process's own (``lru_cache``), never the shared cache: a page of 20
cards would spend more on a round trip to the database or Redis than on rendering.
"""

from datetime import datetime
from functools import lru_cache
from html import escape as _escape
from typing import NamedTuple

from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.translation import get_language

from newsapp.core.reversing import reverse_under
from newsapp.models import Article, LeadImage
from newsapp.templatetags.news import ago

_LAZY = ' loading="lazy"'


def esc(value) -> str:
    """Django's ``conditional_escape``, the same text, without its lazy-string wrapper: a
    card escapes some twenty values."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))


class CardFacts(NamedTuple):
    pk: int
    slug: str
    title: str
    source: tuple[str, str] | None  # slug, name
    published_at: datetime | None
    ago: str
    minutes: int
    story: tuple[int, int] | None  # story id, outlet count, when more than one outlet
    topics: tuple[tuple[str, str], ...]  # slug, name
    picture: LeadImage | None
    heading_level: str
    lazy: bool
    # What the URLs and dates are written under.
    environment: tuple


class PublicParts(NamedTuple):
    head: str  # from <article> to the coverage line
    tags: str  # the topic list
    tail: str  # the picture and </article>
    # For the signed-in menu, escaped: the headline, the outlet's name, the forms' URLs.
    title: str
    source_name: str | None
    feedback_url: str
    save_url: str
    mute_url: str | None
    unmute_url: str | None


def facts(article: Article, *, position, heading_level, environment: tuple) -> CardFacts:
    source = article.source
    outlets = getattr(article, "outlet_count", None)
    return CardFacts(
        pk=article.pk,
        slug=article.slug,
        title=article.title,
        source=(source.slug, source.name) if source is not None else None,
        published_at=article.published_at,
        ago=ago(article.published_at),
        minutes=article.reading_minutes,
        story=(article.story_id, outlets) if isinstance(outlets, int) and outlets > 1 else None,
        topics=tuple((t.slug, t.name) for t in _topics(article)),
        picture=article.lead_image,
        # As the template's `heading_level|default:2` and `position > 2 or not position`.
        heading_level=str(heading_level or 2),
        lazy=not position or (isinstance(position, int) and position > 2),
        environment=environment,
    )


def _topics(article: Article):
    # The list prefetched by ``for_cards``, read as is: making ``article.topics`` (a new
    # related manager) and its ``all()`` costs more than the rest of the card's facts.
    prefetched = getattr(article, "_prefetched_objects_cache", {}).get("topics")
    return prefetched if prefetched is not None else article.topics.all()


def environment() -> tuple:
    """What URLs and dates are written under: the same for a whole page."""
    return (
        get_language(),
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        get_urlconf(),
        settings.ROOT_URLCONF,
        settings.MEDIA_URL,
    )


@lru_cache(maxsize=20_000)
def published_label(published_at: datetime, environment: tuple) -> str:
    """The publication time in full ('2 March 2026, 14:05 UTC'), in the current zone."""
    return date_filter(timezone.localtime(published_at), "j F Y, H:i T")


@lru_cache(maxsize=4096)
def public_parts(card: CardFacts) -> PublicParts:
    pk, env = card.pk, card.environment
    picture = card.picture
    css = "card card-with-picture" if picture else "card"
    head = [f'<article class="{css}" id="article-{pk}" data-card']
    if card.source:
        head.append(f' data-source="{esc(card.source[0])}"')
    level = esc(card.heading_level)
    url = reverse_under(env, "newsapp:article-detail", slug=card.slug)
    head.append(
        f'>\n  <div class="card-text">\n'
        f'    <h{level} class="card-title"><a href="{esc(url)}">{esc(card.title)}</a></h{level}>\n'
        f'    <p class="card-meta">\n'
    )
    if card.source:
        source_url = reverse_under(env, "newsapp:source-detail", slug=card.source[0])
        head.append(
            f'      <a class="card-source" href="{esc(source_url)}">{esc(card.source[1])}</a>'
            '<span aria-hidden="true"> · </span>\n'
        )
    if card.published_at:
        iso = timezone.localtime(card.published_at).isoformat()  # the date filter's "c"
        label = published_label(card.published_at, card.environment)
        head.append(
            f'      <time datetime="{esc(iso)}" title="{esc(label)}">{esc(card.ago)}</time>'
            '<span aria-hidden="true"> · </span>\n'
        )
    head.append(f"      <span>{card.minutes} min read</span>\n    </p>\n")
    if card.story:
        story_url = reverse_under(env, "newsapp:story-detail", pk=card.story[0])
        head.append(
            f'<p class="card-coverage"><a href="{esc(story_url)}">{card.story[1]} outlets</a>'
            " cover this story</p>\n"
        )
    tags = ""
    if card.topics:
        links = "".join(
            f'<li><a href="{esc(reverse_under(env, "newsapp:topic-detail", slug=slug))}">'
            f"{esc(name)}</a></li>"
            for slug, name in card.topics
        )
        tags = (
            f'\n          <ul class="tags" aria-label="Topics">\n            {links}\n'
            "          </ul>\n"
        )
    tail = "    </div>\n  </div>\n"
    if picture:
        tail += (
            f'  <img class="card-picture" src="{esc(picture.src)}" srcset="{esc(picture.srcset)}"'
            f' sizes="(max-width: 40rem) 6.5rem, 8rem" width="{picture.widths[0]}"'
            f' height="{picture.small_height}" alt=""{_LAZY if card.lazy else ""}'
            ' decoding="async">\n'
        )
    tail += "</article>"
    source_slug = card.source[0] if card.source else None
    return PublicParts(
        head="".join(head),
        tags=tags,
        tail=tail,
        title=esc(card.title),
        source_name=esc(card.source[1]) if card.source else None,
        feedback_url=esc(reverse_under(env, "newsapp:article-feedback", slug=card.slug)),
        save_url=esc(reverse_under(env, "newsapp:article-save", slug=card.slug)),
        mute_url=esc(reverse_under(env, "newsapp:source-mute", slug=source_slug))
        if source_slug
        else None,
        unmute_url=esc(reverse_under(env, "newsapp:source-unmute", slug=source_slug))
        if source_slug
        else None,
    )
