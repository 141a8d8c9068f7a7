"""Shared helpers of the feed-ingestion tests: the project's own feeds, served locally."""

from pathlib import Path

FEEDS = Path(__file__).parent / "feeds"


def feed_bytes(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def serve(httpserver, path: str, name: str, *, content_type="application/rss+xml", headers=None):
    """Serve one of our feeds at ``path``; returns its URL."""
    httpserver.expect_request(path).respond_with_data(
        feed_bytes(name), content_type=content_type, headers=headers or {}
    )
    return httpserver.url_for(path)
