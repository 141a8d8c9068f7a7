"""A named lock held until the current transaction ends.

On PostgreSQL, a transaction-scoped advisory lock: it needs no row, blocks no reader, and
is released by the commit or rollback itself, so nothing can forget to release it. On
SQLite a write transaction already holds the database's single write lock from BEGIN
(settings: ``transaction_mode = IMMEDIATE``), which serialises at least as strictly.
"""

import hashlib

from django.db import DEFAULT_DB_ALIAS, connections


class NotInTransaction(RuntimeError):
    pass


def lock_until_commit(name: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Wait for and take the lock called ``name``; call inside ``transaction.atomic()``."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise NotInTransaction(f"The lock {name!r} is only held inside a transaction.")
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
