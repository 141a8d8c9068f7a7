"""allauth's forms in the site's words (ACCOUNT_FORMS and MFA_FORMS in settings).

allauth labels its fields in Title Case ("Remember Me", "New Password (again)") and repeats
each label as a placeholder; these subclasses change only the words and drop the
placeholders, which vanish as soon as one types and are no label. The behaviour is
allauth's own.
"""

import logging

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django.contrib.auth.hashers import make_password

from accounts.auth_log import log_auth_event

EMAIL = "E-mail address"
PASSWORD_HELP = (
    "At least 12 characters. A few unrelated words make a password that is easy to "
    "remember and hard to guess."
)
CODE_HELP = "Six digits from your authenticator app, or one of your recovery codes."


class PlainWords:
    """Relabels the fields named in ``labels`` (and ``help_texts``) and removes every
    placeholder."""

    labels: dict[str, str] = {}
    help_texts: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in self.labels:
                field.label = self.labels[name]
            if name in self.help_texts:
                field.help_text = self.help_texts[name]
            field.widget.attrs.pop("placeholder", None)


class LoginForm(PlainWords, account_forms.LoginForm):
    """allauth's sign-in form. A submission refused before any password is checked (what was
    typed is not an e-mail address, or a field is empty) is logged as a failed sign-in too,
    so a scan of the security log sees every refusal; never with what was typed."""

    labels = {"login": EMAIL, "password": "Password", "remember": "Keep me signed in"}
    # The page links to "Forgot your password?" itself, beside the button.
    help_texts = {"password": "", "remember": "Only on a device nobody else uses."}

    def clean(self):
        if self._errors:
            log_auth_event(
                "auth.login_failed",
                request=self.request,
                level=logging.WARNING,
                outcome="refused_before_check",
            )
        return super().clean()


class SignupForm(PlainWords, account_forms.SignupForm):
    """allauth's sign-up form, taking as long for an address already registered as for a new
    one. allauth answers both alike (ACCOUNT_PREVENT_ENUMERATION), but only a new account
    cost a password hash, so the time taken (about 50 ms against 600 ms) told which it was."""

    labels = {"email": EMAIL, "password1": "Password", "password2": "Password again"}
    help_texts = {"password1": PASSWORD_HELP}

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))  # the work a new account does
        return super().try_save(request)


class AddEmailForm(PlainWords, account_forms.AddEmailForm):
    labels = {"email": "New e-mail address"}


class ChangePasswordForm(PlainWords, account_forms.ChangePasswordForm):
    labels = {
        "oldpassword": "Current password",
        "password1": "New password",
        "password2": "New password again",
    }
    help_texts = {"oldpassword": "", "password1": PASSWORD_HELP}


class SetPasswordForm(PlainWords, account_forms.SetPasswordForm):
    labels = {"password1": "Password", "password2": "Password again"}
    help_texts = {"password1": PASSWORD_HELP}


class ResetPasswordForm(PlainWords, account_forms.ResetPasswordForm):
    labels = {"email": EMAIL}


class ResetPasswordKeyForm(PlainWords, account_forms.ResetPasswordKeyForm):
    labels = {"password1": "New password", "password2": "New password again"}
    help_texts = {"password1": PASSWORD_HELP}


class ReauthenticateForm(PlainWords, account_forms.ReauthenticateForm):
    labels = {"password": "Your password"}
    help_texts = {"password": ""}


class AuthenticateForm(PlainWords, mfa_forms.AuthenticateForm):
    labels = {"code": "Code"}
    help_texts = {"code": CODE_HELP}


class MFAReauthenticateForm(PlainWords, mfa_forms.ReauthenticateForm):
    labels = {"code": "Code"}
    help_texts = {"code": CODE_HELP}


class ActivateTOTPForm(PlainWords, totp_forms.ActivateTOTPForm):
    labels = {"code": "Code from the app"}
    help_texts = {"code": "Six digits. A new one appears every 30 seconds; any current one works."}
