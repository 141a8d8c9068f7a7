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
