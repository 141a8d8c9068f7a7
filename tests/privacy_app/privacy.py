"""Everything the help desk tells the privacy layer: one purpose, one category, one model."""

from consent.inventory import Category, Declaration, PersonalField, declare, register_category
from consent.purposes import Purpose, register_purpose
from consent.retention import Retention

HELP_DESK = "help_desk"
HELP_REQUESTS = "help_requests"
KEPT_DAYS = 180

register_purpose(
    Purpose(
        code=HELP_DESK,
        title="Answering your questions",
        data="The questions you send to our help desk.",
        why="So that we can answer you.",
        legal_basis="Legitimate interest (GDPR Art. 6(1)(f))",
        needs_consent=False,
        always_on_because="we need your question to answer it",
        kept_for=Retention(days=KEPT_DAYS, after="you sent it"),
    )
)

register_category(
    Category(
        code=HELP_REQUESTS,
        title="Your questions to the help desk",
        purpose=HELP_DESK,
        description="Each question you sent us, as you wrote it.",
    )
)

declare(
    Declaration(
        model="privacy_app.HelpRequest",
        category=HELP_REQUESTS,
        fields={
            "message": PersonalField("Your question"),
            "sent_at": PersonalField("Sent"),
        },
        not_personal={"user": "the link to the owner"},
        retention_anchor="sent_at",
        item_label=lambda row: f"Question sent {row.sent_at:%d %b}",
    )
)
