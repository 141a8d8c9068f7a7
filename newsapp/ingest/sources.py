"""Sources the importers make for themselves: from a bare feed address, or from a name in an
imported file, each with a free name and slug."""

from urllib.parse import urlsplit

from django.utils.text import slugify

from newsapp.models import Source


def provisional_name(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"[:120] or "Imported feed"


def unique_source_name(name: str, *, exclude_pk=None) -> str:
    name = name[:110].strip() or "Imported feed"
    candidate, n = name, 2
    while Source.objects.filter(name=candidate).exclude(pk=exclude_pk).exists():
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def unique_source_slug(name: str) -> str:
    """A free slug for a new source named ``name`` (the JSON Lines import uses it too)."""
    base = slugify(name)[:100] or "source"
    candidate, n = base, 2
    while Source.objects.filter(slug=candidate).exists():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def source_for_url(url: str, *, moved_to: str = "") -> Source:
    """The source that fetches ``url``, or the one that already follows its move."""
    for address in (url, moved_to):
        existing = Source.objects.filter(feed_url=address).first() if address else None
        if existing is not None:
            return existing
    name = unique_source_name(provisional_name(url))
    return Source.objects.create(name=name, slug=unique_source_slug(name), feed_url=url)
