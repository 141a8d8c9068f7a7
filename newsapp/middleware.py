"""Middleware of the news domain (the project's own, domain-free middleware is in
``newsapp.core``)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from newsapp import services

# The day this session last kept the reader's region alive: at most one write a day.
SESSION_REGION_VISIT = "location_touched_on"


class RegionVisitMiddleware:
    """Keeps a chosen region alive while the reader visits: once a day per session, its
    "last seen" date moves to today (the retention of ``ReaderLocation`` counts from there)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            today = timezone.localdate().isoformat()
            if request.session.get(SESSION_REGION_VISIT) != today:
                services.region_visit_record(user=user)
                request.session[SESSION_REGION_VISIT] = today
        return self.get_response(request)
