"""What an app adds to the privacy pages besides its data, registered from its own
``privacy.py``: a section of the dashboard, the objection-to-profiling switch, the words and
options of "Clear recommendations", and the ways on from a receipt. The privacy layer
supplies the mechanism (the pages, the forms, the logged requests); the app supplies the
words, so the layer says nothing about what the app does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    """A section at the top of the dashboard. ``template`` is included with
    ``context(user)`` as ``panel``; ``anchor`` and ``heading`` also go into the page's
    table of contents."""

    anchor: str
    heading: str
    template: str
    context: Callable[[Any], dict[str, Any]]


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


_sections: list[Section] = []
_profiling: list[ProfilingSwitch] = []
_clearings: list[Clearing] = []
_links: list[Link] = []


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
