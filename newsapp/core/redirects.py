"""Back to the page a form was posted from, and never off the site."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponse:
    """To the posted ``next`` when it is a page of this site, else to ``fallback`` (a path
    or a URL name)."""
    target = request.POST.get("next", "")
    # A path on this site only: a bare word would be taken for a URL name by redirect().
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)
