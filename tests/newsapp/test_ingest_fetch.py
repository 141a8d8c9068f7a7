"""Fetching is safe: public addresses only, every redirect checked, bounded in time and size."""

import gzip
import socket
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from werkzeug import Response

from newsapp.ingest.fetch import USER_AGENT, FetchError, RefusedAddress, check_address, fetch
from newsapp.ingest.services import feed_import, sources_due
from newsapp.models import Article, Source
from tests.newsapp.ingest_helpers import feed_bytes, serve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _allow_loopback(settings):
    settings.FEEDS_ALLOW_LOOPBACK = True


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("10.1.2.3", "private network"),
        ("192.168.0.10", "private network"),
        ("172.16.5.5", "private network"),
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private network"),
        ("::ffff:10.0.0.1", "private network"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "reserved"),
    ],
)
def test_internal_addresses_are_refused_in_plain_words(address, words):
    with pytest.raises(RefusedAddress, match=words):
        check_address(address, allow_loopback=False)


@pytest.mark.parametrize(
    ("address", "words"),
    [
        # 6to4 (2002::/16): Python 3.11 calls these global.
        ("2002:7f00:1::1", "6to4 address leading to 127.0.0.1, a loopback"),
        ("2002:a00:1::", "6to4 address leading to 10.0.0.1, a private network"),
        ("2002:a9fe:a9fe::1", "6to4 address leading to 169.254.169.254, a link-local"),
        # Teredo (2001::/32): the client address is stored inverted.
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo address leading to 127.0.0.1"),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo address leading to 10.0.0.1"),
        # NAT64, well-known prefix and local use.
        ("64:ff9b::7f00:1", "NAT64 address leading to 127.0.0.1, a loopback"),
        ("64:ff9b::a9fe:a9fe", "NAT64 address leading to 169.254.169.254"),
        ("64:ff9b:1::a00:1", "local NAT64"),
        # IPv4 inside the first 96 bits: mapped, translated, compatible.
        ("::ffff:127.0.0.1", "127.0.0.1, a loopback"),
        ("::ffff:169.254.169.254", "169.254.169.254, a link-local"),
        ("::ffff:0:a00:1", "IPv4-translated address leading to 10.0.0.1"),
        ("::a00:1", "IPv4-compatible address leading to 10.0.0.1"),
        # Ranges the tables of some Python versions leave out.
        ("fec0::1", "site-local"),
        ("3fff::1", "documentation"),
        ("192.0.0.8", "IETF protocol assignments"),
        ("198.18.0.1", "benchmarking"),
        ("4000::1", "reserved"),
    ],
)
def test_addresses_that_lead_to_internal_ones_are_refused(address, words):
    with pytest.raises(RefusedAddress, match=words):
        check_address(address, allow_loopback=False)


@pytest.mark.parametrize("address", ["2002:5db8:d822::1", "64:ff9b::5db8:d822", "2a00:1450::1"])
def test_transition_addresses_to_public_ones_pass(address):
    check_address(address, allow_loopback=False)


def test_loopback_allowed_for_tests_is_only_loopback_itself():
    check_address("::1", allow_loopback=True)
    with pytest.raises(RefusedAddress, match="6to4"):
        check_address("2002:7f00:1::1", allow_loopback=True)


def test_public_addresses_pass_and_loopback_only_when_allowed():
    check_address("93.184.216.34", allow_loopback=False)
    check_address("127.0.0.1", allow_loopback=True)
    with pytest.raises(RefusedAddress):
        check_address("10.0.0.1", allow_loopback=True)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/feed.xml", "gopher://x/", "javascript:1"]
)
def test_only_http_and_https_are_fetched(url):
    with pytest.raises(RefusedAddress, match="only http and https"):
        fetch(url)


def test_loopback_is_refused_without_the_setting_and_nothing_is_requested(httpserver, settings):
    settings.FEEDS_ALLOW_LOOPBACK = False
    url = serve(httpserver, "/feed.xml", "rss2.xml")
    with pytest.raises(RefusedAddress, match="loopback"):
        fetch(url)
    assert httpserver.log == []


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.7/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:192.168.1.1]/feed.xml",
        "file:///etc/passwd",
    ],
)
def test_redirects_into_refused_places_are_not_followed(httpserver, target):
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": target}
    )
    with pytest.raises(RefusedAddress):
        fetch(httpserver.url_for("/moved"))


def test_safe_redirects_are_followed_and_reported(httpserver):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new.xml"}
    )
    serve(httpserver, "/new.xml", "rss2.xml")
    result = fetch(httpserver.url_for("/old"))
    assert result.url == httpserver.url_for("/new.xml")
    assert b"Harbourside Gazette" in result.content


