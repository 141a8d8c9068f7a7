"""Reads of consent state."""

from consent.models import ConsentEvent
from consent.pseudonyms import pseudonym_for
from consent.purposes import OPTIONAL_PURPOSES


def consents_for_user(*, user) -> dict[str, bool]:
    """The current state of every optional purpose for ``user``; off unless granted."""
    state = {p.code: False for p in OPTIONAL_PURPOSES}
    events = (
        ConsentEvent.objects.for_subject(pseudonym_for(user.pk))
        .order_by("id")
        .values_list("purpose", "granted")
    )
    for purpose, granted in events:
        state[purpose] = granted
    return state


def has_consent(*, user, purpose: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    last = (
        ConsentEvent.objects.for_subject(pseudonym_for(user.pk))
        .filter(purpose=purpose)
        .order_by("-id")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(last)
