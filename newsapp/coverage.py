"""Full coverage: one story, many outlets.

Every write path that publishes (the editorial services, the admin, feed and JSON Lines
imports) queues :func:`stories_queue` after its commit; the task looks at the published
articles nobody looked at yet (``clustered_at`` is empty), newest first, compares each with
the articles published within the window around it (``newsapp.recommender.coverage``, on
the recommender's own TF-IDF vectors) in the order they were published, and files it under
the story of its closest version, making that story if the version was alone. Decisions
are final; an edit does not move an article to another story. ``manage.py cluster_stories``
works through a backlog.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_tasks import task

from newsapp import ranking
from newsapp.models import Article, Story
from newsapp.recommender import Document

BATCH = 2000


def _documents(ids: list[int], index) -> list[Document]:
    """Documents for ``ids``: text only for those the index does not hold yet."""
    missing = [pk for pk in ids if pk not in index.position]
    texts = {
        a.pk: Document(id=a.pk, title=a.title, text=f"{a.summary}\n{a.plain_text}")
        for a in Article.objects.filter(pk__in=missing).only("id", "title", "summary", "body")
    }
    return [texts.get(pk) or Document(id=pk, title="", text="") for pk in ids]


def stories_assign(*, limit: int | None = BATCH) -> int:
    """File the published articles not looked at yet (up to ``limit``, newest first) under
    the story of another outlet's version, where one is close enough. Returns how many
    articles were looked at."""
    # numpy and scipy load here, with the first grouping, not when Django starts.
    from newsapp.recommender.coverage import WINDOW_HOURS, closest_versions, document_vectors

    pending_rows = Article.objects.published().filter(clustered_at__isnull=True)
    pending_rows = pending_rows.order_by("-published_at", "-id").values_list(
        "id", "published_at", "source_id"
    )
    # The newest first when there is a backlog; then decided in the order they appeared.
    pending = sorted(pending_rows[:limit] if limit else pending_rows, key=lambda r: (r[1], r[0]))
    if not pending:
        return 0
    window = timedelta(hours=WINDOW_HOURS)
    earliest = min(p for _, p, _ in pending) - window
    latest = max(p for _, p, _ in pending) + window
    pool = list(
        Article.objects.published()
        .filter(clustered_at__isnull=False, published_at__range=(earliest, latest))
        .values_list("id", "published_at", "story_id", "source_id")
    )
    index = ranking.get_index()
    new_ids = [pk for pk, _, _ in pending]
    pool_ids = [pk for pk, _, _, _ in pool]
    matches = closest_versions(
        document_vectors(index, _documents(new_ids, index)),
        [p.timestamp() for _, p, _ in pending],
        document_vectors(index, _documents(pool_ids, index)),
        [p.timestamp() for _, p, _, _ in pool],
        new_sources=[s for _, _, s in pending],
        pool_sources=[s for _, _, _, s in pool],
    )
    story_of: dict[int, int | None] = {pk: story for pk, _, story, _ in pool}
    with transaction.atomic():
        changed: dict[int, int] = {}  # article -> story
        for pk, match in zip(new_ids, matches, strict=True):
            if match is None:
                continue
            other = new_ids[match.position] if match.in_batch else pool_ids[match.position]
            story = story_of.get(other) or changed.get(other)
            if story is None:
                story = Story.objects.create().pk
                changed[other] = story
            changed[pk] = story
            story_of[pk] = story
        by_story: dict[int, list[int]] = defaultdict(list)
        for pk, story in changed.items():
            by_story[story].append(pk)
        # update(): no save(), so neither updated_at nor the recommender's version moves.
        for story, members in by_story.items():
            Article.objects.filter(pk__in=members).update(story_id=story)
        Article.objects.filter(pk__in=new_ids).update(clustered_at=timezone.now())
    return len(new_ids)


@task()
def assign_stories() -> int:
    return stories_assign()


def stories_queue() -> None:
    """Look for other versions of what was just published, once the write has committed."""
    transaction.on_commit(assign_stories.enqueue)


def outlet_counts(story_ids) -> dict[int, int]:
    """How many outlets published each story (one query; only the stories asked for)."""
    ids = {s for s in story_ids if s is not None}
    if not ids:
        return {}
    rows = (
        Article.objects.published()
        .filter(story_id__in=ids)
        .values("story_id")
        .annotate(outlets=Count("source_id", distinct=True))
    )
    return {row["story_id"]: row["outlets"] for row in rows.order_by()}


def other_versions(*, article: Article, muted_sources=()) -> list[Article]:
    """The other outlets' published versions of ``article``'s story, newest first."""
    if article.story_id is None:
        return []
    return list(
        Article.objects.published()
        .filter(story_id=article.story_id)
        .exclude(pk=article.pk)
        .exclude(source__in=list(muted_sources))
        .select_related("source")
        .order_by("-published_at", "-id")
    )


def story_articles(*, story: Story, muted_sources=(), muted_topics=()) -> list[Article]:
    """Every published version of ``story``, newest first, under the reader's mutes."""
    return list(
        Article.objects.published()
        .filter(story=story)
        .without_muted(
            topic_ids=[t.pk for t in muted_topics], source_ids=[s.pk for s in muted_sources]
        )
        .for_cards()
        .order_by("-published_at", "-id")
    )
