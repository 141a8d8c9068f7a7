"""Background work that follows an import: topic suggestions for the new, untagged
articles. The import services queue it after their commit; the feed-fetching tasks, which
call those services, live in ``newsapp.tasks``."""

from django_tasks import task

from newsapp.ingest.suggestions import topic_suggestions_refresh


@task()
def suggest_topics_for_articles(article_ids: list[int]) -> int:
    """Ask the recommender which topics newly imported, untagged articles are about."""
    return topic_suggestions_refresh(article_ids=article_ids)
