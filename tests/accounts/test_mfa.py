"""Staff need TOTP before the admin; the admin login is allauth's, with its MFA step and
rate limits; allauth's MFA secrets are stored encrypted under our field keys."""

import base64
import json
import os
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.db import connection

from consent import crypto
from tests.factories import PASSWORD, UserFactory, give_totp, totp_code

pytestmark = pytest.mark.django_db


def raw_data(authenticator_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator_id])
        value = cursor.fetchone()[0]
    return value if isinstance(value, str) else json.dumps(value)


@pytest.mark.parametrize("url", ["/admin/", "/admin/newsapp/article/", "/admin/accounts/user/"])
def test_staff_without_totp_are_sent_to_set_it_up(client, url):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, totp=False))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/totp/activate/"
    # Turning MFA on is a sensitive change: allauth asks for the password first.
    response = client.get(response["Location"])
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_readers_are_not_asked_for_totp_and_cannot_use_the_admin(client):
    client.force_login(UserFactory())
    assert client.get("/privacy/").status_code == 200
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert "/2fa/" not in response.get("Location", "")


def test_staff_sign_in_to_the_admin_through_allauth_with_a_totp_code(client):
    staff = UserFactory(is_staff=True, is_superuser=True, totp=False)
    secret = give_totp(staff)

    response = client.get("/admin/newsapp/article/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    response = client.post(response["Location"], {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # the password alone signs nobody in

    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/")
    assert client.get("/admin/newsapp/article/").status_code == 200


def test_staff_activate_totp_from_the_setup_page_then_reach_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True, totp=False)
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"
    reauthenticate = client.get("/accounts/2fa/totp/activate/")["Location"]
    response = client.post(reauthenticate, {"password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert "Set up an authenticator app" in page.content.decode()
    assert 'class="site-header"' in page.content.decode()
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/newsapp/article/").status_code == 200
    stored = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    assert secret not in raw_data(stored.pk)


@pytest.mark.shared_cache
def test_admin_login_is_rate_limited_like_every_login(client):
    staff = UserFactory(is_staff=True)
    login_url = client.get("/admin/login/")["Location"]
    assert login_url.startswith("/accounts/login/?next=")
    for _ in range(5):
        response = client.post(login_url, {"login": staff.email, "password": "wrong guess"})
        assert response.status_code == 200
    response = client.post(login_url, {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 200  # the right password is refused after 5 failures
    assert "_auth_user_id" not in client.session
    statuses = [
        client.post(login_url, {"login": "x@example.com", "password": "y"}).status_code
        for _ in range(30)
    ]
    assert statuses[-1] == 429  # 30 attempts a minute per address, whoever they name
    page = client.post(login_url, {"login": staff.email, "password": PASSWORD})
    assert page.status_code == 429
    assert "Too many attempts" in page.content.decode()
    assert 'class="site-header"' in page.content.decode()  # the site's own page


def test_totp_secret_and_recovery_seed_are_stored_encrypted(client):
    staff = UserFactory(is_staff=True, totp=False)
    secret = give_totp(staff)
    totp = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    stored = raw_data(totp.pk)
    assert secret not in stored and "enc1:" in stored
    assert Authenticator.objects.get(pk=totp.pk).wrap().validate_code(totp_code(secret))


def test_rotation_re_encrypts_mfa_secrets(client, settings):
    staff = UserFactory(is_staff=True, totp=False)
    secret = give_totp(staff)
    old = crypto.current_key_id()
    newest = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings.FIELD_ENCRYPTION_KEYS = [newest, *settings.FIELD_ENCRYPTION_KEYS]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=StringIO())
    assert "mfa.Authenticator.data: 1 re-encrypted" in out.getvalue()
    stored = raw_data(Authenticator.objects.get(user=staff).pk)
    assert old not in stored and crypto.current_key_id() in stored
    settings.FIELD_ENCRYPTION_KEYS = [newest]
    totp = Authenticator.objects.get(user=staff, type=Authenticator.Type.TOTP)
    assert totp.wrap().validate_code(totp_code(secret))
