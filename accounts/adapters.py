from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from consent import crypto

# allauth hands the MFA adapter only the text (no row), so its secrets are bound to their
# purpose, not to their owner: a secret moved to another column of ours fails to decrypt.
MFA_SECRET_AAD = b"mfa.authenticator.data"


# Links allauth builds into its e-mails from the request; ours point at DJANGO_SITE_URL.
EMAIL_LINKS = ("activate_url", "password_reset_url", "signup_url")


def canonical_url(url: str) -> str:
    """``url`` with the site's canonical origin instead of the request's host."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{settings.SITE_URL}{parts.path}{query}"


class AccountAdapter(DefaultAccountAdapter):
    """Sends a new reader to topic onboarding once, and everyone else to their feed; its
    e-mails name the site and link to its canonical address."""

    # allauth's refusals in the site's words: what happened, and what to do.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "This account is switched off.",
        "duplicate_email": "That address is already on your account.",
        "email_password_mismatch": "That e-mail address and password do not match an "
        "account. Check both, or reset your password.",
        "enter_current_password": "Type your current password.",
        "incorrect_code": "That code is not right. Type the one your app shows now.",
        "incorrect_password": "That is not your password. Try again.",
        "too_many_login_attempts": "Too many attempts to sign in. Wait a few minutes, or "
        "reset your password.",
        "rate_limited": "Too many tries in a short time. Wait a minute and try again.",
    }

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("newsapp:topics") + "?welcome=1"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {**context, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL}
        for key in EMAIL_LINKS:
            if context.get(key):
                context[key] = canonical_url(context[key])
        super().send_mail(template_prefix, email, context)

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        # After sign-up the "check your e-mail" page is the answer; one banner saying the
        # same above it would be two.
        signing_up = getattr(request.resolver_match, "url_name", None) == "account_signup"
        if signing_up and message_template == "account/messages/email_confirmation_sent.txt":
            return
        super().add_message(request, level, message_template, *args, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    """Stores TOTP secrets and recovery-code seeds AES-GCM encrypted under our field keys.

    allauth keeps them as given unless ``encrypt``/``decrypt`` are overridden; with these,
    a copy of the database alone no longer lets anyone mint a staff member's codes.
    """

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code is not right. Type the one your app shows now, or an "
        "unused recovery code.",
        "unverified_email": "First confirm or remove every e-mail address still waiting on "
        "your account: otherwise whoever added one could lock you out.",
    }

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, aad=MFA_SECRET_AAD)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, aad=MFA_SECRET_AAD)
