"""Background work that follows an import: topic suggestions for the new, untagged
articles, and their lead pictures. The import services queue it after their commit; the
feed-fetching tasks, which call those services, live in ``newsapp.tasks``."""

from django_tasks import task

from newsapp.ingest.images import lead_images_import
from newsapp.ingest.suggestions import topic_suggestions_refresh


@task()
def suggest_topics_for_articles(article_ids: list[int]) -> int:
    """Ask the recommender which topics newly imported, untagged articles are about."""
    return topic_suggestions_refresh(article_ids=article_ids)


@task()
def fetch_lead_images(article_ids: list[int]) -> int:
    """Fetch, check, re-encode and store the pictures newly imported entries pointed at."""
    return lead_images_import(article_ids=article_ids)
