"""A database outage answers 503 with the site's own page, never a 500 or a traceback.

No mock of the ORM: a separate Python process runs the production settings against a
PostgreSQL address where nothing listens (a port we bound and released), so every
connection attempt really fails the way it does while PostgreSQL is stopped. The full
outage (stop the real server under load, start it again, recover without a restart) is
``make outage`` (scripts/load/outage.py).
"""

import base64
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child process: production settings, a database that is not there.
CHILD = r"""
import json, django
django.setup()
from django.test import Client

client = Client(raise_request_exception=False, HTTP_X_FORWARDED_PROTO="https")
signed_in = Client(raise_request_exception=False, HTTP_X_FORWARDED_PROTO="https")
signed_in.cookies["__Host-sessionid"] = "a" * 32
results = {}
for name, who, method, path in [
    ("top", client, "get", "/top/"),
    ("home", client, "get", "/"),
    ("article", client, "get", "/articles/some-story/"),
    ("healthz", client, "get", "/healthz"),
    ("dashboard", signed_in, "get", "/privacy/"),
    ("feed_signed_in", signed_in, "get", "/"),
    ("consent", signed_in, "post", "/privacy/consents/"),
]:
    data = {"purpose": "analytics", "granted": "1"} if method == "post" else None
    response = getattr(who, method)(path, data)
    results[name] = {
        "status": response.status_code,
        "body": response.content.decode(),
        "headers": dict(response.headers),
    }
print(json.dumps(results))
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture(scope="module")
def outage_responses() -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsapp.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": base64.urlsafe_b64encode(os.urandom(40)).decode(),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_PSEUDONYM_KEY": _key(),
        "DJANGO_FIELD_ENCRYPTION_KEYS": _key(),
        "DJANGO_LEDGER_SIGNING_KEY": _key(),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_closed_port()}/unreachable",
        "DJANGO_CONN_MAX_AGE": "60",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "name", ["top", "home", "article", "dashboard", "feed_signed_in", "consent"]
)
def test_pages_answer_the_styled_503(outage_responses, name):
    response = outage_responses[name]
    assert response["status"] == 503
    body = response["body"]
    assert "Back in a moment" in body
    assert "/static/css/site.css" in body  # the site's own style, not a bare error
    assert "Traceback" not in body
    assert "OperationalError" not in body
    assert "127.0.0.1" not in body  # nothing about the database leaks into the page
    assert response["headers"]["Retry-After"] == "30"
    assert response["headers"]["Cache-Control"] == "no-store"


def test_the_503_keeps_the_security_headers(outage_responses):
    headers = outage_responses["dashboard"]["headers"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" in headers


def test_healthz_answers_503_while_the_database_is_down(outage_responses):
    response = outage_responses["healthz"]
    assert response["status"] == 503
    assert json.loads(response["body"]) == {"status": "unavailable", "database": "down"}


def test_the_503_page_renders_without_a_request_or_database():
    """The template uses no context processor and no tag that could reach the database."""
    from django.template import loader

    html = loader.render_to_string("503.html")
    assert "Back in a moment" in html


def test_other_errors_still_get_the_500_page():
    from newsapp.core.outage import server_error

    try:
        raise ValueError("not a database problem")
    except ValueError:
        response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
