"""Template filters of the news pages: relative times, as the big readers show them."""

from datetime import date, datetime
from functools import lru_cache

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def ago(value: datetime | None, now: datetime | None = None) -> str:
    """ "just now", "12 min ago", "3 h ago", "yesterday", "4 days ago", then the date."""
    if value is None:
        return ""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    local, today = timezone.localtime(value).date(), timezone.localtime(now).date()
    days = (today - local).days
    if days <= 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    return _day(local, "j M" if local.year == today.year else "j M Y", get_language())


@lru_cache(maxsize=4096)
def _day(day: date, format: str, language: str | None) -> str:
    """A day as the active language writes it: every older card on a page formats one,
    and a format lookup costs more than the rest of ``ago``."""
    return date_format(day, format)
