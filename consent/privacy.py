"""The personal data of the consent app itself (its ledgers), declared in the data
inventory like any other app's."""

from consent.inventory import (
    Category,
    Declaration,
    Erasure,
    PersonalField,
    declare,
    register_category,
)
from consent.purposes import ESSENTIAL

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

declare(
    Declaration(
        model="consent.ConsentEvent",
        category="consents",
        subject="pseudonym:subject_pseudonym",
        erasure=Erasure.PSEUDONYMISE,
        erasure_note=KEPT,
        fields={
            "created_at": PersonalField("When"),
            "purpose": PersonalField("Purpose"),
            "granted": PersonalField("Allowed"),
            "method": PersonalField("Where you answered"),
            "notice_version": PersonalField("Privacy notice version shown"),
            "subject": PersonalField("Account", present=lambda v: "you" if v else None),
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
        model="consent.DataRequest",
        category="requests",
        subject="pseudonym:subject_pseudonym",
        erasure=Erasure.PSEUDONYMISE,
        erasure_note=KEPT,
        fields={
            "created_at": PersonalField("When"),
            "kind": PersonalField("Request"),
            "summary": PersonalField("What it covered (counts only)"),
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
        fields={
            "created_at": PersonalField("When"),
            "staff_label": PersonalField("Who (staff role and pseudonym)"),
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
