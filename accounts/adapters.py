from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest
from django.urls import reverse

from consent import crypto

# allauth hands the MFA adapter only the text (no row), so its secrets are bound to their
# purpose, not to their owner: a secret moved to another column of ours fails to decrypt.
MFA_SECRET_AAD = b"mfa.authenticator.data"


class AccountAdapter(DefaultAccountAdapter):
    """Sends a new reader to topic onboarding once, and everyone else to their feed."""

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("newsapp:topics") + "?welcome=1"


class MFAAdapter(DefaultMFAAdapter):
    """Stores TOTP secrets and recovery-code seeds AES-GCM encrypted under our field keys.

    allauth keeps them as given unless ``encrypt``/``decrypt`` are overridden; with these,
    a copy of the database alone no longer lets anyone mint a staff member's codes.
    """

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, aad=MFA_SECRET_AAD)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text, aad=MFA_SECRET_AAD)
