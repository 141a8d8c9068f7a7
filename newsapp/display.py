"""The reader's display choice (light / dark / system colours, text size), remembered in
one small cookie declared in ``newsapp.privacy.DISPLAY_COOKIE``; no account, no tracking.

The form posts without a CSRF token on purpose: a token would set a CSRF cookie on every
page for every visitor before they used any form, and the worst a forged post can do is
change this browser's colours. The cookie is HttpOnly (the server renders the choice as
attributes of ``<html>``), SameSite=Lax, and Secure with a ``__Host-`` name in production.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from newsapp.core.redirects import redirect_back
from newsapp.privacy import DISPLAY_COOKIE

THEMES = {"system": "Same as my device", "light": "Light", "dark": "Dark"}
TEXT_SIZES = {"normal": "Normal", "large": "Large", "larger": "Larger"}
DEFAULT = ("system", "normal")


def cookie_name() -> str:
    return getattr(settings, "DISPLAY_COOKIE_NAME", DISPLAY_COOKIE.name)


def choice(request: HttpRequest) -> tuple[str, str]:
    theme, _, size = request.COOKIES.get(cookie_name(), "").partition(".")
    return (
        theme if theme in THEMES else DEFAULT[0],
        size if size in TEXT_SIZES else DEFAULT[1],
    )


def context(request: HttpRequest) -> dict:
    """Template context: the reader's choice and the options of the display form."""
    theme, size = choice(request)
    return {
        "DISPLAY": {"theme": theme, "text": size},
        "DISPLAY_THEMES": THEMES.items(),
        "DISPLAY_TEXT_SIZES": TEXT_SIZES.items(),
    }


@csrf_exempt
@require_POST
def display_set(request: HttpRequest) -> HttpResponse:
    theme = request.POST.get("theme", DEFAULT[0])
    size = request.POST.get("text", DEFAULT[1])
    response = redirect_back(request, "newsapp:home")
    if (theme, size) == DEFAULT:
        response.delete_cookie(cookie_name(), samesite="Lax")
        return response
    response.set_cookie(
        cookie_name(),
        f"{theme if theme in THEMES else DEFAULT[0]}.{size if size in TEXT_SIZES else DEFAULT[1]}",
        max_age=DISPLAY_COOKIE.max_age,
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )
    return response
