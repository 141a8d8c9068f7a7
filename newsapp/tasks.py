"""Background work of the news domain (django-tasks: in-process in development, the
django-tasks-db worker in production).

Feeds are imported on a schedule by enqueueing :func:`import_due_feeds` from cron (or by
running ``manage.py import_feeds``, which does the same in the foreground), for example
every 15 minutes; sources that failed wait out their backoff either way. Topic suggestions
for imported articles are queued by the import itself (``newsapp.ingest.tasks``). The
exposure audit of the recommender (:func:`audit_recommendations`) suits a weekly schedule:
each run spends ε of that day's privacy budget.
"""

import logging

from django_tasks import task

from consent.dp import BudgetExhausted
from newsapp import exposure, ranking
from newsapp.ingest import services
from newsapp.models import Source

logger = logging.getLogger(__name__)


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


@task()
def audit_recommendations(staff_label: str = "scheduled task") -> dict[str, int | None]:
    """The exposure audit (``manage.py audit_recommendations`` does the same in the
    foreground); skipped with a warning when the day's privacy budget is spent."""
    try:
        run = exposure.exposure_audit_run(staff_label=staff_label)
    except BudgetExhausted:
        logger.warning("Exposure audit skipped: today's privacy budget is spent.")
        return {"audit": None, "flagged": None}
    return {"audit": run.pk, "flagged": len(exposure.audit_report(run).flagged)}
