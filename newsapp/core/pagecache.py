"""Pages that are the same for every anonymous visitor, rendered once per content version.

The landing page, the newest list, a topic's or an outlet's page and an article are the
same for everyone who is not signed in, until the content changes or a minute passes (the
cards say "3 min ago"). ``shared_when_anonymous`` keeps such a page in this process's
memory under what it depends on: its address, the display cookie, the content version the
caller names and the current minute. The next anonymous visitor gets it without a query
beyond the version's.

What is never kept or reused:
- anything for a request with a query parameter other than a plain ``page`` number, or a cookie
  other than the display cookie and the CSRF token's (a session: a signed-in reader, a
  flash message, a private-mode or consent choice);
- a response that is not a plain 200 page, that sets a cookie, or that used the CSRF token
  (whose masked value is per request and ties the cookie);
- the CSP nonce: a kept page holds a placeholder where it was, and every reuse writes this
  request's own nonce there, so the header and the page agree and no two pages share one.

The memory is per process and bounded (``MAX_BYTES``, least recently used first out); it
holds public pages only, nothing about a visitor.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from time import time
from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest, HttpResponse

MAX_BYTES = 24 * 1024 * 1024
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


class _Memory:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[Hashable, _Kept] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> _Kept | None:
        with self.lock:
            kept = self.pages.get(key)
            if kept is not None:
                self.pages.move_to_end(key)
            return kept

    def put(self, key: Hashable, kept: _Kept) -> None:
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.pages[key] = kept
            self.size += len(kept.body)
            while self.size > self.max_bytes and self.pages:
                _, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


_memory = _Memory(MAX_BYTES)


def clear() -> None:
    """Forget every kept page (tests; a deploy starts new processes anyway)."""
    _memory.clear()


def _kept_kind(request: HttpRequest, display_cookie: str) -> bool:
    """A GET whose page may be kept: no cookie but the display choice and the CSRF token,
    and no parameter but a plain page number (``?page=007`` is served, not kept)."""
    allowed = {display_cookie, settings.CSRF_COOKIE_NAME}
    return (
        request.method == "GET"
        and all(name in allowed for name in request.COOKIES)
        and all(name in KEPT_PARAMETERS for name in request.GET)
        and len(pages := request.GET.getlist("page")) <= 1
        and all(_PAGE_NUMBER.match(value) for value in pages)
    )


def shared_when_anonymous(
    *,
    version: Callable[[], Hashable],
    display_cookie: Callable[[], str],
    display: Callable[[HttpRequest], Hashable],
) -> Callable:
    """A view decorator: the view's page for anonymous visitors, kept per ``version()``
    (one cheap read, such as a counter row bumped by every publish and edit) and per
    minute. ``display_cookie()`` names the one cookie the page may vary by, and
    ``display(request)`` reads the choice it holds (so that made-up values of the cookie
    are one choice, the default, and not one page each)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _kept_kind(request, display_cookie()):
                return view(request, *args, **kwargs)
            key = (
                view.__module__,
                view.__qualname__,
                request.scheme,
                request.get_host(),
                request.get_full_path(),
                display(request),
                version(),
                int(time() // 60),
            )
            kept = _memory.get(key)
            if kept is not None:
                return _reuse(request, kept)
            response = view(request, *args, **kwargs)
            if _keepable(request, response):
                _memory.put(key, _keep(request, response))
            return response

        return wrapped

    return decorate


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
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
    return _Kept(body=body, content_type=response["Content-Type"], headers=headers)


def _reuse(request: HttpRequest, kept: _Kept) -> HttpResponse:
    body = kept.body
    if _NONCE in body:
        body = body.replace(_NONCE, str(request.csp_nonce))  # type: ignore[attr-defined]
    response = HttpResponse(body, content_type=kept.content_type)
    for name, value in kept.headers:
        response[name] = value
    return response
