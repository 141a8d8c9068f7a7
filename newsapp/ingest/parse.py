"""From feed bytes to clean entries: feedparser reads, nh3 cleans, nothing else trusted.

feedparser understands RSS 0.9x, 1.0 and 2.0 and Atom, guesses encodings and survives much
broken XML (it then sets ``bozo``). A document it cannot get a single entry out of is
refused with the reason in plain words; a valid feed with no entries is not an error.
feedparser never sees a document before it is cut to size (newsapp.ingest.bounds).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import feedparser
from django.conf import settings
from django.utils.html import strip_tags

from newsapp.core.sanitize import clean_html, html_to_text, paragraphs_to_html, truncate_html
from newsapp.ingest.bounds import bound_document

TITLE_LENGTH = 300
SUMMARY_LENGTH = 400
AUTHOR_LENGTH = 200
URL_LENGTH = 1000
GUID_LENGTH = 500
TITLE_WORDS = 12  # an entry without a title is named after its first words

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


# Complaints that do not stop a document from being a proper feed.
BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class ParseError(Exception):
    """The document is not a feed we can read; ``str()`` is for editors."""


@dataclass(frozen=True)
class Entry:
    guid: str
    link: str
    title: str
    summary: str
    body: str  # sanitised HTML
    author: str
    published_at: datetime | None
    content_hash: str
    # The entry's lead picture, fetched later by the server (newsapp.ingest.images); never
    # shown from its own address.
    image_url: str = ""
    image_alt: str = ""
    image_credit: str = ""


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str
    entries: list[Entry]
    failures: list[str]  # one plain sentence per entry that could not be used
    warning: str  # the parser's complaint when it read a damaged document anyway
    dropped: int = 0  # entries beyond the per-fetch cap
    cut_fields: int = 0  # elements longer than the importer reads, cut short
    stopped: bool = False  # the document has more markup than the importer reads


def plain_text(value: str) -> str:
    """HTML or text as one line of plain text."""
    return _SPACE.sub(" ", html.unescape(strip_tags(value or ""))).strip()


def field_text(value: str) -> str:
    """A feed's title, summary or author as plain text, scripts and styles dropped first."""
    return plain_text(clean_html(value)) if value else ""


def body_text(body: str) -> str:
    """The text of a sanitised body, as :func:`plain_text` gives it, at nh3's speed."""
    return _SPACE.sub(" ", html_to_text(body)).strip()


def normalise(value: str) -> str:
    """What two copies of one story have in common: letters and digits, lower case."""
    text = unicodedata.normalize("NFKC", plain_text(value)).casefold()
    return " ".join(re.findall(r"\w+", text))


def content_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{normalise(title)}\n{normalise(text)}".encode()).hexdigest()


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def safe_link(value: str) -> str:
    """An http(s) link, or nothing: ``javascript:`` and friends never reach a template."""
    value = (value or "").strip()
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return ""
    return value if scheme in {"http", "https"} and len(value) <= URL_LENGTH else ""


def looks_like_html(value: str) -> bool:
    return bool(_TAG.search(value or ""))


def shortened_note() -> str:
    limit = settings.ARTICLE_BODY_MAX_LENGTH
    return (
        f"<p><em>This article is cut short here: it is longer than the {limit:,} characters "
        "Plainsight keeps of an article. The whole text is at the original source.</em></p>"
    )


def body_html(value: str) -> str:
    """Sanitised HTML from either HTML or plain text, cut short (with a note saying so) past
    settings.ARTICLE_BODY_MAX_LENGTH."""
    body = clean_html(value) if looks_like_html(value) else paragraphs_to_html(value or "")
    limit = settings.ARTICLE_BODY_MAX_LENGTH
    if len(body) > limit:
        body = truncate_html(body, limit) + shortened_note()
    return body


def is_shortened(body: str) -> bool:
    return body.endswith(shortened_note())


