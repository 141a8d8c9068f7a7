import base64
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from newsapp.models import Article, Topic

pytestmark = pytest.mark.django_db


def test_load_demo_is_complete_and_idempotent(capsys, settings):
    settings.DEBUG = True  # demo accounts exist only in debug mode
    call_command("load_demo")
    first = Article.objects.count()
    call_command("load_demo", "--if-empty")
    call_command("load_demo")
    output = capsys.readouterr().out
    assert Article.objects.count() == first >= 150
    assert Topic.objects.count() >= 10
    assert "reader@example.com" in output and "password:" in output
    assert User.objects.filter(email="editor@example.com", groups__name="Editors").exists()

    untagged = Article.objects.filter(topics=None).count()
    assert 0.05 * first <= untagged <= 0.15 * first
    oldest = Article.objects.order_by("published_at").first().published_at
    assert timezone.now() - oldest <= timedelta(days=31)
    for article in Article.objects.only("body"):
        assert 80 <= len(article.plain_text.split()) <= 250
    assert Article.objects.values("source").distinct().count() >= 4


def test_load_demo_creates_no_accounts_with_debug_off(capsys):
    call_command("load_demo")
    assert "no demo accounts created" in capsys.readouterr().out
    assert not User.objects.exists()


def test_demo_reader_feed_differs_from_top_stories(client, settings):
    settings.DEBUG = True
    call_command("load_demo")
    client.login(email="reader@example.com", password="demo-reader-pass")
    feed = client.get("/").content.decode()
    top = client.get("/top/").content.decode()
    assert feed.count('class="card"') == top.count('class="card"') == 20
    assert feed != top


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="newsapp.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_healthz_is_503_when_the_database_is_unreachable():
    """A real unreachable server (nothing listens on port 1), not a mocked connection."""
    env = dict(os.environ, DATABASE_URL="postgres://nobody@127.0.0.1:1/none", DJANGO_DEBUG="1")
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.json()['database'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "503 down", result.stderr


def _production_env(**extra) -> dict:
    def key() -> str:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SETTINGS_MODULE="newsapp.settings",
        DJANGO_SECRET_KEY=key() + key(),
        DJANGO_ALLOWED_HOSTS="news.example.org",
        DJANGO_PSEUDONYM_KEY=key(),
        DJANGO_FIELD_ENCRYPTION_KEYS=key(),
        DJANGO_LEDGER_SIGNING_KEY=key(),
    )
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("x", "DJANGO_PSEUDONYM_KEY is not urlsafe base64"),
        (base64.urlsafe_b64encode(b"sixteen byte key").decode(), "decodes to 16 bytes"),
    ],
)
def test_production_refuses_to_start_with_a_short_pseudonym_key(key, message):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=_production_env(DJANGO_PSEUDONYM_KEY=key),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert len(key) == 1 or key not in result.stderr  # the key itself is never echoed


def test_production_starts_with_its_keys_and_queues_tasks_for_the_worker():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.TASKS['default']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr[-2000:]


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("", "https://news.example.org"),  # the first allowed host, over https
        ("https://www.example.org/", "https://www.example.org"),
        ("http://news.example.org", "must be an https address"),
        ("https://news.example.org/news", "no path"),
    ],
)
def test_production_site_address_for_e_mailed_links(site_url, expected):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SITE_URL)",
        ],
        env=_production_env(DJANGO_SITE_URL=site_url),
        capture_output=True,
        text=True,
        check=False,
    )
    assert expected in (result.stdout if expected.startswith("https") else result.stderr)
