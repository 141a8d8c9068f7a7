"""Pseudonyms: the same reader always maps to the same value; nobody without the key can
map it back. HMAC-SHA256 under a secret key, never a bare hash and never random."""

import base64
import binascii
import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_BYTES = 32  # as long as the hash: a shorter HMAC key can be searched for


@lru_cache(maxsize=4)
def parse_key(text: str) -> bytes:
    """The key from its urlsafe base64 text; never echo the key in an error."""
    text = (text or "").strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured("DJANGO_PSEUDONYM_KEY is not urlsafe base64.") from error
    if len(raw) < MIN_KEY_BYTES:
        raise ImproperlyConfigured(
            f"DJANGO_PSEUDONYM_KEY decodes to {len(raw)} bytes; it needs at least "
            f"{MIN_KEY_BYTES} random bytes."
        )
    return raw


def check_configuration() -> None:
    """Called at start-up: a short or malformed key stops the app, not the first sign-in."""
    parse_key(settings.PSEUDONYM_KEY)


def keyed_digest(message: str) -> str:
    """HMAC-SHA256 of ``message`` under the pseudonym key, hex: for values that must be
    stable per reader and unguessable without the key (a pseudonym, an assignment)."""
    return hmac.new(parse_key(settings.PSEUDONYM_KEY), message.encode(), hashlib.sha256).hexdigest()


def pseudonym_for(user_id: int) -> str:
    return keyed_digest(f"user:{user_id}")
