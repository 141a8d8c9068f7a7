"""Sign-in limits count per client and per account, behind the TLS proxy production requires.

Behind a proxy every request arrives from the proxy's address; the client's is the entry
the proxy appends to X-Forwarded-For, trusted through DJANGO_TRUSTED_PROXY_COUNT proxies.
"""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from newsapp.settings import env_count
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"  # the TLS terminator: REMOTE_ADDR of every request
LIMITED = "Too many attempts to sign in"


def sign_in(client, email, password, *, forwarded_for=None):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_a_strangers_failed_sign_ins_do_not_lock_out_a_reader_behind_the_proxy(
    client, behind_one_proxy
):
    reader = UserFactory(email="reader@example.org")
    for n in range(15):  # more than the 10 a minute one address may fail
        sign_in(client, f"nobody{n}@example.org", "wrong", forwarded_for="203.0.113.9")
    stranger = sign_in(client, "nobody@example.org", "wrong", forwarded_for="203.0.113.9")
    assert LIMITED in stranger.content.decode()  # the stranger is limited...

    response = sign_in(client, reader.email, PASSWORD, forwarded_for="198.51.100.7")
    assert response.status_code == 302 and signed_in(client)  # ...the reader is not


def test_only_the_entry_our_proxy_appended_counts(client, behind_one_proxy):
    """A client cannot dodge the limit by writing its own X-Forwarded-For entries."""
    for n in range(11):
        sign_in(client, f"nobody{n}@example.org", "x", forwarded_for=f"1.2.3.{n}, 203.0.113.9")
    response = sign_in(client, "someone@example.org", "x", forwarded_for="9.9.9.9, 203.0.113.9")
    assert LIMITED in response.content.decode()


def test_without_trusted_proxies_the_header_is_ignored(client):
    for n in range(11):
        sign_in(client, f"nobody{n}@example.org", "x", forwarded_for=f"198.51.100.{n}")
    response = sign_in(client, "someone@example.org", "x", forwarded_for="198.51.100.200")
    assert LIMITED in response.content.decode()  # all counted against REMOTE_ADDR


def test_a_short_forwarded_for_counts_against_the_sender_not_a_500(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    response = sign_in(client, "someone@example.org", "x", forwarded_for="203.0.113.9")
    assert response.status_code == 200  # the form's "wrong e-mail or password"


def test_one_account_cannot_be_guessed_at_from_many_addresses(client, behind_one_proxy):
    reader = UserFactory(email="reader@example.org")
    start = timezone.now()
    attempts = 0
    # Five wrong passwords every six minutes, each from a new address: under the
    # per-address limits and the five-minute one, but over the hour's 20 for the account.
    for batch in range(4):
        with time_machine.travel(start + timedelta(minutes=6 * batch), tick=False):
            for _ in range(5):
                attempts += 1
                sign_in(client, reader.email, "guess", forwarded_for=f"203.0.113.{attempts}")
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        response = sign_in(client, reader.email, PASSWORD, forwarded_for="198.51.100.50")
    assert not signed_in(client)
    assert LIMITED in response.content.decode()
    with time_machine.travel(start + timedelta(minutes=70), tick=False):
        response = sign_in(client, reader.email, PASSWORD, forwarded_for="198.51.100.50")
    assert signed_in(client)  # an hour later the reader gets in


# Runs in the child: settings read from the environment, a fresh database, a reader, and
# a stranger failing sign-ins through the same proxy.
CHILD = r"""
import json, django
django.setup()
from django.test.utils import override_settings
override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from accounts.models import User

reader = User.objects.create_user(email="reader@example.org", password="the right passphrase")
EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
client = Client()
proxy = {"REMOTE_ADDR": "10.0.0.2"}
for n in range(11):
    client.post("/accounts/login/", {"login": f"nobody{n}@example.org", "password": "x"},
                HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
response = client.post("/accounts/login/", {"login": reader.email,
                       "password": "the right passphrase"},
                       HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
print(json.dumps({"trusted": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
                  "status": response.status_code,
                  "signed_in": "_auth_user_id" in client.session}))
"""


def test_behind_a_trusted_proxy_from_the_environment_the_reader_is_not_locked_out(tmp_path):
    """End to end: DJANGO_TRUSTED_PROXY_COUNT=1 in the environment, a fresh database, a
    stranger's 11 failed sign-ins through the proxy, then the reader signs in."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_TRUSTED_PROXY_COUNT": "1",
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"trusted": 1, "status": 302, "signed_in": True}


@pytest.mark.parametrize(("value", "count"), [("", 0), ("0", 0), ("2", 2), (" 1 ", 1)])
def test_the_trusted_proxy_count_is_a_whole_number(monkeypatch, value, count):
    monkeypatch.setenv("DJANGO_TRUSTED_PROXY_COUNT", value)
    assert env_count("DJANGO_TRUSTED_PROXY_COUNT") == count


@pytest.mark.parametrize("value", ["one", "-1", "1.5"])
def test_a_malformed_trusted_proxy_count_stops_the_start_up(monkeypatch, value):
    monkeypatch.setenv("DJANGO_TRUSTED_PROXY_COUNT", value)
    with pytest.raises(ImproperlyConfigured, match="must be a whole number"):
        env_count("DJANGO_TRUSTED_PROXY_COUNT")
