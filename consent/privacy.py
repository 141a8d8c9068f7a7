"""The personal data of the consent app itself, declared in the data inventory."""

from consent.inventory import Declaration, Erasure, PersonalField, declare

KEPT = "Kept under a pseudonym only: the link to your account is cut."

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
