"""Pseudonyms: the same reader always maps to the same value; nobody without the key can
map it back. HMAC-SHA256 under a secret key, never a bare hash and never random."""

import base64
import hashlib
import hmac

from django.conf import settings


def _key() -> bytes:
    raw = settings.PSEUDONYM_KEY
    try:
        return base64.urlsafe_b64decode(raw)
    except ValueError:
        return raw.encode()


def keyed_digest(message: str) -> str:
    """HMAC-SHA256 of ``message`` under the pseudonym key, hex: for values that must be
    stable per reader and unguessable without the key (a pseudonym, an assignment)."""
    return hmac.new(_key(), message.encode(), hashlib.sha256).hexdigest()


def pseudonym_for(user_id: int) -> str:
    return keyed_digest(f"user:{user_id}")
