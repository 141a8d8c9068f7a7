"""Security headers that Django and django-csp do not set themselves: Permissions-Policy
(every powerful browser feature denied except the few this site uses) and
Cross-Origin-Resource-Policy; and a cap on the size of a request's body. Session expiry
lives with identity, in accounts.middleware.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

# Features of the Permissions-Policy registry and the widely shipped proposals. Anything
# not named in settings.PERMISSIONS_POLICY_ALLOW is denied to every origin, ours included.
PERMISSIONS_POLICY_FEATURES = (
    "accelerometer",
    "ambient-light-sensor",
    "attribution-reporting",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "compute-pressure",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "storage-access",
    "usb",
    "web-share",
    "window-management",
    "xr-spatial-tracking",
)


def permissions_policy(allow: dict[str, str]) -> str:
    return ", ".join(
        f"{feature}={allow.get(feature, '()')}" for feature in PERMISSIONS_POLICY_FEATURES
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = permissions_policy(
            getattr(settings, "PERMISSIONS_POLICY_ALLOW", {})
        )
        self.resource_policy = getattr(
            settings, "SECURE_CROSS_ORIGIN_RESOURCE_POLICY", "same-origin"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        response.headers.setdefault("Cross-Origin-Resource-Policy", self.resource_policy)
        return response


class RequestSizeMiddleware:
    """A request whose body is larger than settings.MAX_REQUEST_BYTES gets the 413 page.

    Django caps the form fields it keeps in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but not
    the files of a multipart body, which it streams to disk whatever their size. The WSGI
    server passes the body on as Content-Length says, so that header is the whole story.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.MAX_REQUEST_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        if length > self.limit:
            # Rendered without the request: no session or database work for a refusal.
            page = loader.render_to_string("413.html", {"limit_mb": self.limit // 2**20})
            return HttpResponse(page, status=413)
        return self.get_response(request)
