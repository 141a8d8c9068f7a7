"""Signal receivers of the news domain. Each only calls a service; they are connected in
``NewsConfig.ready``."""

from django.utils import timezone

from newsapp import services
from newsapp.middleware import SESSION_REGION_VISIT


def on_logged_in(sender, request, user, **kwargs) -> None:
    """A sign-in is a visit: keep the reader's region alive, and spare the first page view
    the middleware's write."""
    services.region_visit_record(user=user)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_REGION_VISIT] = timezone.localdate().isoformat()
