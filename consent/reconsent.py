"""Ask readers again after a material change of the privacy notice.

Whether a reader must answer is worked out when they sign in and re-checked at most
once an hour while they stay signed in; the answer lives in their session, so an
ordinary page view costs no query.
"""

import time

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from consent.models import ConsentEvent, PrivacyNotice
from consent.pseudonyms import pseudonym_for

SESSION_KEY = "privacy_reconsent"
RECHECK_SECONDS = 3600
EXEMPT_PREFIXES = ("/privacy/", "/accounts/", "/admin/", "/static/", "/healthz")


def needs_reconsent(user) -> bool:
    """True when a material notice came out after the reader last answered."""
    notice = PrivacyNotice.objects.latest_material()
    if notice is None or user.date_joined >= notice.published_at:
        return False
    return not ConsentEvent.objects.filter(
        subject_pseudonym=pseudonym_for(user.pk), created_at__gte=notice.published_at
    ).exists()


def _remember(session, needed: bool) -> None:
    session[SESSION_KEY] = {"needed": needed, "checked": time.time()}


def mark_answered(request) -> None:
    _remember(request.session, False)


def reconsent_check(*, request, user) -> None:
    """Work out at sign-in whether ``user`` must answer again, and remember it in the
    session (a sign-in without one, such as a test client's, has nothing to remember)."""
    if request is not None and hasattr(request, "session"):
        _remember(request.session, needs_reconsent(user))


def on_logged_in(sender, request, user, **kwargs) -> None:
    """Receiver of ``user_logged_in`` (connected in ConsentConfig.ready)."""
    reconsent_check(request=request, user=user)


class ReconsentMiddleware:
    """Sends a signed-in reader to the re-consent prompt before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.method == "GET"
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            state = request.session.get(SESSION_KEY)
            if state is None or time.time() - state["checked"] > RECHECK_SECONDS:
                _remember(request.session, needs_reconsent(user))
                state = request.session[SESSION_KEY]
            if state["needed"]:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('consent:review')}?{query}")
        return self.get_response(request)
