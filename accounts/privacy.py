"""The personal data of the accounts app, declared in the data inventory."""

from django.apps import apps
from django.conf import settings

from consent.cookies import Cookie, register_cookie
from consent.inventory import Category, Declaration, PersonalField, declare, register_category
from consent.purposes import ESSENTIAL

register_category(
    Category(
        code="account",
        title="Your account",
        purpose=ESSENTIAL,
        description="What lets you sign in: your e-mail address and password.",
        reason="To sign you in and keep your account yours.",
        order=10,
    )
)
register_category(
    Category(
        code="staff_activity",
        title="Your work in the newsroom (staff only)",
        purpose=ESSENTIAL,
        basis="Legitimate interest (GDPR Art. 6(1)(f)): an audit trail of edits",
        reason="To know who changed what in the newsroom.",
        description="The changes you made in the admin, if you are an editor.",
        order=90,
        applies_to=lambda user: user.is_staff,
    )
)


def _password(value) -> str:
    return "set (stored only as a salted hash)" if value else "not set"


def _groups(value) -> list[str]:
    return list(value)


def _is_staff(user) -> bool:
    return user.is_staff or user.is_superuser


SECOND_FACTORS = {"totp": "Authenticator app", "recovery_codes": "Recovery codes"}


declare(
    Declaration(
        model="accounts.User",
        category="account",
        subject="pk",
        many=False,
        item_name=("your sign-in details", "your sign-in details"),
        fields={
            "email": PersonalField("E-mail address"),
            "password": PersonalField("Password", present=_password),
            "date_joined": PersonalField("Joined"),
            "last_login": PersonalField("Last signed in"),
            "is_active": PersonalField("Account active"),
            # Every account has these; only staff see them on their privacy pages.
            "is_staff": PersonalField("Newsroom staff", applies_to=_is_staff),
            "is_superuser": PersonalField("Administrator", applies_to=_is_staff),
            "groups": PersonalField("Staff roles", present=_groups, applies_to=_is_staff),
            "user_permissions": PersonalField(
                "Extra staff permissions", present=_groups, applies_to=_is_staff
            ),
        },
        erasure_note="Deleted, and every session signed out.",
    )
)

declare(
    Declaration(
        model="account.EmailAddress",
        category="account",
        item_name=("e-mail address", "e-mail addresses"),
        fields={
            "email": PersonalField("E-mail address"),
            "verified": PersonalField("Confirmed"),
            "primary": PersonalField("The address we write to"),
        },
        not_personal={"user": "the link to the owner"},
    )
)

declare(
    Declaration(
        model="account.EmailConfirmation",
        category="account",
        subject="email_address__user",
        item_name=("confirmation e-mail", "confirmation e-mails"),
        fields={
            "created": PersonalField("Confirmation e-mail created"),
            "sent": PersonalField("Confirmation e-mail sent"),
            "key": PersonalField("Confirmation code", present=lambda v: "issued"),
        },
        not_personal={"email_address": "the link to the owner"},
    )
)

declare(
    Declaration(
        model="admin.LogEntry",
        category="staff_activity",
        item_name=("change in the newsroom", "changes in the newsroom"),
        fields={
            "action_time": PersonalField("When"),
            "object_repr": PersonalField("What was changed"),
            "change_message": PersonalField("Change"),
            "action_flag": PersonalField("Kind of change"),
        },
        not_personal={
            "user": "the link to the owner",
            "content_type": "which kind of record (a table name)",
            "object_id": "which record (an id in a newsroom table)",
        },
    )
)

if apps.is_installed("allauth.mfa"):
    declare(
        Declaration(
            model="mfa.Authenticator",
            category="account",
            item_name=("second factor", "second factors"),
            fields={
                "type": PersonalField("Second factor", show=SECOND_FACTORS.get),
                "data": PersonalField(
                    "Secret", present=lambda v: "set (encrypted; never shown or exported)"
                ),
                "created_at": PersonalField("Added"),
                "last_used_at": PersonalField("Last used"),
            },
            not_personal={"user": "the link to the owner"},
        )
    )

register_cookie(
    Cookie(
        name=settings.SESSION_COOKIE_NAME,
        title="Your signed-in session",
        purpose="essential",
        contents="A random key that lets the server find your session: who you are while "
        "you are signed in. Nothing else.",
        set_when="When you sign in (or start signing up); deleted when you sign out.",
        max_age=settings.SESSION_COOKIE_AGE,
        legal_basis="Strictly necessary for the account you asked for (ePrivacy Directive "
        "Art. 5(3))",
        personal=True,
    )
)
register_cookie(
    Cookie(
        name=settings.CSRF_COOKIE_NAME,
        title="Form protection",
        purpose="essential",
        contents="A random token that proves a form was sent from this site, not from another "
        "one pretending to be you. It says nothing about you.",
        set_when="When a page with a form is shown.",
        max_age=settings.CSRF_COOKIE_AGE,
        legal_basis="Strictly necessary for security (ePrivacy Directive Art. 5(3))",
    )
)
