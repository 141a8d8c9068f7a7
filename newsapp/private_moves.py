"""Moving stated preferences between a reader's account and private mode.

A private profile (the file private mode exports, ``newsapp.private-profile/1``) holds the
same stated preferences an account does: followed topics with weights, keywords, muted
topics and outlets, "more / less like this" and the exploration choice. Moving it into
private mode deletes it from the server in the same transaction; moving it into the
account replaces the account's stated preferences with it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from newsapp import services
from newsapp.models import Article, ArticleFeedback, ReaderPreferences, Source, Topic, TopicFollow

SCHEMA = "newsapp.private-profile/1"


class ProfileInvalid(ValueError):
    """The profile sent is not one private mode writes; the message says what is wrong."""


@transaction.atomic
def preferences_move_to_private(*, user) -> dict[str, Any]:
    """The reader's stated preferences as a private profile, deleted from the server:
    their follows, keywords, mutes and feedback are gone once this commits."""
    follows = TopicFollow.objects.filter(user=user).select_related("topic").order_by("topic__name")
    preferences = (
        ReaderPreferences.objects.select_for_update()
        .filter(user=user)
        .prefetch_related("muted_topics", "muted_sources")
        .first()
    )
    feedback = list(
        ArticleFeedback.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values_list("article_id", "kind")
    )
    profile: dict[str, Any] = {
        "schema": SCHEMA,
        "topics": {f.topic.slug: f.weight for f in follows},
        "keywords": preferences.keyword_list if preferences else [],
        "muted_topics": sorted(t.slug for t in preferences.muted_topics.all())
        if preferences
        else [],
        "muted_sources": sorted(s.slug for s in preferences.muted_sources.all())
        if preferences
        else [],
        "liked": [a for a, kind in feedback if kind == ArticleFeedback.Kind.MORE],
        "disliked": [a for a, kind in feedback if kind == ArticleFeedback.Kind.LESS],
        "explore": preferences.explore if preferences else True,
        "region": None,
    }
    TopicFollow.objects.filter(user=user).delete()
    ArticleFeedback.objects.filter(user=user).delete()
    if preferences is not None:
        preferences.keywords = ""
        preferences.explore = True
        preferences.save()
        preferences.muted_topics.clear()
        preferences.muted_sources.clear()
    return profile


def _slugs(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileInvalid(f"“{field}” must be a list of names.")
    return value


def _ids(value: Any, field: str) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ProfileInvalid(f"“{field}” must be a list of article numbers.")
    return value


@transaction.atomic
def preferences_move_to_account(*, user, profile: Any) -> None:
    """Replace the account's stated preferences with a private profile; topics, outlets
    and articles the site no longer has are left out."""
    if not isinstance(profile, dict) or profile.get("schema") != SCHEMA:
        raise ProfileInvalid("it is not a private-mode profile.")
    raw_topics = profile.get("topics", {})
    if not isinstance(raw_topics, dict) or not all(
        isinstance(w, int) and w in TopicFollow.Weight.values for w in raw_topics.values()
    ):
        raise ProfileInvalid("each topic needs a weight of 1, 2 or 3.")
    keywords = _slugs(profile.get("keywords", []), "keywords")
    if len(keywords) > settings.MAX_KEYWORDS or any(
        len(k) > settings.MAX_KEYWORD_LENGTH or "," in k for k in keywords
    ):
        raise ProfileInvalid(
            f"at most {settings.MAX_KEYWORDS} keywords of "
            f"{settings.MAX_KEYWORD_LENGTH} characters, without commas."
        )
    explore = profile.get("explore", True)
    if not isinstance(explore, bool):
        raise ProfileInvalid("“explore” must be true or false.")
    topics = {t.slug: t for t in Topic.objects.filter(slug__in=list(raw_topics))}
    muted_topics = Topic.objects.filter(slug__in=_slugs(profile.get("muted_topics", []), "muted"))
    muted_sources = Source.objects.filter(
        slug__in=_slugs(profile.get("muted_sources", []), "muted_sources")
    )
    services.preferences_update(
        user=user,
        follows={topics[slug]: weight for slug, weight in raw_topics.items() if slug in topics},
        keywords=[" ".join(k.split()) for k in keywords if k.strip()],
        muted_topics=list(muted_topics),
        muted_sources=list(muted_sources),
        explore=explore,
    )
    liked = list(dict.fromkeys(_ids(profile.get("liked", []), "liked")))
    disliked = set(_ids(profile.get("disliked", []), "disliked"))
    published = set(
        Article.objects.published().filter(pk__in=[*liked, *disliked]).values_list("pk", flat=True)
    )
    ArticleFeedback.objects.filter(user=user).delete()
    ArticleFeedback.objects.bulk_create(
        [
            ArticleFeedback(user=user, article_id=pk, kind=kind)
            for pk, kind in [
                *((pk, ArticleFeedback.Kind.MORE) for pk in liked if pk not in disliked),
                *((pk, ArticleFeedback.Kind.LESS) for pk in sorted(disliked)),
            ]
            if pk in published
        ]
    )
