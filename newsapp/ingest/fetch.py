"""Fetching a feed without becoming a tool against our own network.

Every hop (the first request and each redirect) is checked the same way: the scheme must
be http or https, the host is resolved once, every address it resolves to must be a public
one, and the connection goes to the address that was checked, so a second DNS answer
cannot swap in an internal one. Redirects are followed by hand for that reason; where they
were all permanent, the result says where the feed moved to. Reads are bounded in bytes,
compressed bodies included, and in time: each wait on the server by the read timeout, and
the whole fetch (connects, TLS handshakes, headers, every redirect and the body) by one
deadline, checked before every read, so a server dripping a header line every few seconds
cannot keep the importer busy.

Errors are :class:`FetchError` with a message an editor can act on.
"""

from __future__ import annotations

import functools
import http.client
import io
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

USER_AGENT = (
    "PlainsightFeedImporter/1.0 (+https://github.com/plainsight/newsapp; "
    "fetches RSS and Atom feeds that editors subscribed to)"
)
CONNECT_TIMEOUT = 5.0  # seconds to open the connection
READ_TIMEOUT = 15.0  # seconds between two packets
TOTAL_TIMEOUT = 30.0  # seconds for the whole fetch, redirects included, against drip-feeding
MAX_BYTES = 5 * 1024 * 1024  # after decompression
MAX_REDIRECTS = 5
REDIRECT_CODES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECT_CODES = {301, 308}
CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch that did not produce a feed document; ``str()`` is for editors."""


class RefusedAddress(FetchError):
    """The URL points somewhere the importer must not go."""


class FeedGone(FetchError):
    """The server says the feed was removed for good (410 Gone)."""


@dataclass
class FetchResult:
    url: str  # after redirects
    status: int  # 200 or 304
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)
    # Where the feed has moved for good: the end of an unbroken run of permanent
    # redirects from the first request (a temporary hop after it does not count).
    moved_to: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _limit(name: str, default):
    return getattr(settings, name, default)


_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_net = ipaddress.ip_network
_LOOPBACK = "a loopback address (this machine)"
_LINK_LOCAL = "a link-local address (such as a cloud metadata service)"
_PRIVATE = "a private network address"
# Our own tables of what is not the public internet (IANA's special-purpose registries),
# so the answer does not depend on the Python version's: 3.11 calls 2002:7f00:1:: (6to4
# for 127.0.0.1), fec0::/10 and 3fff::/20 global.
_REFUSED_V4 = (
    (_net("0.0.0.0/8"), "an unspecified address"),
    (_net("10.0.0.0/8"), _PRIVATE),
    (_net("100.64.0.0/10"), "a reserved address (shared by carrier-grade NAT)"),
    (_net("127.0.0.0/8"), _LOOPBACK),
    (_net("169.254.0.0/16"), _LINK_LOCAL),
    (_net("172.16.0.0/12"), _PRIVATE),
    (_net("192.0.0.0/24"), "a reserved address (IETF protocol assignments)"),
    (_net("192.0.2.0/24"), "a reserved address (documentation)"),
    (_net("192.88.99.0/24"), "a reserved address (6to4 relays)"),
    (_net("192.168.0.0/16"), _PRIVATE),
    (_net("198.18.0.0/15"), "a reserved address (benchmarking)"),
    (_net("198.51.100.0/24"), "a reserved address (documentation)"),
    (_net("203.0.113.0/24"), "a reserved address (documentation)"),
    (_net("224.0.0.0/4"), "a multicast address"),
    (_net("240.0.0.0/4"), "a reserved address"),
)
# IPv6 addresses that carry an IPv4 address the traffic ends up at; judged by that address.
_EMBEDDING_V6 = (
    (_net("::ffff:0:0/96"), "an IPv4-mapped address"),
    (_net("::ffff:0:0:0/96"), "an IPv4-translated address"),
    (_net("64:ff9b::/96"), "a NAT64 address"),
    (_net("::/96"), "an IPv4-compatible address"),
)
_REFUSED_V6 = (
    (_net("::/128"), "an unspecified address"),
    (_net("::1/128"), _LOOPBACK),
    (_net("64:ff9b:1::/48"), "a reserved address (local NAT64)"),
    (_net("100::/64"), "a reserved address (discard)"),
    (_net("2001::/23"), "a reserved address (IETF protocol assignments)"),
    (_net("2001:db8::/32"), "a reserved address (documentation)"),
    (_net("3fff::/20"), "a reserved address (documentation)"),
    (_net("5f00::/16"), "a reserved address (segment routing)"),
    (_net("fc00::/7"), _PRIVATE),
    (_net("fe80::/10"), _LINK_LOCAL),
    (_net("fec0::/10"), "a private network address (site-local)"),
    (_net("ff00::/8"), "a multicast address"),
)
_GLOBAL_UNICAST_V6 = _net("2000::/3")  # all the public IPv6 internet there is


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, list[ipaddress.IPv4Address]]:
    """The kind of transition address ``ip`` is and the IPv4 addresses it leads to."""
    if ip.sixtofour is not None:
        return "a 6to4 address", [ip.sixtofour]
    if ip.teredo is not None:
        server, client = ip.teredo
        return "a Teredo address", [client, server]
    for network, kind in _EMBEDDING_V6:
        if ip in network and int(ip) > 1:  # not :: or ::1, which are themselves
            return kind, [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return "", []


def _python_says(ip: _IPAddress) -> str | None:
    """What the running Python's tables say, as a second opinion."""
    if ip.is_loopback:
        return _LOOPBACK
    if ip.is_link_local:
        return _LINK_LOCAL
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return _PRIVATE
    if not ip.is_global:
        return "a reserved address"
    return None


