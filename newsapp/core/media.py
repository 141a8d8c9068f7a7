"""Serving the stored pictures, in development and in production alike.

whitenoise serves only static files, so uploaded and imported pictures (media) come through
this small view: it opens names of the one shape the picture pipeline writes
(``images/ab/<hex>-<width>.webp``) from Django's storage and nothing else, with a year-long
immutable cache (the names are made from the content, so a file never changes). A reverse
proxy may serve ``MEDIA_ROOT`` at ``MEDIA_URL`` directly instead (README, "Production").
"""

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

NAME = re.compile(r"images/[0-9a-f]{2}/[0-9a-f]{24}-[0-9]{2,4}\.webp")


@require_GET
def serve_media(request: HttpRequest, name: str) -> FileResponse:
    if not NAME.fullmatch(name) or not default_storage.exists(name):
        raise Http404("No such picture.")
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/webp")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
