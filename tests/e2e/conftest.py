"""Browser tests: Debian's Chromium, driven by Playwright, against a live server.

They run only when asked for (``make e2e``, ``pytest tests/e2e`` or ``E2E=1``): a plain
``pytest`` deselects them, so ``make test`` stays fast and the PostgreSQL run in CI skips them.
A run that asks for them stays in one process (tests/conftest.py): one browser, one live
server, and the axe-core summary gathered in this process.
Every test gets a fresh database (``live_server`` is transactional); the rows the
migrations made (groups, permissions, the privacy notice) are restored by serialized rollback.
"""

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from tests.e2e import support
from tests.e2e.selection import E2E_DIR, asked_for

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    if asked_for(config):
        return
    browser_tests = [item for item in items if E2E_DIR in Path(str(item.path)).parents]
    if browser_tests:
        config.hook.pytest_deselected(items=browser_tests)
        items[:] = [item for item in items if item not in browser_tests]


def pytest_terminal_summary(terminalreporter):
    if support.AXE_RESULTS:
        terminalreporter.section("axe-core results (every impact level)")
        for line in support.axe_summary_lines():
            terminalreporter.write_line(line)
    if support.AXE_CSP_REFUSALS:
        pages = sorted(set(support.AXE_CSP_REFUSALS))
        terminalreporter.write_line(
            f"axe-core's own <style>, refused by our CSP while it scanned (the tool's, not "
            f"the page's): {len(support.AXE_CSP_REFUSALS)} times on {', '.join(pages)}"
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is missing: `apt-get install -y chromium` (make e2e does it)"
        )
    # Our browser, never a downloaded one; the network flags keep Chromium from calling
    # home, which this machine's closed network would refuse.
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright():
    """Playwright's sync API keeps an asyncio loop running in this thread, which makes Django
    refuse ORM calls from the test body ("cannot call this from an async context"). The test
    code is synchronous all the same, so the check is lifted for the browser tests only."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session", autouse=True)
def migrated_rows(django_db_setup, django_db_blocker) -> str:
    """The rows the migrations made, as serialized when the test database was created.

    Read before Playwright starts: once its event loop runs, asgiref hands this thread a
    context-local database connection, which lacks the serialized copy, so Django's own
    serialized rollback silently restores nothing from the second browser test on."""
    with django_db_blocker.unblock():
        return connection._test_serialized_contents


@pytest.fixture(autouse=True)
def e2e_settings(settings, django_db_serialized_rollback, migrated_rows):
    """Migrated rows back after the previous test's flush; rate limits in a per-test cache
    (the database cache outlives transactional flushes)."""
    if not hasattr(connection, "_test_serialized_contents"):
        # Django could not restore them on this connection (see migrated_rows), and its
        # flush re-ran post_migrate instead: empty the tables again and restore them here.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(migrated_rows)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site(live_server):
    """The live server's origin, e.g. ``http://localhost:40123``."""
    return live_server.url.rstrip("/")


@pytest.fixture
def guarded(site):
    """Attach to a page to record every request it makes; the test fails on any request
    that leaves the site's own origin."""
    guards = []

    def attach(page):
        guard = support.NetworkGuard(page, site)
        guards.append(guard)
        return guard

    yield attach
    for guard in guards:
        guard.assert_same_origin()


@pytest.fixture
def web(page, site, guarded):
    """The default page, with the network guard attached and short, useful timeouts."""
    page.set_default_timeout(10_000)
    guarded(page)
    return page


@pytest.fixture
def corpus(transactional_db):
    return support.make_corpus()
