"""`manage.py migrate` alone prepares a working site; a missing table is a 500, not an outage."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Runs in the child: a database made by `migrate` and nothing else, then a sign-up.
CHILD = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
client = Client(raise_request_exception=False)
page = client.get("/accounts/signup/")
done = client.post("/accounts/signup/", {
    "email": "new.reader@example.org",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
})
print(json.dumps({"page": page.status_code, "signup": done.status_code}))
"""


def test_a_database_made_by_migrate_alone_lets_readers_sign_up(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"page": 200, "signup": 302}


@pytest.mark.django_db
def test_a_missing_cache_table_is_a_logged_500_not_the_outage_page(client, caplog):
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("DROP TABLE newsapp_cache")
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(
            "/accounts/signup/",
            {"email": "x@example.org", "password1": "p" * 14, "password2": "p" * 14},
        )
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Back in a moment" not in response.content.decode()
    assert any(record.exc_info for record in caplog.records if record.name == "django.request")
