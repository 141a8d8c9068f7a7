"""Per-reader limits on the heavy privacy requests (export, clear), in the shared cache.

A fixed hourly window per reader and action; the key is derived from the pseudonym, so
the cache holds neither the user id nor the pseudonym itself.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string

from consent.pseudonyms import pseudonym_for

WINDOW_SECONDS = 3600


def seconds_until_allowed(*, user, action: str) -> int:
    """Count one more ``action`` for ``user``; 0 if allowed, else seconds to wait."""
    window = int(time.time() // WINDOW_SECONDS)
    digest = hmac.new(
        pseudonym_for(user.pk).encode(), f"{action}:{window}".encode(), hashlib.sha256
    ).hexdigest()
    key = f"privacy-limit:{digest[:32]}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    if count <= settings.PRIVACY_REQUESTS_PER_HOUR:
        return 0
    return WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS


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
