from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Sends a new reader to topic onboarding once, and everyone else to their feed."""

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return reverse("newsapp:topics") + "?welcome=1"
