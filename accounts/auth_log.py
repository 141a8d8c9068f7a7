"""Authentication events in the security log: sign-in, failed sign-in, sign-out, sign-up and
account security changes, each with the reader's pseudonym, never the e-mail address or what
was typed. The JSON lines themselves are written by ``newsapp.core.logs``."""

import logging
from collections.abc import Callable

from consent.pseudonyms import pseudonym_for

# The logger keeps its name: operators' alerts and log queries select on it.
security_log = logging.getLogger("newsapp.security")


def _subject(user) -> str | None:
    return pseudonym_for(user.pk) if getattr(user, "pk", None) else None


def log_auth_event(
    event: str, *, request=None, user=None, level: int = logging.INFO, outcome: str | None = None
) -> None:
    security_log.log(
        level,
        event,
        extra={"event": event, "user": _subject(user), "request": request, "outcome": outcome},
    )


def on_logged_in(sender, request, user, **kwargs) -> None:
    log_auth_event("auth.login", request=request, user=user)


def on_logged_out(sender, request, user, **kwargs) -> None:
    log_auth_event("auth.logout", request=request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Never the credentials: the login typed is an e-mail address (or anything at all).
    log_auth_event(
        "auth.login_failed", request=request, level=logging.WARNING, outcome="wrong_credentials"
    )


def _allauth_receiver(event: str):
    level = logging.WARNING if event.endswith("_failed") else logging.INFO

    def receiver(sender, request=None, user=None, **kwargs) -> None:
        log_auth_event(event, request=request, user=user, level=level)

    return receiver


ALLAUTH_EVENTS = {
    "user_signed_up": "auth.signup",
    "password_changed": "auth.password_changed",
    "password_set": "auth.password_set",
    "password_reset": "auth.password_reset",
    "email_changed": "auth.email_changed",
    "email_added": "auth.email_added",
    "email_removed": "auth.email_removed",
    "email_confirmed": "auth.email_confirmed",
}
MFA_EVENTS = {
    "authenticator_added": "auth.mfa_added",
    "authenticator_removed": "auth.mfa_removed",
    "authenticator_reset": "auth.mfa_reset",
    "authentication_failed": "auth.mfa_failed",
}
_receivers: list[Callable] = []  # signals hold receivers weakly


def connect_auth_signals() -> None:
    """Called from AccountsConfig.ready()."""
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from django.contrib.auth import signals

    signals.user_logged_in.connect(on_logged_in, dispatch_uid="accounts-log-login")
    signals.user_logged_out.connect(on_logged_out, dispatch_uid="accounts-log-logout")
    signals.user_login_failed.connect(on_login_failed, dispatch_uid="accounts-log-login-failed")
    for module, events in ((account_signals, ALLAUTH_EVENTS), (mfa_signals, MFA_EVENTS)):
        for name, event in events.items():
            signal = getattr(module, name, None)
            if signal is None:
                continue
            receiver = _allauth_receiver(event)
            _receivers.append(receiver)
            signal.connect(receiver, dispatch_uid=f"accounts-log-{name}")
