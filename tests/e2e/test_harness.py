"""The checks the journeys rely on do catch what they are meant to catch."""

import pytest

from tests.e2e.support import AXE_RESULTS, NetworkGuard, axe_scan


def test_axe_scan_fails_on_a_critical_violation(page):
    page.set_content(
        "<!doctype html><html lang='en'><title>t</title><main><h1>Form</h1>"
        "<input type='text' name='q'></main></html>"
    )
    with pytest.raises(AssertionError, match=r"critical: label"):
        axe_scan(page, "harness: unlabelled input")
    AXE_RESULTS.pop()  # not a page of the site: kept out of the summary


def test_network_guard_catches_a_request_to_another_origin(page):
    # Another loopback address stands in for a third party; the request is aborted anyway.
    page.route("http://127.0.0.2:9/**", lambda route: route.abort())
    guard = NetworkGuard(page, "http://localhost:8000")
    page.set_content("<img src='http://127.0.0.2:9/pixel.gif' alt=''>")
    page.wait_for_timeout(200)
    with pytest.raises(AssertionError, match=r"127\.0\.0\.2"):
        guard.assert_same_origin()