def _date(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return datetime(*parsed[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


def _entry_content(entry) -> str:
    contents = list(entry.get("content") or [])
    if entry.get("media_content") and entry.get("summary_detail"):
        # feedparser files a picture's media:description under "content"; the entry's own
        # description must still win over that caption.
        contents.append(entry["summary_detail"])
    # Prefer the fullest HTML version when a feed offers several.
    best = max(
        (c for c in contents if c.get("value")),
        key=lambda c: ("html" in (c.get("type") or ""), len(c.get("value") or "")),
        default=None,
    )
    if best is not None:
        return best["value"]
    return entry.get("summary") or entry.get("description") or ""


class _FirstImage(HTMLParser):
    """The first <img> of a piece of HTML: its address and its alt text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.src = ""
        self.alt = ""

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "img" and not self.src:
            values = dict(attrs)
            self.src = (values.get("src") or "").strip()
            self.alt = (values.get("alt") or "").strip()


def _size(value) -> int:
    try:
        return int(str(value or "0").strip())
    except ValueError:
        return 0


def _is_image(item: dict) -> bool:
    kind = (item.get("type") or "").lower()
    medium = (item.get("medium") or "").lower()
    if kind:
        return kind.startswith("image/")
    if medium:
        return medium == "image"
    path = urlsplit(item.get("url") or item.get("href") or "").path.lower()
    return path.endswith((".jpg", ".jpeg", ".png", ".webp", ".gif"))


def _picture(raw, raw_body: str, base: str) -> tuple[str, str, str]:
    """The entry's lead picture: (address, alt text, credit), in the order feeds mean them:
    media:content, an image enclosure, media:thumbnail, then the first <img> of the text."""
    first = _FirstImage()
    with contextlib.suppress(AssertionError, ValueError):  # HTMLParser on hopeless markup
        first.feed(raw_body or "")
    alt = plain_text(first.alt)
    media = [m for m in raw.get("media_content") or [] if _is_image(m) and m.get("url")]
    candidates = [
        max(media, key=lambda m: _size(m.get("width")))["url"] if media else "",
        next(
            (e.get("href", "") for e in raw.get("enclosures") or [] if _is_image(e)),
            "",
        ),
        next((t.get("url", "") for t in raw.get("media_thumbnail") or [] if t.get("url")), ""),
        first.src,
    ]
    url = next(
        (safe_link(urljoin(base, c)) for c in candidates if c and safe_link(urljoin(base, c))), ""
    )
    if not url:
        return "", "", ""
    if media and not alt:
        # media:description, which feedparser keeps as plain-text content.
        captions = [
            c.get("value", "")
            for c in raw.get("content") or []
            if "html" not in (c.get("type") or "") and c.get("value")
        ]
        alt = plain_text(captions[0]) if captions else ""
    credits = raw.get("media_credit") or []
    credit = plain_text(credits[0].get("content", "")) if credits else ""
    return url, shorten(alt, 300), shorten(credit, 200)


def _guid(entry) -> str:
    guid = (entry.get("id") or "").strip()
    if len(guid) > GUID_LENGTH:  # keep it indexable; the hash is as unique as the text
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return guid


def make_entry(raw) -> Entry:
    """One feedparser entry as an :class:`Entry`; ValueError when it carries nothing usable."""
    raw_body = _entry_content(raw)
    body = body_html(raw_body)
    text = body_text(body)
    summary_source = raw.get("summary") or ""
    summary = shorten(field_text(summary_source) or text, SUMMARY_LENGTH)
    link = safe_link(raw.get("link") or "")
    title = field_text(raw.get("title") or "")
    if not title:
        words = text.split()
        title = " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
    if not title:
        raise ValueError("an entry has neither a title nor any text")
    image_url, image_alt, image_credit = _picture(raw, raw_body, link)
    return Entry(
        guid=_guid(raw),
        link=link,
        title=shorten(title, TITLE_LENGTH),
        summary=summary,
        body=body,
        author=shorten(field_text(raw.get("author") or ""), AUTHOR_LENGTH),
        published_at=_date(raw),
        content_hash=content_hash(title, text),
        image_url=image_url,
        image_alt=image_alt,
        image_credit=image_credit,
    )


def _problem(exception: BaseException | None) -> str:
    if exception is None:
        return "unknown problem"
    message = getattr(exception, "getMessage", None)
    text = message() if callable(message) else str(exception)
    line = getattr(exception, "getLineNumber", None)
    if callable(line):
        text += f" at line {line()}"
    return text


def parse(content: bytes, *, content_type: str = "", max_entries: int = 200) -> ParsedFeed:
    """Read a feed document; ParseError when nothing in it can be used."""
    if not content.strip():
        raise ParseError("The server sent an empty document instead of a feed.")
    headers = {"content-type": content_type} if content_type else {}
    bounded = bound_document(content, max_entries=max_entries)
    try:
        # Not feedparser's own sanitiser and link resolver: nh3 cleans every body anyway
        # (body_html), and they spend Python on every tag of the escaped HTML (four seconds
        # for a 5 MB feed of tags).
        parsed = feedparser.parse(
            bounded.content,
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as error:  # feedparser promises not to raise; be sure
        raise ParseError(f"The feed could not be read: {error}.") from None
    version = parsed.get("version") or ""
    bozo = bool(parsed.get("bozo"))
    problem = _problem(parsed.get("bozo_exception")) if bozo else ""
    raw_entries = list(parsed.get("entries") or [])
    if not raw_entries and not version:
        if bozo:
            raise ParseError(f"This is not a readable RSS or Atom feed: {problem}.")
        raise ParseError("This address returned something that is not an RSS or Atom feed.")
    if not raw_entries and bozo and not isinstance(parsed.get("bozo_exception"), BENIGN):
        raise ParseError(f"The feed is damaged and no entry could be read from it: {problem}.")
    entries, failures = [], []
    for raw in raw_entries[:max_entries]:
        try:
            entries.append(make_entry(raw))
        except ValueError as error:
            failures.append(str(error))
    feed = parsed.get("feed") or {}
    return ParsedFeed(
        title=field_text(feed.get("title") or ""),
        link=safe_link(feed.get("link") or ""),
        entries=entries,
        failures=failures,
        warning=f"The feed is damaged but was read anyway ({problem})." if bozo else "",
        dropped=bounded.dropped_entries + max(0, len(raw_entries) - max_entries),
        cut_fields=bounded.cut_fields,
        stopped=bounded.stopped,
    )
