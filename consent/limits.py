"""Per-reader limits on privacy requests (export, clear, the password of an erasure), in the
shared cache, counted atomically.

Each limit is a fixed window per reader and action; the key is derived from the pseudonym,
so the cache holds neither the user id nor the pseudonym itself. A count is a read and a
write of its key made under a lock named after the key, held until the count is stored
(newsapp.core.locks): concurrent requests of one reader queue up instead of all seeing one
count (30 concurrent exports once got 18 through a limit of 10).
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string

from consent.pseudonyms import pseudonym_for
from newsapp.core.locks import lock_until_commit

WINDOW_SECONDS = 3600
# Attempts at the password that erases an account, like sign-in's limit per account:
# 5 in 5 minutes and 20 an hour. The right password erases the account, so every attempt
# that counts here is a wrong one.
PASSWORD_ATTEMPTS = ((5, 5 * 60), (20, 60 * 60))


def _key(user, action: str, seconds: int, window: int) -> str:
    digest = hmac.new(
        pseudonym_for(user.pk).encode(), f"{action}:{seconds}:{window}".encode(), hashlib.sha256
    ).hexdigest()
    return f"privacy-limit:{digest[:32]}"


def seconds_until_allowed(*, user, action: str, limits=None) -> int:
    """Count one more ``action`` for ``user``; 0 if allowed, else seconds to wait.

    ``limits`` is a tuple of (how many, per how many seconds); by default
    settings.PRIVACY_REQUESTS_PER_HOUR an hour. An attempt refused still counts.
    """
    limits = limits or ((settings.PRIVACY_REQUESTS_PER_HOUR, WINDOW_SECONDS),)
    now = time.time()
    wait = 0
    for allowed, seconds in limits:
        window = int(now // seconds)
        key = _key(user, action, seconds, window)
        with transaction.atomic():
            lock_until_commit(key)
            count = (cache.get(key) or 0) + 1
            cache.set(key, count, timeout=seconds)
        if count > allowed:
            wait = max(wait, seconds - int(now) % seconds)
    return wait


def too_many(request, wait_seconds: int) -> HttpResponse:
    minutes = max(1, round(wait_seconds / 60))
    body = render_to_string(
        "429.html",
        {"retry_after": f"{minutes} minute{'s' if minutes != 1 else ''}"},
        request=request,
    )
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(wait_seconds)
    response["Cache-Control"] = "no-store"
    return response
