"""Lead pictures, made safe on our side before any reader sees them.

A picture arrives as bytes, from an editor's upload or fetched by the server from a feed
(with the same SSRF-safe fetcher as feeds, its own size limit and an image-only Accept).
Pillow then reads it, and only as JPEG, PNG, WebP or GIF: SVG and everything else is
refused (an SVG can carry script), as are pictures with more pixels than
``IMAGES_MAX_PIXELS`` (decompression bombs, checked from the header before decoding) and
damaged files. What is kept is a fresh WebP encoding in a few widths, turned upright and
without EXIF, GPS, XMP or colour-profile metadata, stored through Django's storage API
under a name made from the content, so pages serve it from this site only.

Errors are :class:`ImageRefused` (or the fetcher's ``FetchError``) with a sentence an
editor can act on. Nothing here raises to a reader: pictures are fetched by the import's
queued task, never while a page is viewed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from newsapp.ingest.fetch import FetchError, fetch
from newsapp.ingest.parse import shorten
from newsapp.models import Article, Source, rendition_name

logger = logging.getLogger(__name__)

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
WIDTHS = (320, 640, 1024)
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_WIDTH, MIN_HEIGHT = 160, 90  # smaller is an icon or a tracking pixel, not a picture
QUALITY = 78
ACCEPT = "image/webp, image/jpeg, image/png, image/gif;q=0.8"


class ImageRefused(Exception):
    """Bytes that will not become a lead picture; ``str()`` is for editors."""


@dataclass(frozen=True)
class Renditions:
    """A picture re-encoded in every width we keep, ready for storage."""

    stem: str
    files: dict[int, bytes]  # width -> WebP bytes
    width: int  # of the widest
    height: int

    @property
    def widths(self) -> list[int]:
        return sorted(self.files)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def widths_for(width: int) -> list[int]:
    """The standard widths below the picture's own, and its own when that is smaller than
    the largest: never enlarged."""
    return sorted({*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1])})


def _open(data: bytes) -> Image.Image:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype", b"<html", b"<")):
        raise ImageRefused(
            "it is an SVG or HTML document, not a photograph; SVG pictures are refused "
            "because they can carry script."
        )
    max_pixels = _limit("IMAGES_MAX_PIXELS", MAX_PIXELS)
    with warnings.catch_warnings():
        # Pillow's own bomb check warns at its default limit; ours is the one that counts.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except UnidentifiedImageError:
            raise ImageRefused(
                "it is not a picture in a format we accept (JPEG, PNG, WebP or GIF)."
            ) from None
        except Image.DecompressionBombError:
            raise ImageRefused(
                f"it has more than {max_pixels:,} pixels (a decompression bomb?)."
            ) from None
        except (OSError, SyntaxError, ValueError) as error:
            raise ImageRefused(f"the file is damaged ({error}).") from None
        width, height = image.size
        if width * height > max_pixels:
            raise ImageRefused(
                f"it is {width:,} by {height:,} pixels, more than the {max_pixels:,} we "
                "decode (a decompression bomb?)."
            )
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            raise ImageRefused(
                f"it is only {width} by {height} pixels, too small for a lead picture "
                "(an icon or a tracking pixel)."
            )
        try:
            image.load()  # the first frame of an animation is the picture
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
            raise ImageRefused(f"the file is damaged ({error}).") from None
    return image


def process(data: bytes) -> Renditions:
    """Check and re-encode a picture; ImageRefused when it cannot be one."""
    if not data:
        raise ImageRefused("the file is empty.")
    image = _open(data)
    try:
        upright = ImageOps.exif_transpose(image)  # the orientation is kept, the EXIF goes
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageRefused(f"the file is damaged ({error}).") from None
    transparent = upright.mode in {"RGBA", "LA", "PA"} or (
        upright.mode == "P" and "transparency" in upright.info
    )
    clean = upright.convert("RGBA" if transparent else "RGB")
    width, height = clean.size
    digest = hashlib.sha256(data).hexdigest()
    files = {}
    for target in widths_for(width):
        size = (target, max(1, round(height * target / width)))
        resized = clean if size == clean.size else clean.resize(size, Image.Resampling.LANCZOS)
        resized.info = {}  # no EXIF, XMP, ICC profile or comment survives into the file
        buffer = io.BytesIO()
        resized.save(buffer, "WEBP", quality=QUALITY, method=4)
        files[target] = buffer.getvalue()
    widest = max(files)
    return Renditions(
        stem=f"images/{digest[:2]}/{digest[:24]}",
        files=files,
        width=widest,
        height=max(1, round(height * widest / width)),
    )


def store(renditions: Renditions) -> None:
    """Save each rendition through the storage API; the same picture is stored once."""
    for width, data in renditions.files.items():
        name = rendition_name(renditions.stem, width)
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))


def lead_image_set(
    *, article: Article, renditions: Renditions, alt: str, credit: str = "", source_url: str = ""
) -> Article:
    """Store ``renditions`` and make them ``article``'s lead picture.

    One UPDATE without ``updated_at``: a picture changes nothing the recommender ranks, so
    it must not make the index refit."""
    if not alt.strip():
        raise ImageRefused("a picture needs a description (alt text).")
    store(renditions)
    values = {
        "image": renditions.stem,
        "image_widths": ",".join(str(w) for w in renditions.widths),
        "image_width": renditions.width,
        "image_height": renditions.height,
        "image_alt": alt.strip()[:300],
        "image_credit": credit.strip()[:200],
    }
    if source_url:
        values["image_url"] = source_url
    Article.objects.filter(pk=article.pk).update(**values)
    for name, value in values.items():
        setattr(article, name, value)
    return article


NO_PICTURE = {"image": "", "image_widths": "", "image_width": None, "image_height": None}


def lead_image_remove(*, article: Article) -> Article:
    """Take the picture off the article (the files stay: another article may share them)."""
    Article.objects.filter(pk=article.pk).update(**NO_PICTURE)
    for name, value in NO_PICTURE.items():
        setattr(article, name, value)
    return article


def image_fetch(url: str) -> bytes:
    """A picture's bytes from the web, by the SSRF-safe fetcher with the picture limits."""
    result = fetch(
        url,
        accept=ACCEPT,
        max_bytes=_limit("IMAGES_MAX_BYTES", MAX_BYTES),
        what="picture",
    )
    kind = result.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if "svg" in kind:
        raise ImageRefused(
            "the server sent an SVG picture; SVG is refused because it can carry script."
        )
    if kind and not kind.startswith("image/") and kind != "application/octet-stream":
        raise ImageRefused(f"the server sent {kind[:60]}, not a picture.")
    return result.content


