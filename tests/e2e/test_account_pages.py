"""Every account page (allauth's, in the site's words), in both schemes and at both widths,
walked as a reader would: sign up, confirm, the account page, e-mail, password, two-factor,
recovery codes, a forgotten password, sign out."""

import re

from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.schemes import look
from tests.e2e.support import confirmation_path, sign_in
from tests.factories import PASSWORD, UserFactory, totp_code

EMAIL = "new.reader@example.org"
NEW_PASSWORD = "quiet-harbour-lantern-42"
TITLE_CASE = re.compile(r"\b(Make Primary|Sign In|Sign Up|Sign Out|Email Addresses|Remember Me)\b")


def _plain(page) -> None:
    """No allauth wording left: no Title Case headings or buttons, no "Make Primary"."""
    text = page.locator("main").inner_text()
    assert not TITLE_CASE.search(text), TITLE_CASE.search(text)
    for heading in page.locator("main h1, main h2").all_inner_texts():
        words = heading.split()
        capitalised = [w for w in words[1:] if w[:1].isupper() and w not in ("I", "Plainsight")]
        assert not capitalised, heading


def test_signing_up_and_confirming_reads_plainly(web, site, transactional_db):
    page = web
    page.goto(site + "/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    _plain(page)
    look(page, "account-signup", "sign up")

    # A mistake is answered next to the field, in words.
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field-errors").first).to_be_visible()
    look(page, "account-signup-errors", "sign up (errors)")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    expect(page.locator(".message")).to_have_count(0)  # the page is the answer
    look(page, "account-verification-sent", "verification sent")

    # The e-mail names the site, links to its canonical address, has both parts.
    [message] = [m for m in mail.outbox if EMAIL in m.to]
    assert "Plainsight" in message.subject and "[" not in message.subject
    assert "http://127.0.0.1:8000/accounts/confirm-email/" in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html" and "Confirm my address" in html and "<img" not in html

    page.goto(site + confirmation_path(EMAIL))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    _plain(page)
    look(page, "account-email-confirm", "confirm e-mail")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page).to_have_url(re.compile(r"/topics/\?welcome=1$"))
    expect(page.locator(".message")).to_have_count(1)  # confirmed, and signed in: one banner

    page.goto(site + "/accounts/confirm-email/no-such-key/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    look(page, "account-email-confirm-expired", "confirm e-mail (expired)")


def test_the_account_pages_read_plainly(web, site, transactional_db):
    page = web
    reader = UserFactory(email="hub@example.org")
    sign_in(page, site, reader.email)

    page.goto(site + "/accounts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    hub = page.locator("main")
    for part in ("E-mail", "Password", "Two-factor authentication", "Your data"):
        expect(hub.get_by_role("heading", name=part, exact=True)).to_be_visible()
    _plain(page)
    look(page, "account-home", "account page")

    # E-mail addresses: add one, see it unconfirmed, no "Make Primary".
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="E-mail addresses"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail addresses")
    _plain(page)
    look(page, "account-email", "e-mail addresses")
    page.get_by_label("New e-mail address").fill("second@example.org")
    page.get_by_role("button", name="Add address").click()
    # Changing how one signs in asks for the password again first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    _plain(page)
    look(page, "account-reauthenticate", "reauthenticate")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".address-list")).to_contain_text("second@example.org")
    expect(page.locator(".address-list")).to_contain_text("Not confirmed yet")
    look(page, "account-email-two", "e-mail addresses (two)")

    # Password.
    page.goto(site + "/accounts/password/change/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    _plain(page)
    look(page, "account-password-change", "password change")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".message")).to_have_count(1)
    expect(page.locator(".message")).to_have_text("Your password is changed.")

    # Two-factor: off, and waiting for the unconfirmed address to be confirmed or removed.
    page.goto(site + "/accounts/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    expect(page.locator("main .message")).to_contain_text("First confirm or remove")
    _plain(page)
    look(page, "account-mfa-off", "two-factor (off)")
    page.goto(site + "/accounts/email/")
    page.get_by_role("button", name="Remove second@example.org").click()
    expect(page.get_by_role("status")).to_contain_text("second@example.org is no longer")
    expect(page.locator(".address")).to_have_count(1)

    # Set up, recovery codes shown once, turn off.
    page.goto(site + "/accounts/2fa/")
    page.get_by_role("link", name="Set up an authenticator app").click()
    if "reauthenticate" in page.url:
        page.get_by_label("Your password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    _plain(page)
    look(page, "account-totp-activate", "TOTP set-up")
    secret = page.locator(".secret-code").text_content().strip()
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    _plain(page)
    look(page, "account-recovery-codes", "recovery codes")
    page.goto(site + "/accounts/2fa/")
    look(page, "account-mfa-on", "two-factor (on)")
    page.get_by_role("link", name="Make new codes…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make new recovery codes?")
    look(page, "account-recovery-generate", "recovery codes (generate)")
    page.goto(site + "/accounts/2fa/totp/deactivate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Turn off the authenticator app?")
    look(page, "account-totp-deactivate", "TOTP turn off")

    page.goto(site + "/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    _plain(page)
    look(page, "account-logout", "sign out")
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")

    # Signing in with the second factor.
    page.goto(site + "/accounts/login/")
    page.get_by_label("E-mail address").fill(reader.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    _plain(page)
    look(page, "account-mfa-authenticate", "two-factor at sign-in")


def test_signing_in_and_a_forgotten_password_read_plainly(web, site, transactional_db):
    page = web
    reader = UserFactory(email="forgetful@example.org")
    page.goto(site + "/privacy/notice/")
    look(page, "privacy-notice-anonymous", "privacy notice (anonymous)")
    page.goto(site + "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    _plain(page)
    look(page, "account-login", "sign in")
    page.get_by_label("E-mail address").fill(reader.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    look(page, "account-login-refused", "sign in (refused)")

    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    _plain(page)
    look(page, "account-password-reset", "password reset")
    page.get_by_label("E-mail address").fill(reader.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    look(page, "account-password-reset-done", "password reset sent")

    [message] = [m for m in mail.outbox if reader.email in m.to]
    assert message.subject == "Choose a new password for Plainsight"
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/password/reset/key/\S+)", message.body)
    assert link, message.body
    page.goto(site + link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    _plain(page)
    look(page, "account-password-reset-key", "choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")
    look(page, "account-password-reset-key-done", "password changed by link")

    page.goto(site + "/accounts/password/reset/key/1-expired-link/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    look(page, "account-password-reset-key-expired", "password link expired")

    User.objects.filter(pk=reader.pk).update(is_active=False)
    sign_in(page, site, reader.email, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("This account is switched off")
    look(page, "account-inactive", "account switched off")
