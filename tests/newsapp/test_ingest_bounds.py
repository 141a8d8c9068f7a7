"""A hostile feed under the size cap imports or is refused in seconds, never stalls the importer.

feedparser 6.0.14's author e-mail pattern is quadratic (its issue 562): one 50,000-character
``<author>`` took half a minute, a hundred of them would take most of an hour. The importer
cuts every field to size before feedparser sees the document (newsapp.ingest.bounds).
"""

import contextlib
import time
import xml.dom.minidom

import pytest

from newsapp.ingest import bounds, services
from newsapp.ingest.bounds import bound_document
from newsapp.ingest.fetch import MAX_BYTES
from newsapp.ingest.parse import ParseError, parse
from newsapp.models import Article, Source
from tests.newsapp.ingest_helpers import FEEDS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _allow_loopback(settings):
    settings.FEEDS_ALLOW_LOOPBACK = True


def rss(items: str, channel: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile</title>'
        f"{channel}{items}</channel></rss>"
    ).encode()


def hostile_author_feed(entries: int = 100, length: int = 50_000) -> bytes:
    author = "a" * length  # letters the e-mail pattern tries, and no "@" to end the search
    return rss(
        "".join(
            f"<item><guid>h-{n}</guid><title>Entry {n}</title><author>{author}</author>"
            f"<description>Text of entry {n}.</description></item>"
            for n in range(entries)
        )
    )


def test_a_feed_of_hostile_authors_imports_in_seconds(httpserver):
    document = hostile_author_feed()
    assert len(document) < MAX_BYTES  # under the size cap: the fetch lets it through
    httpserver.expect_request("/hostile.xml").respond_with_data(
        document, content_type="application/rss+xml"
    )
    source = Source.objects.create(
        name="Hostile", slug="hostile", feed_url=httpserver.url_for("/hostile.xml")
    )
    started = time.process_time()  # this process's work, whatever else the machine runs
    report = services.feed_import(source=source)
    elapsed = time.process_time() - started

    assert elapsed < 5, f"the import took {elapsed:.1f} s"
    assert report.ok and report.new == 100
    article = Article.objects.get(guid="h-7")
    assert article.title == "Entry 7"
    assert len(article.author) <= 200 and article.author.endswith("…")
    assert "100 fields of the feed were longer than the importer reads" in report.line()


def hostile_documents():
    """Shapes that each made feedparser work far more than their size suggests."""
    yield "stray angle brackets", b"<a<a" * 1_000_000
    yield "a million empty tags", rss("<item><title>x</title></item>" + "<x/>" * 1_100_000)
    author = "<managingEditor>" + "a" * 1000 + "</managingEditor>"
    yield "thousands of authors", rss("<item><title>x</title></item>", author * 4000)
    yield (
        "an XHTML body of tags",
        (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x'
            '</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            + "<b>y</b>" * 600_000
            + "</div></content></entry></feed>"
        ).encode(),
    )
    yield (
        "bodies of escaped tags",
        rss(
            "".join(
                f"<item><title>T{n}</title><description>{'&lt;b&gt;y&lt;/b&gt;' * 1200}"
                "</description></item>"
                for n in range(200)
            )
        ),
    )


@pytest.mark.parametrize(("shape", "document"), list(hostile_documents()))
def test_any_document_under_the_size_cap_is_read_or_refused_in_seconds(shape, document):
    assert len(document) < MAX_BYTES
    started = time.process_time()  # this process's work, whatever else the machine runs
    with contextlib.suppress(ParseError):  # refused with a reason is as good as read
        parse(document)
    elapsed = time.process_time() - started
    assert elapsed < 5, f"{shape}: {elapsed:.1f} s"


@pytest.mark.parametrize("name", sorted(p.name for p in FEEDS.iterdir() if p.suffix != ".md"))
def test_ordinary_feeds_reach_feedparser_byte_for_byte(name):
    content = (FEEDS / name).read_bytes()
    bounded = bound_document(content, max_entries=200)
    assert bounded.content == content
    assert bounded.cut_fields == 0 and bounded.dropped_entries == 0 and not bounded.stopped


@pytest.mark.parametrize(
    "title",
    [
        "é" * 999 + "&amp;" + "x" * 2000,  # 1,998 bytes, then an entity across the cap
        "x" + "é" * 2000,  # 1,999 bytes, then a two-byte character across the cap
    ],
)
def test_a_cut_never_splits_an_entity_or_a_character(title):
    document = rss(f"<item><title>{title}</title></item>")
    bounded = bound_document(document, max_entries=200)
    assert bounded.cut_fields == 1
    cut = bounded.content.decode("utf-8")  # still UTF-8 throughout
    xml.dom.minidom.parseString(bounded.content)  # still well formed
    assert "<title>" + title[:900] in cut and len(cut) < len(document.decode())
    assert not parse(document).warning


def test_entries_past_the_cap_are_left_out_before_parsing_and_counted():
    items = "".join(f"<item><guid>g{n}</guid><title>Entry {n}</title></item>" for n in range(12))
    parsed = parse(rss(items), max_entries=5)
    assert [e.guid for e in parsed.entries] == ["g0", "g1", "g2", "g3", "g4"]
    assert parsed.dropped == 7
    assert not parsed.warning


def test_a_wide_encoding_is_bounded_and_still_read():
    document = rss(f"<item><title>Ünïcode</title><author>{'b' * 5000}</author></item>")
    utf16 = document.replace(b'encoding="utf-8"', b'encoding="utf-16"').decode().encode("utf-16")
    parsed = parse(utf16)
    assert parsed.entries[0].title == "Ünïcode"
    assert parsed.cut_fields == 1 and len(parsed.entries[0].author) <= 200


def test_a_document_of_endless_markup_is_read_as_far_as_the_markup_cap(httpserver):
    tail = "<x/>" * (bounds.MAX_TOKENS + 10)
    document = rss("<item><guid>first</guid><title>First</title></item>" + tail)
    httpserver.expect_request("/tags.xml").respond_with_data(document)
    report = services.feed_import(url=httpserver.url_for("/tags.xml"))
    assert report.ok and report.new == 1
    assert f"more than {bounds.MAX_TOKENS:,} tags; the importer read only that far" in report.line()


def test_an_enormous_entry_body_is_stored_cut_short_with_a_note(httpserver):
    paragraph = "<p>" + "All work and no play makes a long feed. " * 20 + "</p>"
    body = paragraph * (800_000 // len(paragraph))  # the probe stored 800,006 characters
    document = rss(
        f"<item><guid>long</guid><title>Long</title><description><![CDATA[{body}]]>"
        "</description></item>"
    )
    httpserver.expect_request("/long.xml").respond_with_data(document)
    report = services.feed_import(url=httpserver.url_for("/long.xml"))
    stored = Article.objects.get(guid="long").body
    assert len(stored) <= 100_000 + 300
    assert stored.endswith(
        "it is longer than the 100,000 characters Plainsight keeps of an "
        "article. The whole text is at the original source.</em></p>"
    )
    assert stored.count("<p>") == stored.count("</p>")  # cut between tags, all closed
    assert "1 entry was longer than 100,000 characters and cut short" in report.line()
