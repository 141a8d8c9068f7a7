import logging

from allauth.account.forms import LoginForm as AllauthLoginForm

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
