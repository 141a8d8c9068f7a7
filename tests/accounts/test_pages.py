"""The account pages and e-mails in the site's voice: the site's name, its canonical address,
both parts of every e-mail, one banner per action, and an account page that is a hub."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail

from tests.factories import PASSWORD, UserFactory, give_totp

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "voice@example.org", "password1": PASSWORD, "password2": PASSWORD}
TITLE_CASE = re.compile(r"Make Primary|Sign In|Sign Up|Sign Out|Email Addresses|Remember Me")


def _links(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)


def test_a_confirmation_email_names_the_site_and_links_to_its_canonical_address(client, settings):
    settings.SITE_URL = "https://news.example.org"
    # The request arrives on another host; the e-mail never repeats it.
    client.post("/accounts/signup/", SIGNUP, HTTP_HOST="localhost")
    [message] = mail.outbox
    assert message.subject == "Confirm your e-mail address to start reading Plainsight"
    assert "Plainsight" in message.body and "localhost" not in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html" and "localhost" not in html
    for part in (message.body, html):
        links = _links(part)
        assert links and all(link.startswith("https://news.example.org") for link in links)
        assert any("/accounts/confirm-email/" in link for link in links)
    # No tracking: nothing loaded from anywhere, no pixel, no script.
    assert "<img" not in html and "<script" not in html and "src=" not in html


def test_a_password_reset_email_has_both_parts_and_the_canonical_link(client, settings):
    settings.SITE_URL = "https://news.example.org"
    reader = UserFactory(email="forgot@example.org")
    client.post("/accounts/password/reset/", {"email": reader.email}, HTTP_HOST="localhost")
    [message] = mail.outbox
    assert message.subject == "Choose a new password for Plainsight"
    [(html, _)] = message.alternatives
    link = re.search(r"https://news\.example\.org(/accounts/password/reset/key/\S+)", message.body)
    assert link and link.group(0) in html
    # The link works on the site itself.
    response = client.get(link.group(1), follow=True)
    assert "Choose a new password" in response.content.decode()


def test_confirming_an_address_shows_one_banner(client):
    client.post("/accounts/signup/", SIGNUP)
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body)
    response = client.post(path.group(1), follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["Thank you: voice@example.org is confirmed."]


def test_signing_up_shows_the_check_your_email_page_and_no_banner(client):
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    page = response.content.decode()
    assert "Check your e-mail" in page and 'class="message ' not in page
    assert list(get_messages(response.wsgi_request)) == []


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
)
def test_the_entrance_pages_speak_in_sentence_case(client, path):
    page = client.get(path).content.decode()
    assert not TITLE_CASE.search(page), TITLE_CASE.search(page)
    assert "placeholder=" not in page  # labels, not placeholders that vanish


def test_the_manage_pages_speak_in_sentence_case(client):
    client.force_login(UserFactory())
    for path in ("/accounts/", "/accounts/email/", "/accounts/password/change/", "/accounts/2fa/"):
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert not TITLE_CASE.search(page), (path, TITLE_CASE.search(page))
        assert 'aria-label="Your account"' in page, path  # the account's own navigation


def test_the_account_page_is_a_hub(client, django_assert_max_num_queries):
    reader = UserFactory(email="hub@example.org")
    client.force_login(reader)
    with django_assert_max_num_queries(12):
        response = client.get("/accounts/")
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    for expected in (
        "hub@example.org",
        "Confirmed",
        'href="/accounts/email/"',
        'href="/accounts/password/change/"',
        'href="/accounts/2fa/totp/activate/"',
        'href="/privacy/"',
        'href="/privacy/delete/"',
    ):
        assert expected in page, expected
    give_totp(reader)
    page = client.get("/accounts/").content.decode()
    assert 'href="/accounts/2fa/"' in page and "Manage two-factor authentication" in page


def test_the_account_page_needs_sign_in(client):
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_two_factor_waits_for_unconfirmed_addresses_and_says_why(client):
    from allauth.account.models import EmailAddress

    reader = UserFactory()
    EmailAddress.objects.create(user=reader, email="waiting@example.org", verified=False)
    client.force_login(reader)
    page = client.get("/accounts/2fa/").content.decode()
    assert "First confirm or remove the address still waiting" in page
    assert 'href="/accounts/2fa/totp/activate/"' not in page
