"""Private mode's pages: the feed ranked in the reader's browser, and the ranking pack.

Every private-mode request is the same for every reader: the page, its script and style,
and one pack URL per index. Preferences never travel in a URL or a form from private mode;
the only POSTs are the signed-in reader's two moves between the account and the browser.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from newsapp import private_moves, private_pack
from newsapp.models import Source, Topic

# A pack's URL names its index: whatever holds it may keep it for a year.
PACK_MAX_AGE = 365 * 24 * 3600


def _page(request: HttpRequest, incoming: dict | None = None, status: int = 200) -> HttpResponse:
    context = {
        "pack_url": reverse("newsapp:private-pack", args=[private_pack.pack_version()]),
        "topics": Topic.objects.order_by("name"),
        "sources": Source.objects.order_by("name"),
        "incoming": incoming,
    }
    return render(request, "newsapp/private.html", context, status=status)


@require_GET
def private_home(request: HttpRequest) -> HttpResponse:
    """Private mode: the page is the same for everyone; the script ranks on the device."""
    return _page(request)


@require_GET
def private_pack_json(request: HttpRequest, version: str) -> HttpResponse:
    """The ranking pack of the index now served. An old version's URL points to the
    current one (a cached page may still name it)."""
    pack = private_pack.current_pack()
    if version != pack.version:
        response = redirect("newsapp:private-pack", pack.version)
        response["Cache-Control"] = "no-cache"
        return response
    if pack.etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(
            pack.gzipped if gzipped else pack.body, content_type="application/json"
        )
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = pack.etag
    response["Cache-Control"] = f"public, max-age={PACK_MAX_AGE}, immutable"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@require_GET
def private_moved(request: HttpRequest) -> HttpResponse:
    """After a move into the account: the page's script deletes this device's copy."""
    return render(request, "newsapp/private_moved.html")


@login_required
@require_POST
def move_to_private(request: HttpRequest) -> HttpResponse:
    """Hand the reader's stated preferences to this browser and delete them from the
    server, in one transaction; the page stores them on the device."""
    profile = private_moves.preferences_move_to_private(user=request.user)
    return _page(request, incoming=profile)


@login_required
@require_POST
def move_to_account(request: HttpRequest) -> HttpResponse:
    """Store the private profile the browser sends in the reader's account."""
    try:
        data = json.loads(request.POST.get("profile", ""))
    except ValueError:
        data = None
    try:
        private_moves.preferences_move_to_account(user=request.user, profile=data)
    except private_moves.ProfileInvalid as error:
        messages.error(request, f"That private profile could not be read: {error}")
        return _page(request, status=400)
    messages.success(request, "Your private profile is now your account's preferences.")
    return redirect("newsapp:private-moved")
