"""The purposes we process personal data for, in plain language.

Only ``essential`` needs no consent (it is what the reader signed up for); every other
purpose is off until the reader grants it, and nothing is pre-ticked.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Purpose:
    code: str
    title: str
    data: str
    why: str
    retention: str
    legal_basis: str
    needs_consent: bool = True


ESSENTIAL = "essential"
PERSONALIZE_HISTORY = "personalize_history"
ANALYTICS = "analytics"
LOCATION = "location"

PURPOSES: dict[str, Purpose] = {
    p.code: p
    for p in (
        Purpose(
            code=ESSENTIAL,
            title="Your account and the topics you chose",
            data="Your e-mail address, password (stored as a salted hash), the topics, "
            "keywords and mutes you set, and the feedback you give on articles.",
            why="To sign you in and to rank the news by the preferences you stated.",
            retention="Until you delete your account.",
            legal_basis="Contract (GDPR Art. 6(1)(b))",
            needs_consent=False,
        ),
        Purpose(
            code=PERSONALIZE_HISTORY,
            title="Use what I read to improve my feed",
            data="Which articles you opened, by day, under a pseudonym.",
            why="So that articles like the ones you read rank higher.",
            retention="90 days, then deleted.",
            legal_basis="Consent (GDPR Art. 6(1)(a))",
        ),
        Purpose(
            code=ANALYTICS,
            title="Count me in anonymous statistics",
            data="Daily counts of reads per article and topic, with no identifier.",
            why="So editors learn which topics readers follow, through differentially "
            "private figures only.",
            retention="Aggregates only; 13 months.",
            legal_basis="Consent (GDPR Art. 6(1)(a))",
        ),
        Purpose(
            code=LOCATION,
            title="Local news for my region",
            data="The region you choose (never your coordinates), stored encrypted.",
            why="To rank news from your region a little higher.",
            retention="Forgotten after 30 days without a visit.",
            legal_basis="Consent (GDPR Art. 6(1)(a))",
        ),
    )
}

OPTIONAL_PURPOSES = [p for p in PURPOSES.values() if p.needs_consent]
PURPOSE_CHOICES = [(p.code, p.title) for p in PURPOSES.values()]
