import logging

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password

from accounts.auth_log import log_auth_event


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form. A submission refused before any password is checked (what was
    typed is not an e-mail address, or a field is empty) is logged as a failed sign-in too,
    so a scan of the security log sees every refusal; never with what was typed."""

    def clean(self):
        if self._errors:
            log_auth_event(
                "auth.login_failed",
                request=self.request,
                level=logging.WARNING,
                outcome="refused_before_check",
            )
        return super().clean()


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, taking as long for an address already registered as for a new
    one. allauth answers both alike (ACCOUNT_PREVENT_ENUMERATION), but only a new account
    cost a password hash, so the time taken (about 50 ms against 600 ms) told which it was."""

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))  # the work a new account does
        return super().try_save(request)
