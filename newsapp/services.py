"""Writes of the news domain. Each is one transaction."""

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from newsapp import ranking
from newsapp.coverage import stories_queue
from newsapp.models import (
    Article,
    ArticleFeedback,
    ReaderLocation,
    ReaderPreferences,
    Region,
    SavedArticle,
    Source,
    Topic,
    TopicFollow,
)


@transaction.atomic
def preferences_update(
    *,
    user,
    follows: Mapping[Topic, int],
    keywords: Iterable[str],
    muted_topics: Iterable[Topic],
    muted_sources: Iterable[Source],
    explore: bool,
) -> ReaderPreferences:
    """Replace what ``user`` stated: followed topics with weights, keywords and mutes."""
    preferences, _ = ReaderPreferences.objects.select_for_update().get_or_create(user=user)
    preferences.keywords = ", ".join(keywords)
    preferences.explore = explore
    preferences.save()
    preferences.muted_topics.set(list(muted_topics))
    preferences.muted_sources.set(list(muted_sources))

    TopicFollow.objects.filter(user=user).exclude(topic__in=list(follows)).delete()
    existing = {f.topic_id: f for f in TopicFollow.objects.filter(user=user)}
    to_create, to_update = [], []
    for topic, weight in follows.items():
        follow = existing.get(topic.pk)
        if follow is None:
            to_create.append(TopicFollow(user=user, topic=topic, weight=weight))
        elif follow.weight != weight:
            follow.weight = weight
            to_update.append(follow)
    TopicFollow.objects.bulk_create(to_create)
    TopicFollow.objects.bulk_update(to_update, ["weight"])
    return preferences


@transaction.atomic
def article_publish(*, article: Article) -> Article:
    """Publish ``article`` now, unless it already carries a publication time."""
    article.status = Article.Status.PUBLISHED
    if article.published_at is None:
        article.published_at = timezone.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    ranking.index_refresh_queue()
    stories_queue()
    return article


@transaction.atomic
def articles_status_set(*, articles, status: str) -> int:
    """Publish or unpublish many articles at once; returns how many changed."""
    now = timezone.now()
    changed = 0
    # Lock the rows themselves; the admin's queryset may carry outer joins.
    locked = Article.objects.filter(pk__in=articles.values("pk")).select_for_update()
    for article in locked:
        if article.status == status:
            continue
        article.status = status
        if status == Article.Status.PUBLISHED and article.published_at is None:
            article.published_at = now
        article.save(update_fields=["status", "published_at", "updated_at"])
        changed += 1
    if changed:
        ranking.index_refresh_queue()
    if changed and status == Article.Status.PUBLISHED:
        stories_queue()
    return changed


@transaction.atomic
def article_feedback_toggle(*, user, article: Article, kind: str) -> ArticleFeedback | None:
    """Record "more like this" or "less like this" on ``article``.

    Saying the same thing twice takes it back (returns ``None``); saying the other thing
    replaces it, so a reader holds at most one opinion per article.
    """
    existing = ArticleFeedback.objects.select_for_update().filter(user=user, article=article)
    feedback = existing.first()
    if feedback is not None and feedback.kind == kind:
        feedback.delete()
        return None
    if feedback is not None:
        feedback.kind = kind
        feedback.save(update_fields=["kind"])
        return feedback
    return ArticleFeedback.objects.create(user=user, article=article, kind=kind)


@transaction.atomic
def source_mute(*, user, source: Source) -> ReaderPreferences:
    """Never show ``user`` anything from ``source`` again (until they unmute it)."""
    preferences, _ = ReaderPreferences.objects.get_or_create(user=user)
    preferences.muted_sources.add(source)
    return preferences


@transaction.atomic
def source_unmute(*, user, source: Source) -> None:
    """Show ``source`` to ``user`` again."""
    preferences = ReaderPreferences.objects.filter(user=user).first()
    if preferences is not None:
        preferences.muted_sources.remove(source)


@transaction.atomic
def topic_follow(*, user, topic: Topic) -> TopicFollow:
    """Follow ``topic`` (normal weight). A muted topic is unmuted: following and muting the
    same topic cannot both hold."""
    preferences = ReaderPreferences.objects.filter(user=user).first()
    if preferences is not None:
        preferences.muted_topics.remove(topic)
    follow, _ = TopicFollow.objects.get_or_create(user=user, topic=topic)
    return follow


@transaction.atomic
def topic_unfollow(*, user, topic: Topic) -> None:
    TopicFollow.objects.filter(user=user, topic=topic).delete()


@transaction.atomic
def region_set(*, user, region: Region | None) -> None:
    """The reader's region for local news (purpose ``location``); None forgets it."""
    if region is None:
        ReaderLocation.objects.filter(user=user).delete()
        return
    location = ReaderLocation.objects.filter(user=user).first() or ReaderLocation(user=user)
    location.region = region.slug
    location.last_seen_on = timezone.localdate()
    location.save()


def region_visit_record(*, user) -> None:
    """A visit keeps a chosen region alive: its retention counts from the last one. One
    UPDATE that touches no row when the region was already seen today or there is none."""
    today = timezone.localdate()
    ReaderLocation.objects.filter(user=user, last_seen_on__lt=today).update(last_seen_on=today)


@transaction.atomic
def saved_article_toggle(*, user, article: Article) -> bool:
    """Save ``article`` for later, or remove it when it is saved already; returns whether
    it is saved now."""
    removed, _ = SavedArticle.objects.filter(user=user, article=article).delete()
    if removed:
        return False
    SavedArticle.objects.create(user=user, article=article)
    return True
