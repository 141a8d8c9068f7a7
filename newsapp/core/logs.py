"""Structured logs: one JSON object per line, with the request id, and no personal values.

- ``RequestIdMiddleware`` gives every request an id (the caller's ``X-Request-ID`` when it
  is a plain token, a fresh one otherwise), echoes it in the response and makes it
  available to every log record written while the request runs.
- ``JsonFormatter`` writes each record as one JSON line. JSON escapes CR and LF, so no
  input (a path, a typed username) can start a forged second line. Exceptions are logged
  as their type and frames, not their message: messages can quote what a reader typed.
  Query strings are cut from every path or URL in a message (the development server logs
  whole request lines): ``/search/?q=...`` is what a reader searched for.

The authentication events themselves are written by ``accounts.auth_log``.
"""

import contextvars
import json
import logging
import re
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a proxy or client as a request id; anything else is replaced.
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_EMAIL = re.compile(r"[^\s@/\"'<>]+@[^\s@/\"'<>]+\.[A-Za-z]{2,}")
# A path (or URL) followed by a query string: the path is kept, the query dropped.
_QUERY = re.compile(r"((?:https?://[^\s\"'<>/?#]+)?/[^\s\"'<>?#]*)\?[^\s\"'<>#]*")


class RequestIdMiddleware:
    """Sets and propagates ``X-Request-ID``; put it first so every later log has the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record: from the request the record carries (Django's
    request logs are written after the middleware returned) or from the running request."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


def redact(text: str) -> str:
    """Anything shaped like an e-mail address, and every query string, gone (paths and
    messages can carry them)."""
    return _EMAIL.sub("[email]", _QUERY.sub(r"\1", text))


# Extra attributes copied from a record when present: all are ours or Django's, never
# free text from a request.
_EXTRA_FIELDS = ("event", "user", "status_code", "method", "outcome")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "message": redact(record.getMessage()),
        }
        for name in _EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        request = getattr(record, "request", None)
        if request is not None and "method" not in entry:
            entry["method"] = getattr(request, "method", None)
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            entry["exception"] = exc_type.__name__
            entry["frames"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        # ensure_ascii: CR, LF, U+2028 and every other line breaker leave as an escape.
        return json.dumps(entry, ensure_ascii=True, default=str)
