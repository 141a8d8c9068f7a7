"""Field encryption at rest: AES-256-GCM (cryptography's AESGCM) under keys from the environment.

``DJANGO_FIELD_ENCRYPTION_KEYS`` is a comma-separated list of urlsafe base64 strings of
32 random bytes each. The first key encrypts; every key decrypts, so a new key is put in
front, ``rotate_encryption_keys`` re-encrypts everything under it, and only then is the old
key dropped from the list.

A stored value reads ``enc1:<key id>:<urlsafe base64 of nonce || ciphertext || tag>``:

- the key id is the first 8 bytes of SHA-256 over a label and the key itself, in hex, so
  it names the key without revealing it and needs no separate bookkeeping;
- the nonce is 12 fresh random bytes for every write (never a counter: many processes
  write at once, and random 96-bit nonces are safe far beyond our volume per key);
- the associated data is chosen by the caller (table, column, row) and is not stored:
  a value copied to another column or row no longer authenticates, and decryption fails
  loudly instead of returning someone else's data.

Generate a key with::

    python -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc1"
NONCE_BYTES = 12
KEY_BYTES = 32
_KEY_ID_LABEL = b"plainsight field-encryption key id v1\x00"


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key, tampering, or the wrong row."""


@dataclass(frozen=True)
class Key:
    id: str
    aead: AESGCM


def key_id(raw: bytes) -> str:
    return hashlib.sha256(_KEY_ID_LABEL + raw).hexdigest()[:16]


def parse_key(text: str, *, position: int = 0) -> bytes:
    """Decode one key from its urlsafe base64 text; never echo the key in an error."""
    where = f"DJANGO_FIELD_ENCRYPTION_KEYS entry {position + 1}"
    text = text.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{where} is not urlsafe base64.") from exc
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{where} decodes to {len(raw)} bytes; AES-256 needs exactly {KEY_BYTES}."
        )
    return raw


@lru_cache(maxsize=8)
def _keyring(texts: tuple[str, ...]) -> tuple[Key, ...]:
    if not texts:
        raise ImproperlyConfigured("DJANGO_FIELD_ENCRYPTION_KEYS holds no key.")
    keys: list[Key] = []
    for position, text in enumerate(texts):
        raw = parse_key(text, position=position)
        kid = key_id(raw)
        if any(key.id == kid for key in keys):
            raise ImproperlyConfigured(
                f"DJANGO_FIELD_ENCRYPTION_KEYS entry {position + 1} repeats an earlier key."
            )
        keys.append(Key(kid, AESGCM(raw)))
    return tuple(keys)


def keyring() -> tuple[Key, ...]:
    """The configured keys, newest (the one that encrypts) first."""
    configured = settings.FIELD_ENCRYPTION_KEYS
    if isinstance(configured, str):
        configured = configured.split(",")
    return _keyring(tuple(item.strip() for item in configured if item.strip()))


def current_key_id() -> str:
    return keyring()[0].id


def is_encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ":")


def key_id_of(token: str) -> str:
    """The id of the key a stored value was encrypted under."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("The value is not in the encrypted format.")
    return parts[1]


def needs_rotation(token: str) -> bool:
    return key_id_of(token) != current_key_id()


def encrypt(plaintext: str, *, aad: bytes) -> str:
    """Encrypt text under the newest key, binding it to ``aad`` (table, column, row)."""
    key = keyring()[0]
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode("utf-8"), aad)
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{PREFIX}:{key.id}:{body}"


def decrypt(token: str, *, aad: bytes) -> str:
    """Decrypt a stored value; raise DecryptionError rather than ever return a wrong value."""
    kid = key_id_of(token)
    body = token.split(":", 2)[2]
    key = next((key for key in keyring() if key.id == kid), None)
    if key is None:
        raise DecryptionError(
            f"The value was encrypted under key {kid}, which is not in "
            "DJANGO_FIELD_ENCRYPTION_KEYS (was it removed before rotating?)."
        )
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("The encrypted value is not valid base64.") from exc
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptionError("The encrypted value is truncated.")
    try:
        plaintext = key.aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptionError(
            "The encrypted value failed authentication: it was altered, or it belongs to "
            "another column or row."
        ) from exc
    return plaintext.decode("utf-8")


def reencrypt(token: str, *, aad: bytes) -> str:
    """The same plaintext under the newest key and a fresh nonce."""
    return encrypt(decrypt(token, aad=aad), aad=aad)


def check_configuration() -> None:
    """Parse the keys now, so a bad key stops the start-up instead of the first write."""
    keyring()
