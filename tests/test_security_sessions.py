"""Idle and absolute session expiry, and a new session key at sign-in."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_in(client, user) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_sign_in_issues_a_new_session_key(client):
    user = UserFactory()
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    sign_in(client, user)
    assert client.session.session_key != before and signed_in(client)


def test_idle_session_ends_after_two_hours_without_a_request(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, user)
        clock.shift(timedelta(hours=1, minutes=59))
        client.get("/privacy/")
        assert signed_in(client)
        clock.shift(timedelta(hours=2, minutes=1))
        response = client.get("/privacy/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_active_session_ends_twelve_hours_after_sign_in(client):
    user = UserFactory()
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, user)
        for _ in range(11):
            clock.shift(timedelta(hours=1))
            assert client.get("/privacy/").status_code == 200  # active: idle never hits
        clock.shift(timedelta(minutes=59))
        assert client.get("/privacy/").status_code == 200
        clock.shift(timedelta(minutes=2))
        response = client.get("/privacy/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not signed_in(client)


def test_no_cookie_carries_the_readers_address_or_a_message(client, settings):
    """Messages (a sign-in message once named the address) stay on the server, in the
    session: no response sets a messages cookie."""
    user = UserFactory(email="private.reader@example.org")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    # Only the random session id and CSRF token: no messages cookie, nothing personal.
    assert set(response.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    assert all("private.reader" not in morsel.value for morsel in response.cookies.values())
    saved = client.post("/topics/", {"keywords": "harbour"})
    assert saved.status_code == 302
    assert set(saved.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    page = client.get(saved["Location"])
    assert "Saved" in page.content.decode()  # the message arrived, through the session


def test_a_session_the_database_holds_as_expired_is_not_read(client):
    """The store reads only an unexpired row: expiry in the database ends the session even
    while the browser still sends its cookie (another worker, a clock, a cleanup)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    sign_in(client, UserFactory())
    assert client.get("/privacy/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/privacy/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not signed_in(client)
