"""URLs of objects, reversed once: a page of cards links to each article, outlet and topic,
and Django's ``reverse`` costs tens of microseconds each time."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


@lru_cache(maxsize=50_000)
def _reversed(key: tuple, viewname: str, kwargs: tuple[tuple[str, str], ...]) -> str:
    return reverse(viewname, kwargs=dict(kwargs))


def reverse_cached(viewname: str, **kwargs: str) -> str:
    """``reverse(viewname, kwargs=kwargs)``, remembered for the URL configuration, script
    prefix and language it was reversed under."""
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), get_language())
    return _reversed(key, viewname, tuple(sorted(kwargs.items())))
