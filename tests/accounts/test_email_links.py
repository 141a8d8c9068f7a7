"""Links in e-mails are built on the configured site address, never on the request's host.

The sender of a request chooses its Host header: Django checks the name against
ALLOWED_HOSTS but not the port, so a reset link could have pointed at any port.
"""

import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://news.example.org"
FOREIGN_HOST = "testserver:6666"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def links(message) -> list[str]:
    return re.findall(r"https?://[^\s]+", message.body)


def test_a_password_reset_link_uses_the_site_address(client):
    user = UserFactory(email="reader@example.org")
    client.post("/accounts/password/reset/", {"email": user.email}, HTTP_HOST=FOREIGN_HOST)
    (message,) = mail.outbox
    found = links(message)
    assert any(link.startswith(SITE + "/accounts/password/reset/key/") for link in found)
    assert all(link.startswith(SITE + "/") for link in found)  # the site's own, nothing else
    assert "6666" not in message.body and "news.example.org" in message.body


def test_a_confirmation_link_uses_the_site_address(client):
    client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": "p" * 14, "password2": "p" * 14},
        HTTP_HOST=FOREIGN_HOST,
    )
    (message,) = mail.outbox
    found = links(message)
    assert any(link.startswith(SITE + "/accounts/confirm-email/") for link in found)
    assert all(link.startswith(SITE + "/") for link in found)
    assert "6666" not in message.body


def test_mails_for_unknown_and_existing_accounts_use_the_site_address(client):
    UserFactory(email="taken@example.org")
    client.post(
        "/accounts/password/reset/", {"email": "nobody@example.org"}, HTTP_HOST=FOREIGN_HOST
    )
    client.post(
        "/accounts/signup/",
        {"email": "taken@example.org", "password1": "p" * 14, "password2": "p" * 14},
        HTTP_HOST=FOREIGN_HOST,
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert links(message) and all(link.startswith(SITE + "/") for link in links(message))
        assert "6666" not in message.body
