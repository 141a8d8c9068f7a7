"""Accounts in the admin (administrators only): lists show e-mail addresses masked, and every
page that shows one reader's address in full is recorded in the staff access log, which that
reader sees on their dashboard."""

import allauth.mfa.admin  # noqa: F401  (registers its admin now, so it can be replaced here)
from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.html import format_html

from accounts.models import User
from consent.audit import AccessLoggedAdminMixin
from newsapp.core.admin_widgets import AccessibleWidgetsMixin


def masked_email(address: str) -> str:
    """``reader@example.com`` as ``r…@example.com``: enough to tell rows apart in a list,
    not enough to read everyone's address off one page."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"


class MaskedRowsMixin:
    """A changelist whose rows name their reader by masked address, the row's select box
    included (Django labels it with the object's full ``str()``, here the address)."""

    def masked(self, obj) -> str:
        raise NotImplementedError

    def action_checkbox(self, obj):
        label = format_html("Select this object for an action - {}", self.masked(obj))
        checkbox = forms.CheckboxInput({"class": "action-select", "aria-label": label})
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))


@admin.register(User)
class UserAdmin(MaskedRowsMixin, AccessibleWidgetsMixin, AccessLoggedAdminMixin, DjangoUserAdmin):
    """Opening a user's page is recorded in the staff access log the reader can see. The list
    masks addresses; searching needs the whole address (or a part of it)."""

    ordering = ("email",)
    list_display = ("masked", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email",)
    readonly_fields = ("date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()  # Django's two-box picker has no accessible name; checkboxes do

    @admin.display(description="e-mail address", ordering="email")
    def masked(self, obj: User) -> str:
        return masked_email(obj.email)


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(MaskedRowsMixin, AccessLoggedAdminMixin, AllauthEmailAddressAdmin):
    access_what = "e-mail address"
    list_display = ("masked", "primary", "verified")
    list_select_related = ("user",)

    def access_subject_id(self, obj: EmailAddress) -> int:
        return obj.user_id

    @admin.display(description="e-mail address", ordering="email")
    def masked(self, obj: EmailAddress) -> str:
        return masked_email(obj.email)


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(MaskedRowsMixin, AccessLoggedAdminMixin, admin.ModelAdmin):
    """Shown, never made or edited here: a staff member sets up their own authenticator (the
    secret is theirs alone, and is not shown). Deleting one is how an administrator resets a
    lost device; the staff member is then asked to set up a new one at their next sign-in."""

    access_what = "two-factor authenticator"
    list_display = ("masked", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    fields = ("masked", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def access_subject_id(self, obj: Authenticator) -> int:
        return obj.user_id

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="user", ordering="user__email")
    def masked(self, obj: Authenticator) -> str:
        return masked_email(obj.user.email)
