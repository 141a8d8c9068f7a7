from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from consent import crypto

# allauth hands the MFA adapter only the text (no row), so its secrets are bound to their
# purpose, not to their owner: a secret moved to another column of ours fails to decrypt.
MFA_SECRET_AAD = b"mfa.authenticator.data"


def canonical_url(path: str) -> str:
    """``path`` on the site's configured address (settings.SITE_URL, DJANGO_SITE_URL).

    allauth builds e-mailed links from the request, whose Host header (and port) the
    sender chooses: a reset link could point at another port or a look-alike host.
    """
    return settings.SITE_URL + path


@dataclass(frozen=True)
class CanonicalSite:
    """What allauth's e-mail templates read as ``current_site``."""

    domain: str
    name: str = "Plainsight"


class AccountAdapter(DefaultAccountAdapter):
    """Sends a new reader to topic onboarding once, and everyone else to their feed; builds
    every link it e-mails on the configured site address."""

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

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address for rate limits: X-Forwarded-For through the trusted proxies
        (settings.ALLAUTH_TRUSTED_PROXY_COUNT), else the address that connected."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            # Fewer X-Forwarded-For entries than trusted proxies: the request did not come
            # through them all, so it counts against whoever sent it, not a 500.
            address = request.META.get("REMOTE_ADDR")
            if not address:
                raise PermissionDenied("Unable to determine the client's address.") from None
            return address

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return canonical_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return canonical_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = dict(context)
        # The two pages allauth links from the request in the mails that name them.
        if "signup_url" in context:
            context["signup_url"] = canonical_url(reverse("account_signup"))
        if template_prefix == "account/email/account_already_exists":
            context["password_reset_url"] = canonical_url(reverse("account_reset_password"))
        context["current_site"] = CanonicalSite(domain=urlsplit(settings.SITE_URL).netloc)
        context.update(site_name=settings.SITE_NAME, site_url=settings.SITE_URL)
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
