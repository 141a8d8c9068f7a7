"""The personal data of the consent app itself (its ledgers), declared in the data
inventory like any other app's."""

from typing import Any

from consent import extensions, inventory
from consent.inventory import (
    Category,
    Declaration,
    Erasure,
    PersonalField,
    declare,
    register_category,
)
from consent.purposes import ESSENTIAL
from consent.selectors import UNPUBLISHED

KEPT = "Kept under a pseudonym only: the link to your account is cut."
LEGAL_DUTY = "Legal obligation (GDPR Art. 6(1)(c)): we must be able to prove it"

register_category(
    Category(
        code="consents",
        title="Your consent history",
        purpose=ESSENTIAL,
        basis=LEGAL_DUTY + " (Art. 7(1))",
        reason="To prove what you allowed, when, and under which notice.",
        description="Each time you allowed or withdrew something, with the notice version "
        "you were shown.",
        order=60,
    )
)
register_category(
    Category(
        code="requests",
        title="Your requests about your data",
        purpose=ESSENTIAL,
        basis=LEGAL_DUTY + " (Art. 5(2), 12)",
        reason="To show that we answered your requests, and when.",
        description="When you exported, cleared or erased your data (the kind and the "
        "time, never the content).",
        order=70,
    )
)
register_category(
    Category(
        code="staff_access",
        title="When our staff looked at your data",
        purpose=ESSENTIAL,
        basis=LEGAL_DUTY + " (Art. 5(2), 32)",
        reason="So you and our privacy officer can see every time staff looked at your data.",
        description="Every time a member of staff opened your record or looked you up.",
        order=80,
    )
)

WHERE_YOU_ANSWERED = {
    "signup": "When you signed up",
    "dashboard": "On your privacy page",
    "prompt": "When our privacy notice changed",
}


def summary_in_words(summary: Any) -> str:
    """A logged request's counts as a reader reads them: category titles, not codes, the
    boxes that were ticked by their labels, and nothing that counted zero."""
    if not isinstance(summary, dict):
        return str(summary)
    options = {option.name: option.label for option in extensions.clear_options()}
    titles = {category.code: category.title for category in inventory.categories()}
    parts = []
    for key, value in summary.items():
        if isinstance(value, dict):
            inner = summary_in_words(value)
            if inner:
                parts.append(inner)
        elif isinstance(value, bool):
            if value and key in options:
                parts.append(f"you ticked “{options[key]}”")
        elif isinstance(value, int) and value:
            parts.append(f"{titles.get(key, key)}: {value}")
    return "; ".join(parts)


def _notice(version: str) -> str:
    return "None published yet" if version == UNPUBLISHED else f"Version {version}"


def _staff_role(label: str) -> str:
    """ "Privacy officers 3f2a…" without the member of staff's pseudonym."""
    role, _, last = label.rpartition(" ")
    return role if role and all(c in "0123456789abcdef" for c in last) else label


declare(
    Declaration(
        model="consent.ConsentEvent",
        category="consents",
        subject="pseudonym:subject_pseudonym",
        erasure=Erasure.PSEUDONYMISE,
        erasure_note=KEPT,
        item_name=("answer you gave", "answers you gave"),
        fields={
            "created_at": PersonalField("When"),
            "purpose": PersonalField("What it was about"),
            "granted": PersonalField(
                "Your answer", show=lambda v: "Allowed" if v else "Not allowed"
            ),
            "method": PersonalField("Where you answered", show=WHERE_YOU_ANSWERED.get),
            "notice_version": PersonalField("Privacy notice you were shown", show=_notice),
            "subject": PersonalField(
                "Account", present=lambda v: "you" if v else None, on_pages=False
            ),
            "subject_pseudonym": PersonalField("Pseudonym"),
        },
        not_personal={
            "prev_hash": "integrity chain (a hash of the previous event)",
            "hash": "integrity chain (a hash of this event)",
        },
    )
)

declare(
    Declaration(
        model="consent.ReaderVersion",
        category="account",
        subject="pseudonym:pseudonym",
        many=False,
        item_name=("version of your data", "versions of your data"),
        fields={
            "pseudonym": PersonalField("Pseudonym"),
            "token": PersonalField(
                "Version of your data",
                present=lambda v: (
                    f"{v} (a random code, drawn anew whenever your data "
                    "changes, so that pages made for you are made again)"
                ),
            ),
        },
    )
)

declare(
    Declaration(
        model="consent.DataRequest",
        category="requests",
        subject="pseudonym:subject_pseudonym",
        erasure=Erasure.PSEUDONYMISE,
        erasure_note=KEPT,
        item_name=("request about your data", "requests about your data"),
        fields={
            "created_at": PersonalField("When"),
            "kind": PersonalField("What you asked for"),
            "summary": PersonalField("What it covered (counts only)", show=summary_in_words),
            "subject_pseudonym": PersonalField("Pseudonym"),
        },
        not_personal={"prev_hash": "integrity chain", "hash": "integrity chain"},
    )
)

declare(
    Declaration(
        model="consent.AccessRecord",
        category="staff_access",
        subject="pseudonym:subject_pseudonym",
        erasure=Erasure.PSEUDONYMISE,
        erasure_note=KEPT,
        item_name=("look by our staff", "looks by our staff"),
        fields={
            "created_at": PersonalField("When"),
            "staff_label": PersonalField("Who (their role)", show=_staff_role),
            "what": PersonalField("What they looked at"),
            "subject_pseudonym": PersonalField("Pseudonym"),
            # Readers see the role in staff_label; the staff account itself is not theirs.
            "staff": PersonalField(
                "Staff account", present=lambda v: "still active" if v else "since removed"
            ),
        },
        not_personal={"prev_hash": "integrity chain", "hash": "integrity chain"},
    )
)
