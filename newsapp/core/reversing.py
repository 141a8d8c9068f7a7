"""URLs of objects, reversed once: a page of cards links to each article, outlet and topic,
and Django's ``reverse`` costs tens of microseconds each time.

A view with one slug or integer argument is reversed once with a sample value, and its URLs
are written from that pattern after (``/articles/`` + slug + ``/``): a page of new articles,
such as a page of search results, then costs no ``reverse`` per card. A value a pattern
could not have produced (a slug with other characters) goes through ``reverse`` itself."""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Samples no real slug or key is; each must come out of ``reverse`` unchanged.
_SAMPLES = (("slug", "q0reversing0sample0q"), ("int", 918_273_645))
_VALUES = {"slug": re.compile(r"[-a-zA-Z0-9_]+\Z"), "int": re.compile(r"[0-9]+\Z")}


@lru_cache(maxsize=50_000)
def _reversed(key: tuple, viewname: str, kwargs: tuple[tuple[str, str], ...]) -> str:
    return reverse(viewname, kwargs=dict(kwargs))


@lru_cache(maxsize=1024)
def _pattern(key: tuple, viewname: str, name: str) -> tuple[str, str, str] | None:
    """(kind, before, after) of ``viewname``'s URLs with its one argument ``name``."""
    for kind, sample in _SAMPLES:
        try:
            url = reverse(viewname, kwargs={name: sample})
        except NoReverseMatch:
            continue
        before, found, after = url.partition(str(sample))
        if found and str(sample) not in after:
            return kind, before, after
    return None


def environment_key() -> tuple:
    """What a reversed URL depends on besides its arguments."""
    return (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), get_language())


def reverse_under(key: tuple, viewname: str, **kwargs) -> str:
    """``reverse(viewname, kwargs=kwargs)`` for a caller that knows the ``key`` the URL is
    reversed under (``environment_key()``, or a tuple holding at least as much)."""
    if len(kwargs) == 1:
        ((name, value),) = kwargs.items()
        pattern = _pattern(key, viewname, name)
        text = str(value)
        if pattern is not None and _VALUES[pattern[0]].match(text):
            return f"{pattern[1]}{text}{pattern[2]}"
    return _reversed(key, viewname, tuple(sorted(kwargs.items())))


def reverse_cached(viewname: str, **kwargs) -> str:
    """``reverse(viewname, kwargs=kwargs)``, remembered for the URL configuration, script
    prefix and language it was reversed under."""
    return reverse_under(environment_key(), viewname, **kwargs)