def test_redirect_loops_end_with_a_clear_error(httpserver):
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with pytest.raises(FetchError, match="Too many redirects"):
        fetch(httpserver.url_for("/loop"))


def test_requests_say_who_we_are_and_accept_gzip(httpserver):
    httpserver.expect_request("/feed.xml", headers={"User-Agent": USER_AGENT}).respond_with_data(
        gzip.compress(feed_bytes("rss2.xml")),
        headers={"Content-Encoding": "gzip"},
        content_type="application/rss+xml",
    )
    result = fetch(httpserver.url_for("/feed.xml"))
    assert result.content == feed_bytes("rss2.xml")


def test_a_declared_size_over_the_limit_is_refused_before_reading(httpserver, settings):
    settings.FEEDS_MAX_BYTES = 1000
    serve(httpserver, "/big.xml", "rss2-updated.xml")  # about 1.5 KB, with Content-Length
    with pytest.raises(FetchError, match="limit"):
        fetch(httpserver.url_for("/big.xml"))


def test_a_huge_streamed_feed_is_cut_off_at_the_limit(httpserver):
    """No Content-Length: the importer counts bytes as they arrive (default 5 MB limit)."""
    item = b"<item><title>Filler</title><description>" + b"x" * 10_000 + b"</description></item>"

    def endless():
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
        for _ in range(1000):  # about 10 MB
            yield item

    httpserver.expect_request("/huge.xml").respond_with_response(
        Response(endless(), content_type="application/rss+xml")
    )
    with pytest.raises(FetchError, match="larger than the 5,120 KB limit"):
        fetch(httpserver.url_for("/huge.xml"))


def test_a_compression_bomb_is_cut_off_at_the_limit(httpserver, settings):
    settings.FEEDS_MAX_BYTES = 100_000
    httpserver.expect_request("/bomb.xml").respond_with_data(
        gzip.compress(b"<rss>" + b" " * 5_000_000),
        headers={"Content-Encoding": "gzip"},
    )
    with pytest.raises(FetchError, match="larger than"):
        fetch(httpserver.url_for("/bomb.xml"))


def test_a_silent_server_times_out(httpserver, settings):
    settings.FEEDS_READ_TIMEOUT = 0.3

    def slow(request):
        time.sleep(1)
        return Response(feed_bytes("rss2.xml"))

    httpserver.expect_request("/slow.xml").respond_with_handler(slow)
    with pytest.raises(FetchError, match="did not answer in time"):
        fetch(httpserver.url_for("/slow.xml"))


def test_import_records_a_refused_redirect_on_the_source(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=307, headers={"Location": "http://192.168.1.20/feed.xml"}
    )
    source = Source.objects.create(
        name="Sneaky", slug="sneaky", feed_url=httpserver.url_for("/feed.xml")
    )
    report = feed_import(source=source)
    source.refresh_from_db()
    assert not report.ok
    assert source.last_status == Source.FetchStatus.FAILED
    assert "192.168.1.20, a private network address" in source.last_error
    assert Article.objects.count() == 0


def redirect(httpserver, path: str, status: int, location: str) -> None:
    httpserver.expect_request(path).respond_with_data(
        "", status=status, headers={"Location": location}
    )


@pytest.mark.parametrize(
    ("first", "second", "moved_to"),
    [
        (301, 308, "/final.xml"),  # permanent all the way: the feed lives at the end now
        (301, 302, "/middle"),  # permanent, then temporary: only the permanent part counts
        (302, 301, ""),  # temporary first: the first address stays the feed's address
    ],
)
def test_only_an_unbroken_run_of_permanent_redirects_moves_the_feed(
    httpserver, first, second, moved_to
):
    redirect(httpserver, "/start", first, "/middle")
    redirect(httpserver, "/middle", second, "/final.xml")
    serve(httpserver, "/final.xml", "rss2.xml")
    result = fetch(httpserver.url_for("/start"))
    assert result.url == httpserver.url_for("/final.xml")
    assert result.moved_to == (httpserver.url_for(moved_to) if moved_to else "")


def test_a_source_whose_feed_moved_for_good_fetches_from_the_new_address(httpserver):
    old, new = httpserver.url_for("/old.xml"), httpserver.url_for("/new.xml")
    redirect(httpserver, "/old.xml", 301, "/new.xml")
    serve(httpserver, "/new.xml", "rss2.xml")
    source = Source.objects.create(name="Gazette", slug="gazette", feed_url=old)

    report = feed_import(source=source)
    source.refresh_from_db()
    assert report.ok and report.new == 2
    assert source.feed_url == new
    assert f"moved for good to {new}" in source.last_error and old in source.last_error

    httpserver.clear_log()
    again = feed_import(source=source)
    assert again.ok and again.new == 0
    assert [request.path for request, _ in httpserver.log] == ["/new.xml"]


