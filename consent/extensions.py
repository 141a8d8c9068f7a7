"""What an app adds to the privacy pages besides its data, registered from its own
``privacy.py``: a section of the dashboard, the objection-to-profiling switch, the words and
options of "Clear recommendations", the ways on from a receipt, what erasure must also
forget of what the app keeps outside its models (a cache entry), and what else than the
reader's data the dashboard is made from (``PageInputs``). The privacy layer
supplies the mechanism (the pages, the forms, the logged requests); the app supplies the
words, so the layer says nothing about what the app does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.urls import reverse

T = TypeVar("T")


@dataclass
class DashboardReader:
    """The reader a dashboard is drawn for, as each of its sections gets them: the account,
    the state of every optional purpose (read once for the whole page), and ``once``, with
    which the sections of one app read what they share a single time per page, so the
    page's queries do not grow with its sections."""

    user: Any
    consents: dict[str, bool]
    _read: dict[str, Any] = field(default_factory=dict, repr=False)

    def granted(self, purpose: str) -> bool:
        return self.consents.get(purpose, False)

    def once(self, key: str, read: Callable[[], T]) -> T:
        """``read()`` the first time ``key`` is asked for on this page; its result after."""
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]


@dataclass(frozen=True)
class Section:
    """A section at the top of the dashboard. ``template`` is included with
    ``context(reader)`` as ``panel`` (``reader`` a :class:`DashboardReader`); ``anchor``
    and ``heading`` also go into the page's table of contents."""

    anchor: str
    heading: str
    template: str
    context: Callable[[DashboardReader], dict[str, Any]]


@dataclass(frozen=True)
class ProfilingSwitch:
    """The reader's objection to profiling (GDPR Art. 21/22), owned by the app that
    profiles. The messages confirm a pause and a resume in that app's words."""

    is_paused: Callable[[Any], bool]
    set_paused: Callable[[Any, bool], None]
    paused_message: str
    resumed_message: str


@dataclass(frozen=True)
class ClearOption:
    """A box on the "Clear recommendations" form. When it is ticked its ``name`` is among
    the options every declaration's ``clear`` receives."""

    name: str
    label: str
    help_text: str = ""


@dataclass(frozen=True)
class Clearing:
    """What "Clear recommendations" deletes of one app's data, in that app's words."""

    description: str
    options: tuple[ClearOption, ...] = ()


@dataclass(frozen=True)
class Link:
    """A way on from a receipt: shown while the reader is signed in (``signed_in``) or
    after an erasure has signed them out."""

    label: str
    url_name: str
    signed_in: bool = True

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class PageInputs:
    """What the dashboard is made from besides the reader's own data, so that it can be
    kept for the reader while none of it changes (``newsapp.core.pagecache``): the
    ``version(user)`` of what the sections show (one cheap read, which may read the
    reader's data version beside it for ``consent.changes.remember_version``), the one
    cookie the page looks different by (``cookie_name()``, read by ``variant(request)``),
    and ``around()``, a context the whole request runs in (for the version to be read once
    in it)."""

    version: Callable[[Any], Hashable]
    cookie_name: Callable[[], str]
    variant: Callable[[Any], Hashable]
    around: Callable[[], AbstractContextManager] = nullcontext


_sections: list[Section] = []
_profiling: list[ProfilingSwitch] = []
_clearings: list[Clearing] = []
_links: list[Link] = []
_erasers: list[Callable[[Any], None]] = []


def register_section(section: Section) -> None:
    _sections.append(section)


def sections() -> list[Section]:
    return list(_sections)


def register_profiling_switch(switch: ProfilingSwitch) -> None:
    _profiling[:] = [switch]


def profiling_switch() -> ProfilingSwitch | None:
    return _profiling[0] if _profiling else None


def register_clearing(clearing: Clearing) -> None:
    _clearings.append(clearing)


def clearings() -> list[Clearing]:
    return list(_clearings)


def clear_options() -> list[ClearOption]:
    return [option for clearing in _clearings for option in clearing.options]


def register_receipt_link(link: Link) -> None:
    _links.append(link)


def receipt_links(*, signed_in: bool) -> list[Link]:
    return [link for link in _links if link.signed_in == signed_in]


_page_inputs: list[PageInputs] = []


def register_page_inputs(inputs: PageInputs) -> None:
    _page_inputs[:] = [inputs]


def page_inputs() -> PageInputs:
    """The registered inputs; without any, none: the page is made of the reader's data."""
    return _page_inputs[0] if _page_inputs else PageInputs(lambda user: 0, lambda: "", lambda r: 0)


def register_eraser(forget: Callable[[Any], None]) -> None:
    """``forget(user)`` removes what an app keeps about ``user`` outside the rows of the
    inventory (a short-lived cache entry, say); erasing the account calls it."""
    if forget not in _erasers:
        _erasers.append(forget)


def erasers() -> list[Callable[[Any], None]]:
    return list(_erasers)
