"""Pages kept in this process's memory while nothing they are made from changes.

The landing page, the newest list, a topic's or an outlet's page and an article are the
same for everyone who is not signed in, until the content changes or a minute passes (the
cards say "3 min ago"). ``shared_when_anonymous`` keeps such a page under what it depends
on: its address, the display cookie, the content version the caller names and the current
minute. The next anonymous visitor gets it without a query beyond the version's.

A signed-in reader's own pages (their feed, their topics) are made from the content and
from their data alone. ``kept_for_each_reader`` keeps one for that reader, apart from the
public pages, under the same and under a token of the reader's data that changes with
every write to it (``consent.changes``): reloading the feed costs no ranking, and the
first change the reader makes shows at once.

What is never kept or reused:
- anything for a request with a query parameter other than a plain ``page`` number, or a
  cookie other than the display cookie and the CSRF token's (and, for a reader's own
  pages, their session's): a private-mode or consent choice, say; nor a request whose
  session holds a flash message;
- a response that is not a plain 200 page, that sets a cookie, or (a public page) that
  used the CSRF token (whose masked value ties the cookie; a reader's page is kept per
  CSRF secret instead);
- the CSP nonce: a kept page holds a placeholder where it was, and every reuse writes this
  request's own nonce there, so the header and the page agree and no two pages share one.

The memories are per process and bounded (``MAX_BYTES`` and ``READER_MAX_BYTES``, least
recently used first out), and a page older than two minutes is dropped at the next use:
a reader's page never outlives that, nor their account (an erased reader can no longer
sign in to be given it). Nothing is written to disk or to the shared cache.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager, nullcontext
from functools import wraps
from time import time
from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest, HttpResponse

MAX_BYTES = 24 * 1024 * 1024
READER_MAX_BYTES = 16 * 1024 * 1024
# A session's flash messages (``SessionStorage``): a page that shows them is shown once.
_MESSAGES = "_messages"
# Addresses with other query parameters are served but not kept: made-up ones would only
# push real pages out of the memory.
KEPT_PARAMETERS = frozenset({"page"})
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,3}\Z")
# Where the page had the nonce; it cannot occur in a page (it holds a NUL character).
_NONCE = "\x00nonce\x00"


class _Kept(NamedTuple):
    body: str
    content_type: str
    headers: tuple[tuple[str, str], ...]
    minute: int = 0


class _Memory:
    """Least recently used first out, past ``max_bytes``; and a page kept in a minute
    before the last is dropped at the next use of the memory (its key names its minute,
    so it would never be given again anyway: nothing stays for longer than it may)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[Hashable, _Kept] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> _Kept | None:
        with self.lock:
            self._expire()
            kept = self.pages.get(key)
            if kept is not None:
                self.pages.move_to_end(key)
            return kept

    def put(self, key: Hashable, kept: _Kept) -> None:
        with self.lock:
            self._expire()
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.pages[key] = kept
            self.size += len(kept.body)
            while self.size > self.max_bytes and self.pages:
                self._drop_oldest()

    def _expire(self) -> None:
        # Pages are used only in their minute, so the least recently used are the oldest.
        stale = _minute() - 1
        while self.pages and next(iter(self.pages.values())).minute < stale:
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        _, dropped = self.pages.popitem(last=False)
        self.size -= len(dropped.body)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


