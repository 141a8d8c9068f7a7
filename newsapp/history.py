"""What happens when a reader opens an article, under the consents they gave.

- ``personalize_history``: one (pseudonym, article, day) row; never the user id or a time.
- ``analytics``: one more read in that article's daily count, which holds no identifier;
  each reader adds at most ``DP_MAX_READS_PER_READER_PER_DAY`` reads a day, the bound the
  differentially private statistics rely on.
Without a consent nothing is written.
"""

import hashlib
import hmac
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from consent.changes import reader_key
from consent.pseudonyms import pseudonym_for
from consent.selectors import consents_remembered
from newsapp.core.pagecache import RecentValues
from newsapp.models import DailyReadCount, ReadingEvent, SavedArticle
from newsapp.purposes import ANALYTICS, PERSONALIZE_HISTORY

READS = "reads"  # the quota of counted reads; other counts name their own scope


def _quota_key(pseudonym: str, day, scope: str) -> str:
    # Derived from the pseudonym, so the cache never holds the pseudonym itself.
    message = str(day) if scope == READS else f"{scope}|{day}"
    digest = hmac.new(pseudonym.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"{scope}-counted:{digest[:32]}"


def within_daily_quota(*, pseudonym: str, day, limit: int, scope: str = READS) -> bool:
    """Count one more event of ``scope`` for the reader today; False once ``limit`` is
    passed. The bound on what one reader adds to a day's counts, which the differentially
    private releases of those counts rely on (one counter per scope, in the shared cache)."""
    key = _quota_key(pseudonym, day, scope)
    cache.add(key, 0, timeout=60 * 60 * 26)
    try:
        counted = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=60 * 60 * 26)
        counted = 1
    return counted <= limit


def article_view_record(*, user, article, paused: bool = False) -> None:
    """``paused``: the reader objected to profiling, so no history is kept (counts are
    not a profile and still follow the analytics consent)."""
    if not getattr(user, "is_authenticated", False):
        return
    consents = consents_remembered(user=user)
    if paused:
        consents[PERSONALIZE_HISTORY] = False
    if not (consents.get(PERSONALIZE_HISTORY) or consents.get(ANALYTICS)):
        return
    pseudonym = pseudonym_for(user.pk)
    day = timezone.localdate()
    with transaction.atomic():
        if consents.get(PERSONALIZE_HISTORY):
            ReadingEvent.objects.get_or_create(pseudonym=pseudonym, article=article, day=day)
        if consents.get(ANALYTICS) and within_daily_quota(
            pseudonym=pseudonym, day=day, limit=settings.DP_MAX_READS_PER_READER_PER_DAY
        ):
            counter, created = DailyReadCount.objects.get_or_create(
                article=article, day=day, defaults={"reads": 1}
            )
            if not created:
                DailyReadCount.objects.filter(pk=counter.pk).update(reads=F("reads") + 1)


def history_for(*, user_id: int, limit: int = 200) -> list[int]:
    """Article ids the reader opened lately, newest first (empty without consent)."""
    return list(
        ReadingEvent.objects.filter(pseudonym=pseudonym_for(user_id))
        .order_by("-day", "-id")
        .values_list("article_id", flat=True)[:limit]
    )


def saved_signal_for(*, user_id: int, read: list[int], limit: int = 200) -> list[int]:
    """The articles the reader saved, as a signal like reading history: only while
    ``personalize_history`` is granted (saving is for the reader, not for profiling).

    ``read`` is the reader's history: its rows exist only under that consent (withdrawing
    deletes them), so without any the consent is not asked for and saved articles count for
    nothing; a reader who allows it counts them from their first read."""
    if not read:
        return []
    return list(
        SavedArticle.objects.filter(user_id=user_id)
        .order_by("-created_at", "-id")
        .values_list("article_id", flat=True)[:limit]
    )


# The saved articles of the readers seen lately, per data version (``consent.changes``):
# saving or removing one draws a new version.
_recent_saved = RecentValues(size=2000)


def saved_ids_for(user) -> frozenset[int]:
    """Ids of the articles ``user`` saved, for the "Save for later" buttons."""
    found = _recent_saved.get(
        reader_key(user),
        lambda: frozenset(
            SavedArticle.objects.filter(user=user).values_list("article_id", flat=True)
        ),
    )
    return cast(frozenset[int], found)
