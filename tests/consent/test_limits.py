"""Limits on privacy requests hold under concurrency, and the erasure's password is limited
like sign-in's."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from consent.models import DataRequest
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_guessing_the_erasure_password_is_limited_like_sign_in(client):
    reader = UserFactory()
    client.force_login(reader)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            wrong = client.post("/privacy/delete/", {"password": "a guess"})
            assert (
                wrong.status_code == 200 and "That is not your password" in wrong.content.decode()
            )
        refused = client.post("/privacy/delete/", {"password": PASSWORD})
    assert refused.status_code == 429 and "Please try again in" in refused.content.decode()
    assert type(reader).objects.filter(pk=reader.pk).exists()  # the right one came too late
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        client.force_login(reader)
        erased = client.post("/privacy/delete/", {"password": PASSWORD})
    assert erased.status_code == 302 and not type(reader).objects.filter(pk=reader.pk).exists()


def test_the_erasure_password_limit_is_per_reader(client):
    guesser, other = UserFactory(), UserFactory()
    client.force_login(guesser)
    for _ in range(6):
        client.post("/privacy/delete/", {"password": "a guess"})
    client.force_login(other)
    assert client.post("/privacy/delete/", {"password": PASSWORD}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_concurrent_exports_cannot_beat_the_hourly_limit(settings):
    """30 exports at once, limit 10: exactly 10 are served (PostgreSQL, real threads)."""
    if connection.vendor == "sqlite":
        # SQLite serialises writers itself: every transaction takes the write lock at BEGIN.
        # (The in-memory test database cannot host concurrent writers; PostgreSQL runs the
        # threads below in CI.)
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    settings.PRIVACY_REQUESTS_PER_HOUR = 10
    reader = UserFactory()
    statuses: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(30)

    def export() -> None:
        try:
            client = Client()
            client.force_login(reader)
            start.wait()
            statuses.append(client.post("/privacy/export.json").status_code)
        except BaseException as error:  # reported below, with the thread's own message
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=export) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(statuses) == [200] * 10 + [429] * 20
    assert DataRequest.objects.filter(kind="export").count() == 10
