"""Session lifetime, no caching of what a signed-in reader sees, and staff use the admin only
with a second factor (TOTP) set up."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from accounts.mfa import has_totp


class StaffMFAMiddleware:
    """Sends a signed-in staff member without TOTP from the admin to the TOTP set-up page.

    The admin login itself goes through allauth (``secure_admin_login`` in newsapp/urls.py),
    which asks for the code at sign-in once TOTP exists; this closes the gap before it does.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.is_staff
            and request.path_info.startswith(reverse("admin:index"))
            and request.path_info != reverse("admin:logout")
            and not has_totp(user)
        ):
            messages.warning(
                request,
                "The newsroom needs a second factor: set up an authenticator app to continue.",
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"


class SessionExpiryMiddleware:
    """Idle and absolute expiry of signed-in sessions.

    - Idle: a session ends ``SESSION_COOKIE_AGE`` seconds after the last request. Rather
      than writing the session on every request (``SESSION_SAVE_EVERY_REQUEST``: a write,
      three queries, on every page a reader loads), the last-seen mark is renewed at most
      every ``SESSION_RENEW_INTERVAL`` seconds; each renewal saves the session, which moves
      both the cookie's and the database row's expiry. The idle limit is also checked here,
      so it holds to the second whatever the session backend.
    - Absolute: ``SESSION_ABSOLUTE_AGE`` seconds after sign-in, however active.

    ``record_sign_in`` (connected to ``user_logged_in`` in AccountsConfig.ready) writes the
    marks at sign-in; the response phase below adds them to sessions that predate it.
    ``login()`` keeps session data across the key change and ``logout()`` flushes it, so
    the marks belong to exactly one sign-in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session, now = request.session, int(time.time())
            signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
            if (
                signed_in_at is not None and now - signed_in_at > settings.SESSION_ABSOLUTE_AGE
            ) or (seen_at is not None and now - seen_at > settings.SESSION_COOKIE_AGE):
                logout(request)  # flushes the session; the request goes on anonymous
            elif seen_at is None or now - seen_at >= settings.SESSION_RENEW_INTERVAL:
                session[SEEN_AT] = now
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            request.session.setdefault(SIGNED_IN_AT, now)
            request.session.setdefault(SEEN_AT, now)
        return response


def session_clocks_start(*, request: HttpRequest | None) -> None:
    """Start the idle and absolute clocks of a new sign-in (a sign-in without a session,
    such as a test client's, has none to start)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


def record_sign_in(sender, request, user, **kwargs) -> None:
    """Receiver of ``user_logged_in`` (connected in AccountsConfig.ready)."""
    session_clocks_start(request=request)


class PrivateCacheMiddleware:
    """Every response to a signed-in reader is ``Cache-Control: private, no-store``.

    Pages show who is signed in, and most show what only they may see (the e-mail address,
    the feed, the settings); neither the browser's history cache nor a shared cache may
    keep them. A view whose response really is identical for everyone says so with
    ``Cache-Control: public`` and is left alone. Static files never get here (whitenoise
    answers them further out).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        shared = "public" in response.get("Cache-Control", "")
        if user is not None and user.is_authenticated and not shared:
            patch_cache_control(response, private=True, no_store=True)
        return response
