"""Privacy officers audit consent here. Nobody changes it: the ledger is append-only."""

from django.contrib import admin

from consent.models import ConsentEvent, PrivacyNotice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "short_subject", "purpose", "granted", "method", "notice_version")
    list_filter = ("purpose", "granted", "method", "notice_version", "created_at")
    search_fields = ("subject_pseudonym", "hash")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "subject_pseudonym",
        "purpose",
        "granted",
        "method",
        "notice_version",
        "prev_hash",
        "hash",
    )

    @admin.display(description="subject (pseudonym)")
    def short_subject(self, obj: ConsentEvent) -> str:
        return f"{obj.subject_pseudonym[:12]}…"


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "material", "published_at")
    readonly_fields = ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # A published notice is a record of what readers were shown: never rewritten.
        if obj is not None:
            return ("version", "title", "body", "material", "published_at")
        return ()