def _describe_address(ip: _IPAddress) -> str | None:
    """Why ``ip`` is off limits, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv4Address):
        for network, reason in _REFUSED_V4:
            if ip in network:
                return reason
        return _python_says(ip)
    kind, embedded = _embedded_ipv4(ip)
    if kind:
        for inner in embedded:
            reason = _describe_address(inner)
            if reason:
                return f"{kind} leading to {inner}, {reason}"
        return None  # as public as the IPv4 address it leads to
    for network, reason in _REFUSED_V6:
        if ip in network:
            return reason
    if ip not in _GLOBAL_UNICAST_V6:
        return "a reserved address"
    return _python_says(ip)


def check_address(address: str, *, allow_loopback: bool) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # the address the socket really connects to
    if ip.is_loopback and allow_loopback:
        return
    reason = _describe_address(ip)
    if reason:
        raise RefusedAddress(
            f"Refused: the address resolves to {ip}, {reason}. The importer only fetches "
            "feeds from the public internet."
        )


def check_url(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of ``url``, or FetchError when it is not a web address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchError(f"Refused: {url!r} is not a valid web address ({error}).") from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise RefusedAddress(
            f"Refused: only http and https addresses can be imported, not {scheme or 'this'}: "
            f"{url[:200]}"
        )
    if not parts.hostname:
        raise FetchError(f"Refused: {url[:200]} has no host name.")
    if parts.username or parts.password:
        raise RefusedAddress("Refused: addresses with a user name or password are not fetched.")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def resolve(host: str, port: int, *, allow_loopback: bool) -> str:
    """The address to connect to; every address ``host`` resolves to must be allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(
            f"Could not find the server {host!r}: the name does not resolve ({error})."
        ) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(f"Could not find the server {host!r}: the name has no address.")
    for address in addresses:
        try:
            check_address(address, allow_loopback=allow_loopback)
        except RefusedAddress as error:
            raise RefusedAddress(f"{error} (host {host})") from None
    return addresses[0]


class _TooSlow(TimeoutError):
    """The fetch's deadline passed."""


