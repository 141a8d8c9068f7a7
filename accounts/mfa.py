"""MFA for staff: who still needs a second factor, and key rotation of allauth's secrets."""

from collections.abc import Iterable
from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Model

from accounts.adapters import MFA_SECRET_AAD
from consent import crypto
from consent.fields import RotationSource


def has_totp(user: Model) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def _rotate_data(data: dict) -> tuple[dict, bool]:
    """The authenticator's data with every encrypted value under the newest key."""
    changed = False

    def fresh(token: str) -> str:
        nonlocal changed
        if crypto.is_encrypted(token) and crypto.needs_rotation(token):
            changed = True
            return crypto.reencrypt(token, aad=MFA_SECRET_AAD)
        return token

    data = dict(data)
    for key in ("secret", "seed"):
        if isinstance(data.get(key), str):
            data[key] = fresh(data[key])
    if isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [fresh(code) for code in data["migrated_codes"]]
    return data, changed


def authenticator_rotation_source() -> RotationSource:
    types = [Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    rows = Authenticator.objects.filter(type__in=types).order_by("pk")

    def pending() -> list[Any]:
        return [pk for pk, data in rows.values_list("pk", "data") if _rotate_data(data)[1]]

    def rotate(pks: Iterable[Any]) -> int:
        changed = 0
        for authenticator in rows.filter(pk__in=list(pks)).select_for_update():
            data, did_change = _rotate_data(authenticator.data)
            if did_change:
                changed += Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
        return changed

    return RotationSource("mfa.Authenticator.data", pending, rotate)
