"""Background work of the privacy layer (Django's Tasks API through django-tasks).

Schedule ``purge_expired_data_task`` daily (cron: ``manage.py purge_expired_data`` does the
same) and ``checkpoint_ledger_task`` at least daily, so a rewrite of the ledger is caught
against a recent signed head.
"""

import logging

from django_tasks import task

from consent.checkpoints import checkpoint_create, checkpoint_verify
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
    if not (ledger_verify().ok and checkpoint_verify().ok):
        logger.error("Consent ledger does not verify; no checkpoint written.")
        return False
    checkpoint_create()
    return True