class _DeadlineReader(io.RawIOBase):
    """A socket's reads, each one waiting at most until the fetch's deadline."""

    def __init__(self, sock: socket.socket, *, deadline: float, read_timeout: float) -> None:
        super().__init__()
        self._sock = sock
        # The socket's own reader, which also keeps the socket open until it is closed.
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline
        self._read_timeout = read_timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise _TooSlow
        self._sock.settimeout(min(self._read_timeout, remaining))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """What http.client's response reads from: the socket behind a :class:`_DeadlineReader`."""

    def __init__(self, sock: socket.socket, **limits) -> None:
        self._sock = sock
        self._limits = limits

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, **self._limits))


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock, *args, deadline: float, read_timeout: float, **kwargs) -> None:
        wrapped = _DeadlineSocket(sock, deadline=deadline, read_timeout=read_timeout)
        super().__init__(wrapped, *args, **kwargs)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, whatever DNS says now, and never waits on
    the server past ``deadline``."""

    def __init__(self, host, port, *, address, connect_timeout, read_timeout, deadline):
        super().__init__(host, port, timeout=connect_timeout)
        self._address = address
        self._read_timeout = read_timeout
        self._deadline = deadline
        self.response_class = functools.partial(
            _DeadlineResponse, deadline=deadline, read_timeout=read_timeout
        )

    def _remaining(self) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise _TooSlow
        return remaining

    def _open_socket(self) -> socket.socket:
        sock = socket.create_connection(
            (self._address, self.port), min(self.timeout, self._remaining())
        )
        # Sending the request and (for https) the whole TLS handshake wait at most this long.
        sock.settimeout(min(self._read_timeout, self._remaining()))
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def __init__(self, host, port, **kwargs):
        super().__init__(host, port, **kwargs)
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        # The certificate is checked against the host name, not the pinned address.
        self.sock = self._context.wrap_socket(self._open_socket(), server_hostname=self.host)


def _read_body(
    response: http.client.HTTPResponse, *, max_bytes: int, deadline: float, what: str = "feed"
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(
            f"Refused: the {what} is {int(declared) // 1024:,} KB, more than the "
            f"{max_bytes // 1024:,} KB limit."
        )
    encoding = (response.getheader("Content-Encoding") or "").strip().lower()
    decoder = None
    if encoding in {"gzip", "x-gzip"}:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    body = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise _TooSlow
        chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
        if not chunk:
            break
        if decoder is not None:
            try:
                # Never inflate more than we are willing to keep (compression bombs).
                chunk = decoder.decompress(chunk, max_bytes + 1 - len(body))
            except zlib.error as error:
                raise FetchError(
                    f"The server sent a damaged compressed {what} ({error})."
                ) from None
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(
                f"Refused: the {what} is larger than the {max_bytes // 1024:,} KB limit."
            )
    return bytes(body)


def _status_message(status: int, reason: str, what: str = "feed") -> str:
    hints = {
        401: f"the {what} needs a login, which the importer does not have",
        403: f"the server refuses to give the {what} to us",
        404: f"there is no {what} at this address any more",
        410: f"the {what} has been removed for good",
        429: "the server asks us to fetch less often",
    }
    hint = hints.get(status) or (
        "the server has a problem on its side; we will try again later"
        if status >= 500
        else "the request was not accepted"
    )
    return f"The server answered {status} {reason}: {hint}."


FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    accept: str = FEED_ACCEPT,
    max_bytes: int | None = None,
    what: str = "feed",
) -> FetchResult:
    """GET ``url`` safely; a 304 answer to the conditional headers gives an empty result.

    Feeds by default; pictures pass their own ``accept``, ``max_bytes`` and ``what`` (the
    word the error messages use)."""
    allow_loopback = bool(_limit("FEEDS_ALLOW_LOOPBACK", False))
    if max_bytes is None:
        max_bytes = int(_limit("FEEDS_MAX_BYTES", MAX_BYTES))
    connect_timeout = float(_limit("FEEDS_CONNECT_TIMEOUT", CONNECT_TIMEOUT))
    read_timeout = float(_limit("FEEDS_READ_TIMEOUT", READ_TIMEOUT))
    total_timeout = float(_limit("FEEDS_TOTAL_TIMEOUT", TOTAL_TIMEOUT))
    deadline = time.monotonic() + total_timeout
    redirects: list[str] = []
    moved_to = ""
    only_permanent = True
    current = url.strip()
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port = check_url(current)
        address = resolve(host, port, allow_loopback=allow_loopback)
        if time.monotonic() >= deadline:
            raise _too_slow(total_timeout, redirects)
        parts = urlsplit(current)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(
            host,
            port,
            address=address,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            deadline=deadline,
        )
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": accept,
            "Accept-Encoding": "gzip, deflate",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            status = response.status
            if status in REDIRECT_CODES:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"The server redirected ({status}) without saying where to.")
                current = urljoin(current, location.strip())
                only_permanent = only_permanent and status in PERMANENT_REDIRECT_CODES
                if only_permanent:
                    moved_to = current
                redirects.append(current)
                continue
            if status == 304:
                return FetchResult(url=current, status=304, redirects=redirects, moved_to=moved_to)
            if status == 410:
                raise FeedGone(_status_message(status, response.reason, what))
            if status != 200:
                raise FetchError(_status_message(status, response.reason, what))
            content = _read_body(response, max_bytes=max_bytes, deadline=deadline, what=what)
            return FetchResult(
                url=current,
                status=200,
                content=content,
                headers={k.lower(): v for k, v in response.getheaders()},
                redirects=redirects,
                moved_to=moved_to,
            )
        except TimeoutError as error:
            # The last wait is cut short to end at the deadline, so it may time out just
            # before the deadline is checked again.
            if isinstance(error, _TooSlow) or time.monotonic() >= deadline - 0.05:
                raise _too_slow(total_timeout, redirects) from None
            raise FetchError(
                f"The server at {host} did not answer in time (connect {connect_timeout:g} s, "
                f"read {read_timeout:g} s)."
            ) from None
        except ssl.SSLError as error:
            raise FetchError(
                f"The secure connection to {host} failed: {error.reason or error}."
            ) from None
        except ConnectionRefusedError:
            raise FetchError(f"The server at {host} refused the connection.") from None
        except (http.client.HTTPException, OSError) as error:
            raise FetchError(f"The connection to {host} failed: {error}.") from None
        finally:
            connection.close()
    raise FetchError(f"Too many redirects (more than {MAX_REDIRECTS}); gave up at {current}.")


def _too_slow(total_timeout: float, redirects: list[str]) -> FetchError:
    hops = f" over {len(redirects) + 1} requests" if redirects else ""
    return FetchError(
        f"The server was too slow: the feed did not arrive within {total_timeout:g} s{hops}."
    )