def fallback_alt(article: Article) -> str:
    """What a picture without a description from its feed is said to show, until an
    editor writes better."""
    return f"Picture for “{shorten(article.title, 120)}”"


def lead_images_import(*, article_ids: list[int]) -> int:
    """Fetch and store the feed pictures of these articles; returns how many were stored.

    A picture that cannot be used is skipped and said so in its source's feed state
    (``Source.last_error``); the article keeps its card without a picture."""
    articles = (
        Article.objects.filter(pk__in=article_ids, image="")
        .exclude(image_url="")
        .select_related("source")
    )
    stored = 0
    notes: dict[int, list[str]] = defaultdict(list)
    for article in articles:
        try:
            renditions = process(image_fetch(article.image_url))
            lead_image_set(
                article=article,
                renditions=renditions,
                alt=article.image_alt or fallback_alt(article),
                credit=article.image_credit or (article.source.name if article.source else ""),
            )
            stored += 1
        except (FetchError, ImageRefused) as error:
            reason = str(error)
            reason = reason[0].lower() + reason[1:] if reason else reason
            if article.source_id:
                notes[article.source_id].append(
                    f"The picture of “{shorten(article.title, 60)}” was skipped: {reason}"
                )
        except Exception as error:  # a library surprise must not stop the other pictures
            logger.exception("Picture of article %s failed unexpectedly", article.pk)
            if article.source_id:
                notes[article.source_id].append(
                    f"The picture of “{shorten(article.title, 60)}” was skipped: an "
                    f"unexpected problem ({type(error).__name__})."
                )
    for source in Source.objects.filter(pk__in=list(notes)):
        skipped = notes[source.pk]
        shown = " ".join(skipped[:3])
        if len(skipped) > 3:
            shown += f" {len(skipped) - 3} more pictures were skipped."
        source.last_error = f"{source.last_error} {shown}".strip()
        source.save(update_fields=["last_error"])
    return stored
