"""Background work of the news domain (django-tasks: in-process in development, the
django-tasks-db worker in production).

Feeds are imported on a schedule by enqueueing :func:`import_due_feeds` from cron (or by
running ``manage.py import_feeds``, which does the same in the foreground), for example
every 15 minutes; sources that failed wait out their backoff either way. Topic suggestions
for imported articles are queued by the import itself (``newsapp.ingest.tasks``).
"""

from django_tasks import task

from newsapp import ranking
from newsapp.ingest import services
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
def build_recommender_index() -> int:
    """A full refit of the recommender index, saved for every worker (schedule nightly).
    Changes of content queue ``ranking.refresh_recommender_index`` by themselves."""
    index, _ = ranking.build_now()
    return len(index)
