"""Error pages in the site's style. The 500 page renders without a request context, so it
still works when the database or a context processor is what failed."""

from django.http import HttpRequest, HttpResponse
from django.template import loader


def _render(request: HttpRequest, template: str, status: int, context=None) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, context or {}, request), status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse(loader.render_to_string("500.html"), status=500)
