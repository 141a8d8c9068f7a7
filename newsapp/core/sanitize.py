"""Article HTML from editors and feeds is reduced to a small allow-list before it is stored."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan"},
    "th": {"colspan", "scope"},
}


def clean_html(value: str) -> str:
    """Keep structure and links; drop scripts, styles, event handlers and foreign embeds."""
    return nh3.clean(
        value or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def truncate_html(value: str, limit: int) -> str:
    """Sanitised HTML cut to at most about ``limit`` characters, never inside a tag or an
    entity, every element it leaves open closed again."""
    if len(value) <= limit:
        return value
    cut = value[:limit]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    if cut.rfind("&") > cut.rfind(";"):
        cut = cut[: cut.rfind("&")]
    return clean_html(cut)


def html_to_text(value: str) -> str:
    """The text of an HTML fragment, tags and the content of scripts and styles dropped.

    nh3 rather than a Python HTML parser: a feed's body may be thousands of tags.
    """
    return html.unescape(nh3.clean(value or "", tags=set()))


# A tag of sanitised HTML: nh3 writes every attribute value in double quotes, and only a
# quoted value may hold a ">".
_TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")


def strip_sanitised_tags(value: str) -> str:
    """What Django's ``strip_tags`` gives for HTML that ``clean_html`` wrote (no comments,
    scripts or unquoted attributes), with one expression instead of an HTML parser: a
    reading time or an index build reads many bodies. Entities stay as they are."""
    return _TAG.sub("", value or "")


def paragraphs_to_html(text: str) -> str:
    """Plain text with blank-line paragraphs, as safe HTML."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in parts)
