"""Reads for the account pages."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth.base_user import AbstractBaseUser


@dataclass(frozen=True)
class AccountOverview:
    """What the account page says about sign-in: addresses, password, second factor."""

    primary_email: str
    primary_confirmed: bool
    other_addresses: int
    unconfirmed: int
    has_password: bool
    has_totp: bool
    recovery_codes_left: int | None  # None: no recovery codes set up


def account_overview(*, user: AbstractBaseUser) -> AccountOverview:
    addresses = list(EmailAddress.objects.filter(user=user).order_by("-primary", "email"))
    primary = next((a for a in addresses if a.primary), None)
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=user)}
    codes = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    return AccountOverview(
        primary_email=primary.email if primary else user.get_username(),
        primary_confirmed=bool(primary and primary.verified),
        other_addresses=len([a for a in addresses if not a.primary]),
        unconfirmed=len([a for a in addresses if not a.verified]),
        has_password=user.has_usable_password(),
        has_totp=Authenticator.Type.TOTP in authenticators,
        recovery_codes_left=len(RecoveryCodes(codes).get_unused_codes()) if codes else None,
    )
