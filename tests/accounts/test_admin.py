"""Accounts in the admin: addresses masked in lists, every full view of one reader recorded,
authenticators shown but never made, edited or revealed."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from consent.models import AccessRecord
from consent.pseudonyms import pseudonym_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_the_user_list_masks_addresses_and_search_still_finds_a_reader(client, administrator):
    reader = UserFactory(email="margaret.h@example.com")
    listing = client.get("/admin/accounts/user/").content.decode()
    assert "m…@example.com" in listing
    assert "margaret.h@example.com" not in listing
    found = client.get("/admin/accounts/user/", {"q": "margaret.h@example.com"}).content.decode()
    assert f"/admin/accounts/user/{reader.pk}/change/" in found
    assert not AccessRecord.objects.exists()  # a masked list reveals no one


def test_opening_a_readers_email_address_is_in_their_access_log(client, administrator):
    reader = UserFactory(email="margaret.h@example.com")
    address = EmailAddress.objects.get(user=reader)
    listing = client.get("/admin/account/emailaddress/").content.decode()
    assert "m…@example.com" in listing and "margaret.h@example.com" not in listing

    page = client.get(f"/admin/account/emailaddress/{address.pk}/change/")
    assert page.status_code == 200 and "margaret.h@example.com" in page.content.decode()
    record = AccessRecord.objects.get()
    assert record.subject_pseudonym == pseudonym_for(reader.pk)
    assert record.what == "e-mail address (admin change page)"


def test_authenticators_are_shown_without_their_secret_and_never_made_here(client, administrator):
    editor = UserFactory(email="ed@example.org", is_staff=True)
    authenticator = Authenticator.objects.get(user=editor)
    secret = authenticator.data["secret"]

    assert client.get("/admin/mfa/authenticator/add/").status_code == 403
    listing = client.get("/admin/mfa/authenticator/").content.decode()
    assert "e…@example.org" in listing and "ed@example.org" not in listing
    page = client.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/").content.decode()
    assert "e…@example.org" in page
    assert secret not in page and 'name="data"' not in page and 'name="_save"' not in page
    assert AccessRecord.objects.get().what == "two-factor authenticator (admin change page)"

    # Resetting a lost device: the administrator deletes it; the editor sets up a new one.
    response = client.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=editor).exists()