def _minute() -> int:
    return int(time() // 60)


_memory = _Memory(MAX_BYTES)
# Pages made for one reader each: apart, so that readers cannot push the public pages out.
_reader_memory = _Memory(READER_MAX_BYTES)


class RecentValues:
    """What was worked out lately for a key (a reader's stated preferences, say), at most
    ``size`` of them, least recently used first out, each for the minute it was worked
    out in and the next one only (like the pages). ``clear()`` forgets them too."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self.lock = threading.Lock()
        _recent_values.append(self)

    def get(self, key: Hashable, work_out: Callable[[], object]) -> object:
        minute = _minute()
        with self.lock:
            found = self.values.get(key)
            if found is not None and found[0] >= minute - 1:
                self.values.move_to_end(key)
                return found[1]
        value = work_out()
        with self.lock:
            self.values[key] = (minute, value)
            self.values.move_to_end(key)
            while len(self.values) > self.size:
                self.values.popitem(last=False)
            while self.values and next(iter(self.values.values()))[0] < minute - 1:
                self.values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


_recent_values: list[RecentValues] = []


def held() -> tuple[int, int]:
    """How many pages the memories of this process hold, and their size in characters."""
    memories = (_memory, _reader_memory)
    return sum(len(m.pages) for m in memories), sum(m.size for m in memories)


def clear_pages() -> None:
    """Forget every kept page, and only those."""
    _memory.clear()
    _reader_memory.clear()


def clear() -> None:
    """Forget every kept page and value (tests; a deploy starts new processes anyway)."""
    clear_pages()
    for recent in _recent_values:
        recent.clear()


def _kept_kind(request: HttpRequest, display_cookie: str) -> bool:
    """A GET whose page may be kept: no cookie but the display choice and the CSRF token,
    and no parameter but a plain page number (``?page=007`` is served, not kept)."""
    allowed = {display_cookie, settings.CSRF_COOKIE_NAME}
    return (
        request.method == "GET"
        and all(name in allowed for name in request.COOKIES)
        and _plain_parameters(request)
    )


def shared_when_anonymous(
    *,
    version: Callable[[], Hashable],
    display_cookie: Callable[[], str],
    display: Callable[[HttpRequest], Hashable],
    around: Callable[[], AbstractContextManager] = nullcontext,
) -> Callable:
    """A view decorator: the view's page for anonymous visitors, kept per ``version()``
    (one cheap read, such as a counter row bumped by every publish and edit) and per
    minute. ``display_cookie()`` names the one cookie the page may vary by, and
    ``display(request)`` reads the choice it holds (so that made-up values of the cookie
    are one choice, the default, and not one page each). The whole request runs inside
    ``around()`` (for the version to be read once in it, say)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            with around():
                return kept(request, *args, **kwargs)

        def kept(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _kept_kind(request, display_cookie()):
                return view(request, *args, **kwargs)
            key = _page_key(view, request, display(request), version())
            kept = _memory.get(key)
            if kept is not None:
                return _reuse(request, kept)
            response = view(request, *args, **kwargs)
            if _keepable(request, response):
                _memory.put(key, _keep(request, response))
            return response

        return wrapped

    return decorate


def _page_key(view: Callable, request: HttpRequest, *made_from: Hashable) -> Hashable:
    """A page's key: the view, the full address and what else the page is made from,
    and the minute."""
    return (
        view.__module__,
        view.__qualname__,
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        *made_from,
        _minute(),
    )


def kept_for_each_reader(
    *,
    versions: Callable[[HttpRequest], Hashable],
    display_cookie: Callable[[], str],
    display: Callable[[HttpRequest], Hashable],
    around: Callable[[], AbstractContextManager] = nullcontext,
) -> Callable:
    """A view decorator: the view's page for a signed-in reader, kept for that reader alone
    per ``versions(request)`` (the reader's id, the content's version and a token that
    changes with anything of theirs, see ``consent.changes``), per CSRF secret and per
    minute, inside ``around()`` as above. The view is not run when the page is kept, so it
    is only for views that write nothing.

    Never kept or reused: a request with another cookie than the session's, the CSRF
    token's and the display choice's, or other parameters than a plain page number; one
    whose session holds flash messages; a page that is not a plain 200, that sets a cookie,
    that changed the session or the CSRF secret, or for a visitor who is not signed in."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            with around():
                return kept(request, *args, **kwargs)

        def kept(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _reader_kind(request, display_cookie()):
                return view(request, *args, **kwargs)
            secret = request.META["CSRF_COOKIE"]
            key = _page_key(view, request, display(request), versions(request), secret)
            kept = _reader_memory.get(key)
            if kept is not None:
                return _reuse(request, kept)
            user_id = request.user.pk
            response = view(request, *args, **kwargs)
            if (
                _plain_page(response)
                and not request.session.modified
                and request.META.get("CSRF_COOKIE") == secret
                and request.user.pk == user_id
            ):
                _reader_memory.put(key, _keep(request, response))
            return response

        return wrapped

    return decorate


def _reader_kind(request: HttpRequest, display_cookie: str) -> bool:
    """A signed-in reader's GET with their CSRF cookie, no flash message waiting, no
    cookie but the session's, the CSRF token's and the display choice, and no parameter
    but a plain page number."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    allowed = {display_cookie, settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME}
    return (
        request.method == "GET"
        and user is not None
        and user.is_authenticated
        and session is not None
        and settings.CSRF_COOKIE_NAME in request.COOKIES
        and bool(request.META.get("CSRF_COOKIE"))
        and all(name in allowed for name in request.COOKIES)
        and _plain_parameters(request)
        and _MESSAGES not in session
    )


def _plain_parameters(request: HttpRequest) -> bool:
    return (
        all(name in KEPT_PARAMETERS for name in request.GET)
        and len(pages := request.GET.getlist("page")) <= 1
        and all(_PAGE_NUMBER.match(value) for value in pages)
    )


def _plain_page(response: HttpResponse) -> bool:
    return response.status_code == 200 and not response.streaming and not response.cookies


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    return (
        _plain_page(response)
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and (user is None or not user.is_authenticated)
    )


def _keep(request: HttpRequest, response: HttpResponse) -> _Kept:
    body = response.content.decode(response.charset)
    nonce = getattr(request, "_csp_nonce", None)
    if isinstance(nonce, str):
        body = body.replace(nonce, _NONCE)
    headers = tuple(
        (name, value) for name, value in response.items() if name.lower() != "content-type"
    )
    return _Kept(
        body=body, content_type=response["Content-Type"], headers=headers, minute=_minute()
    )


def _reuse(request: HttpRequest, kept: _Kept) -> HttpResponse:
    body = kept.body
    if _NONCE in body:
        body = body.replace(_NONCE, str(request.csp_nonce))  # type: ignore[attr-defined]
    response = HttpResponse(body, content_type=kept.content_type)
    for name, value in kept.headers:
        response[name] = value
    return response
