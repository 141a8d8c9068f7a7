"""The purposes personal data is processed for: a registry that each app fills from its own
``privacy.py`` with ``register_purpose``.

A purpose that needs consent is off until the reader grants it, and nothing is pre-ticked;
one that does not (the service itself, a legal duty) is always on and says why. Only the
slug ``essential`` is known here: the consent layer's own records are kept for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from consent.retention import Retention

ESSENTIAL = "essential"  # the service the reader signed up for: never a toggle


@dataclass(frozen=True)
class Purpose:
    code: str
    title: str
    data: str
    why: str
    legal_basis: str
    needs_consent: bool = True
    # How long what is collected for it is kept; a category may state its own.
    kept_for: Retention = field(default_factory=Retention)
    always_on_because: str = "it is the service you signed up for"
    order: int = 100

    @property
    def retention(self) -> str:
        return self.kept_for.text


_purposes: dict[str, Purpose] = {}


def register_purpose(purpose: Purpose) -> Purpose:
    """Called from an app's ``privacy.py``. A code belongs to one purpose only."""
    known = _purposes.get(purpose.code)
    if known is not None and known != purpose:
        raise ImproperlyConfigured(f"Purpose {purpose.code!r} is registered twice.")
    _purposes[purpose.code] = purpose
    return purpose


def purposes() -> list[Purpose]:
    return sorted(_purposes.values(), key=lambda p: (p.order, p.code))


def purpose(code: str) -> Purpose:
    """The registered purpose ``code``; KeyError when no app registered it."""
    return _purposes[code]


def optional_purposes() -> list[Purpose]:
    """The purposes the reader may allow or refuse, in the order they are asked."""
    return [p for p in purposes() if p.needs_consent]


def always_on_purposes() -> list[Purpose]:
    return [p for p in purposes() if not p.needs_consent]


def takes_consent(code: str) -> bool:
    known = _purposes.get(code)
    return known is not None and known.needs_consent


def purpose_choices() -> list[tuple[str, str]]:
    """``ConsentEvent.purpose`` choices, read from the registry when they are needed."""
    return [(p.code, p.title) for p in purposes()]
