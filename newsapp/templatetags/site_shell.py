"""``{% site_header %}``: the header of every page, rendered once per process for each
combination of what it shows.

The header (the brand, the navigation, the menu with the display form) depends on whether a
reader is signed in and is staff, on the page it is on, on the display choice and on the
URL configuration; on nothing else but the form token of "Sign out" and the page's own
address for the display form, which are filled in for each request. Rendering it through
the template engine took a third of a simple page's time. ``templates/_site_header.html``
may read only the variables passed here, so a kept rendering is one that would come out the
same.
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from newsapp.core.reversing import environment_key
from newsapp.display import DEFAULT, TEXT_SIZES, THEMES

register = template.Library()

_CSRF = CsrfTokenNode()
# Where the header has the token's input and the page's address; neither can occur in a
# rendering (each holds a NUL character, which no template or escaped value writes).
_TOKEN_MARK = "\x00csrf\x00"
_NEXT_MARK = "\x00next\x00"


@lru_cache(maxsize=512)
def _rendered(
    signed_in: bool, staff: bool, here: str | None, app: str | None, display: tuple, env: tuple
) -> str:
    theme, text = display
    return render_to_string(
        "_site_header.html",
        {
            "SITE_NAME": settings.SITE_NAME,
            "signed_in": signed_in,
            "staff": staff,
            "here": here,
            "app": app,
            "DISPLAY": {"theme": theme, "text": text},
            "DISPLAY_THEMES": THEMES.items(),
            "DISPLAY_TEXT_SIZES": TEXT_SIZES.items(),
            "csrf_input": mark_safe(_TOKEN_MARK),  # nosec B308 B703: a constant
            "next_path": _NEXT_MARK,
        },
    )


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    display = context.get("DISPLAY") or {}
    html = _rendered(
        signed_in,
        bool(signed_in and user.is_staff),
        match.url_name if match else None,
        match.app_name if match else None,
        (display.get("theme", DEFAULT[0]), display.get("text", DEFAULT[1])),
        environment_key(),
    )
    token = _CSRF.render(context) if signed_in else ""
    here = escape(request.get_full_path()) if request is not None else ""
    # The header was rendered from escaped values, and so are the two filled in here.
    return SafeString(html.replace(_TOKEN_MARK, token).replace(_NEXT_MARK, here))  # nosec B703
