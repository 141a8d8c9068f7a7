"""Topic suggestions for untagged articles: computed by the recommender, accepted by editors."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from newsapp import ranking
from newsapp.models import Article, Topic, TopicSuggestion
from newsapp.recommender import Document

REFERENCE_SIZE = 500  # tagged articles that calibrate the confidences
BATCH = 500


def reference_documents(limit: int = REFERENCE_SIZE) -> list[Document]:
    """The most recent articles editors tagged, with their topics."""
    articles = ranking.for_documents(
        Article.objects.filter(topics__isnull=False).distinct().order_by("-published_at", "-id")
    )[:limit]
    return [ranking.article_document(a) for a in articles]


def topic_suggestions_refresh(*, article_ids: Iterable[int]) -> int:
    """Replace the suggestions of the given articles that have no topic yet; returns how many."""
    ids = list(article_ids)
    articles = list(ranking.for_documents(Article.objects.filter(pk__in=ids, topics__isnull=True)))
    if not articles:
        return 0
    from newsapp.recommender.suggest import suggest_topics  # scikit-learn, on first use

    index = ranking.get_index()
    reference = reference_documents()
    topics = {t.slug: t for t in Topic.objects.all()}
    created = 0
    for start in range(0, len(articles), BATCH):
        batch = articles[start : start + BATCH]
        results = suggest_topics(
            index, [ranking.article_document(a) for a in batch], reference=reference
        )
        rows = [
            TopicSuggestion(article=article, topic=topics[slug], confidence=confidence)
            for article, suggestions in zip(batch, results, strict=True)
            for slug, confidence in suggestions
            if slug in topics
        ]
        with transaction.atomic():
            TopicSuggestion.objects.filter(article__in=batch).delete()
            TopicSuggestion.objects.bulk_create(rows)
        created += len(rows)
    return created


@transaction.atomic
def topic_suggestions_accept(*, articles, min_confidence: float = 0.0) -> int:
    """Tag each article with its suggested topics; returns how many tags were added."""
    suggestions = list(
        TopicSuggestion.objects.filter(
            article__in=articles.values("pk"), confidence__gte=min_confidence
        ).select_related("article", "topic")
    )
    through = Article.topics.through
    existing = set(
        through.objects.filter(article__in={s.article_id for s in suggestions}).values_list(
            "article_id", "topic_id"
        )
    )
    new_tags = {
        (s.article_id, s.topic_id)
        for s in suggestions
        if (s.article_id, s.topic_id) not in existing
    }
    through.objects.bulk_create(
        [through(article_id=article_id, topic_id=topic_id) for article_id, topic_id in new_tags]
    )
    TopicSuggestion.objects.filter(pk__in=[s.pk for s in suggestions]).delete()
    # Tagging through the join table does not touch the articles; the index must still
    # notice the change, so bump their timestamps.
    Article.objects.filter(pk__in={s.article_id for s in suggestions}).update(
        updated_at=timezone.now()
    )
    if new_tags:
        ranking.index_refresh_queue()
    return len(new_tags)
