"""Background work of the news domain (django-tasks: in-process in development, the
django-tasks-db worker in production).

Feeds are imported on a schedule by enqueueing :func:`import_due_feeds` from cron (or by
running ``manage.py import_feeds``, which does the same in the foreground), for example
every 15 minutes; sources that failed wait out their backoff either way.
"""

from django_tasks import task

from newsapp.ingest import services
from newsapp.ingest.suggestions import topic_suggestions_refresh
from newsapp.models import Source


@task()
def import_due_feeds() -> dict[str, int]:
    """Fetch every active source that is not backing off; returns counts for the log."""
    reports = services.feeds_import(sources=list(services.sources_due()))
    return {
        "feeds": len(reports),
        "failed": sum(not r.ok for r in reports),
        "new": sum(r.new for r in reports),
        "updated": sum(r.updated for r in reports),
    }


@task()
def import_feeds_now(source_ids: list[int]) -> dict[str, int]:
    """Fetch the given sources at once, backoff or not (the admin's "fetch now")."""
    reports = services.feeds_import(sources=list(Source.objects.filter(pk__in=source_ids)))
    return {"feeds": len(reports), "failed": sum(not r.ok for r in reports)}


@task()
def suggest_topics_for_articles(article_ids: list[int]) -> int:
    """Ask the recommender which topics newly imported, untagged articles are about."""
    return topic_suggestions_refresh(article_ids=article_ids)


@task()
def build_recommender_index() -> int:
    """A full refit of the recommender index, saved for every worker (schedule nightly and
    after topic changes or bulk imports)."""
    from newsapp import ranking

    index, _ = ranking.build_now()
    return len(index)