def test_a_temporary_redirect_leaves_the_source_at_its_address(httpserver):
    old = httpserver.url_for("/feed.xml")
    redirect(httpserver, "/feed.xml", 302, "/today.xml")
    serve(httpserver, "/today.xml", "rss2.xml")
    source = Source.objects.create(name="Gazette", slug="gazette", feed_url=old)
    report = feed_import(source=source)
    source.refresh_from_db()
    assert report.ok
    assert source.feed_url == old
    assert source.last_error == f"Redirected to {httpserver.url_for('/today.xml')}."


def test_a_move_onto_another_sources_address_is_reported_not_merged(httpserver):
    old, new = httpserver.url_for("/old.xml"), httpserver.url_for("/new.xml")
    redirect(httpserver, "/old.xml", 308, "/new.xml")
    serve(httpserver, "/new.xml", "rss2.xml")
    Source.objects.create(name="Gazette (new)", slug="gazette-new", feed_url=new)
    source = Source.objects.create(name="Gazette", slug="gazette", feed_url=old)
    report = feed_import(source=source)
    source.refresh_from_db()
    assert report.ok
    assert source.feed_url == old
    assert "“Gazette (new)” already fetches" in source.last_error
    assert Source.objects.filter(feed_url=new).count() == 1


def test_importing_a_moved_feed_by_its_old_address_twice_makes_one_source(httpserver):
    old, new = httpserver.url_for("/old.xml"), httpserver.url_for("/new.xml")
    redirect(httpserver, "/old.xml", 301, "/new.xml")
    serve(httpserver, "/new.xml", "rss2.xml")
    for _ in range(2):
        out = StringIO()
        call_command("import_feeds", "--url", old, stdout=out, stderr=StringIO())
    assert list(Source.objects.values_list("feed_url", flat=True)) == [new]
    assert "0 new" in out.getvalue()
    assert Article.objects.count() == 2


def test_a_feed_gone_for_good_switches_its_source_off(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("", status=410)
    source = Source.objects.create(
        name="Closed Gazette", slug="closed", feed_url=httpserver.url_for("/feed.xml")
    )
    report = feed_import(source=source)
    source.refresh_from_db()
    assert not report.ok and not source.active
    assert "removed for good" in source.last_error and "switched off" in source.last_error
    assert "Next attempt" not in report.line()
    # Never due again for the scheduled import, even once its backoff has run out.
    assert source not in sources_due(now=timezone.now() + timedelta(days=2))


def test_a_missing_feed_is_retried_not_switched_off(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data("", status=404)
    source = Source.objects.create(
        name="Gazette", slug="gazette", feed_url=httpserver.url_for("/feed.xml")
    )
    feed_import(source=source)  # a 404 may be a passing mistake on the server's side
    source.refresh_from_db()
    assert source.active and source.consecutive_failures == 1
    assert source in sources_due(now=timezone.now() + timedelta(days=2))


@pytest.fixture
def dripping_server():
    """A server that answers 200 at once, then sends one header line every 0.3 s: every
    read gets something well within the read timeout, the whole answer takes 6 s."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def serve_one():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
            for n in range(20):
                if stop.wait(0.3):
                    return
                connection.sendall(f"X-Drip-{n}: still here\r\n".encode())
            body = feed_bytes("rss2.xml")
            connection.sendall(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    stop.set()
    listener.close()
    thread.join(timeout=5)


def test_a_server_dripping_headers_is_cut_off_at_the_total_deadline(dripping_server, settings):
    settings.FEEDS_READ_TIMEOUT = 1
    settings.FEEDS_TOTAL_TIMEOUT = 1.5
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"too slow: the feed did not arrive within 1\.5 s"):
        fetch(dripping_server)
    assert time.monotonic() - started < 2.5


def test_the_total_deadline_spans_every_redirect(httpserver, settings):
    settings.FEEDS_READ_TIMEOUT = 1
    settings.FEEDS_TOTAL_TIMEOUT = 1.2

    def slow_redirect(to):
        def handler(request):
            time.sleep(0.5)  # each hop well within the read timeout
            return Response("", status=302, headers={"Location": to})

        return handler

    for hop in range(4):
        httpserver.expect_request(f"/hop{hop}").respond_with_handler(
            slow_redirect(f"/hop{hop + 1}")
        )
    serve(httpserver, "/hop4", "rss2.xml")
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"within 1\.2 s over 3 requests"):
        fetch(httpserver.url_for("/hop0"))
    assert time.monotonic() - started < 2
