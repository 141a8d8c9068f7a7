"""Cookies the site may set, declared by the app that sets them, like every other piece of
data: what it holds, when it is set, how long it lasts and on what basis. The privacy notice
and the record of processing list them from here, and a test fails on any cookie a response
sets that nobody declared. The app reads a cookie's name and lifetime from its declaration,
so the cookie set is always the one declared."""

from __future__ import annotations

from dataclasses import dataclass

from consent.retention import retention_text


@dataclass(frozen=True)
class Cookie:
    name: str
    title: str
    purpose: str  # a registered purpose code
    contents: str
    set_when: str
    max_age: int  # seconds, as the Set-Cookie header says it
    legal_basis: str
    personal: bool = False  # True: it identifies the reader (the session cookie does)

    @property
    def retention(self) -> str:
        if self.max_age % 86400 == 0:
            return retention_text(self.max_age // 86400, after="it was last set")
        hours = max(1, round(self.max_age / 3600))
        return f"{hours} hour{'s' if hours != 1 else ''} after your last visit, then deleted."


_COOKIES: dict[str, Cookie] = {}


def register_cookie(cookie: Cookie) -> Cookie:
    _COOKIES[cookie.name] = cookie
    return cookie


def cookies() -> list[Cookie]:
    return list(_COOKIES.values())
