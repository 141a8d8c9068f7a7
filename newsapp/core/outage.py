"""Answer a database outage with a styled 503 instead of a 500 and a traceback.

When PostgreSQL is down (restarting, failed over, unreachable), every request that needs
it raises ``OperationalError`` or ``InterfaceError``. That is not a bug in the page: the
reader should see our own "back in a moment" page with ``Retry-After``, load balancers and
monitors a 503, and the app must come back by itself once the database does (persistent
connections are health-checked, ``CONN_HEALTH_CHECKS``, and every new connection has a
connect timeout; see settings.DATABASES).

Two places catch it, because a database error can start in two places:
- ``DatabaseUnavailableMiddleware.process_exception``: errors raised by a view;
- ``server_error`` (``handler500``): errors raised in a middleware (the session or the user
  are loaded lazily there) reach Django's 500 handler with the exception still current.

``503.html`` is rendered without a request, so no context processor (the signed-in user,
the messages) can touch the database that is down.

A database that answers but lacks a table or a column is not an outage: it is a deploy that
skipped a migration, and SQLite reports it as an ``OperationalError`` too. That stays the
500 it is, logged with its traceback, so nobody waits for a database that is already up.
"""

import logging
import sys
from collections.abc import Callable

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from newsapp.core import errors

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


# How SQLite words a schema that is behind the code (PostgreSQL raises ProgrammingError).
SCHEMA_PROBLEMS = ("no such table", "no such column", "has no column named")


def is_database_unavailable(exception: BaseException | None) -> bool:
    if not isinstance(exception, DATABASE_UNAVAILABLE):
        return False
    message = str(exception).lower()
    return not any(problem in message for problem in SCHEMA_PROBLEMS)


def service_unavailable() -> HttpResponse:
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database outage raised by a view into the 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        # The class name only: a driver message can carry the host and the database user.
        logger.warning("Database unavailable (%s); answered 503.", type(exception).__name__)
        return service_unavailable()


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a session it cannot save because the database went away
    mid-request is the outage page (503), not "your session was deleted" (400): Django's
    database sessions report any database error on an update as a deleted session."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except SessionInterrupted as interrupted:
            update = interrupted.__context__
            if isinstance(update, UpdateError) and is_database_unavailable(update.__context__):
                logger.warning("Database unavailable while saving a session; answered 503.")
                return service_unavailable()
            raise


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database outage is a 503, anything else the ordinary 500 page."""
    if is_database_unavailable(sys.exc_info()[1]):
        return service_unavailable()
    return errors.server_error(request)
