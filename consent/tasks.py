"""Background work of the privacy layer (Django's Tasks API through django-tasks).

Schedule ``purge_expired_data_task`` daily (cron: ``manage.py purge_expired_data`` does the
same) and ``checkpoint_ledger_task`` at least daily, so a rewrite of the ledger is caught
against a recent signed head.
"""

import logging

from django_tasks import task

from consent.checkpoints import CHAINS, checkpoint_create, checkpoint_verify, published_line
from consent.rights import retention_purge
from consent.services import ledger_verify

logger = logging.getLogger(__name__)


@task()
def purge_expired_data_task() -> dict[str, int]:
    results = dict(retention_purge())
    logger.info("Retention purge: %s", results)  # category titles and counts only
    return results


@task()
def checkpoint_ledger_task() -> bool:
    """Verify every chained log and the checkpoints, then sign a new checkpoint; its head
    goes to the log, outside the database."""
    if not all(ledger_verify(model).ok for _code, _name, model, *_ in CHAINS):
        logger.error("A chained log does not verify; no checkpoint written.")
        return False
    result = checkpoint_verify()
    if not result.ok:
        logger.error("Checkpoints do not verify (%s); no checkpoint written.", result.reason)
        return False
    made = checkpoint_create()
    logger.info("Ledger checkpoint signed: %s", published_line(made))
    return True
