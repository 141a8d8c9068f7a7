"""Sessions in the database, as Django keeps them, with the read every signed-in request
makes written once as SQL: the ORM compiled the same statement on each request at twice
the cost of the read itself (``SESSION_ENGINE = "accounts.sessions"``)."""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The unexpired session of this key, or None (and the key forgotten), as Django's
        own store reads it."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                # nosec B608: the table's name is the model's; the key is a parameter.
                f"SELECT session_data, expire_date FROM {table} "  # nosec B608
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
