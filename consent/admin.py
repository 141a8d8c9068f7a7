"""Privacy officers audit consent here. Nobody changes it: the ledgers are append-only.

Privacy officers hold only ``view`` permissions on these models (group "Privacy officers");
other staff hold none. Every look-up of a reader by e-mail, or by account id, is itself
recorded.
"""

import csv

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.filters import FieldListFilter
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from consent import dp, inventory
from consent.audit import access_record_append, staff_label_for
from consent.checkpoints import checkpoint_verify, published_line
from consent.fields import encrypted_fields
from consent.models import (
    AccessRecord,
    ConsentEvent,
    DataRequest,
    LedgerCheckpoint,
    PrivacyNotice,
    StatisticRelease,
)
from consent.pseudonyms import pseudonym_for
from consent.services import ledger_verify
from newsapp.core.admin_widgets import AccessibleWidgetsMixin


class ReadOnlyAdmin(admin.ModelAdmin):
    @admin.display(description="subject (pseudonym)")
    def short_subject(self, obj) -> str:
        return f"{obj.subject_pseudonym[:12]}…"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DateRangeFilter(FieldListFilter):
    """From / to dates (inclusive) typed by the officer, kept in the query string."""

    template = "admin/consent/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.from_param = f"{field_path}__gte"
        self.to_param = f"{field_path}__lt"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = f"{field.verbose_name} (range)"
        self.request_params = dict(request.GET.items())

    def expected_parameters(self):
        return [self.from_param, self.to_param]

    def queryset(self, request, queryset):
        lookups = {}
        for param in (self.from_param, self.to_param):
            raw = self.used_parameters.get(param)
            if isinstance(raw, list):
                raw = raw[-1] if raw else None
            if not raw:
                continue
            try:
                day = forms.DateField().clean(raw)
            except forms.ValidationError:
                continue
            if param == self.to_param:
                day = day + timezone.timedelta(days=1)
            lookups[f"{param.rsplit('__', 1)[0]}__date__{param.rsplit('__', 1)[1]}"] = day
        return queryset.filter(**lookups)

    def choices(self, changelist):
        hidden = [
            (k, v) for k, v in self.request_params.items() if k not in self.expected_parameters()
        ]
        yield {
            "from_param": self.from_param,
            "to_param": self.to_param,
            "from_value": self.request_params.get(self.from_param, ""),
            "to_value": self.request_params.get(self.to_param, ""),
            "hidden": hidden,
        }


class LookupForm(forms.Form):
    email = forms.EmailField(label="Reader's e-mail address")


# The account-id filters the consent list accepts (``?subject=<id>``): one account each, and
# each use recorded like a look-up by e-mail. Ranges and lists of ids are refused.
SUBJECT_LOOKUPS = ("subject", "subject__exact", "subject__id", "subject__id__exact")


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "short_subject", "purpose", "granted", "method", "notice_version")
    list_filter = (
        "purpose",
        "granted",
        "method",
        "notice_version",
        ("created_at", DateRangeFilter),
    )
    search_fields = ("=subject_pseudonym", "=hash")
    search_help_text = (
        "A full pseudonym or event hash. To find a reader by e-mail, use “Look up a reader "
        "by e-mail” above."
    )
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
    change_list_template = "admin/consent/consentevent/change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("lookup/", wrap(self.lookup_view), name="consent_consentevent_lookup"),
            path("export.csv", wrap(self.export_csv_view), name="consent_consentevent_csv"),
            path("verify/", wrap(self.verify_view), name="consent_consentevent_verify"),
            path(
                "record-of-processing/",
                wrap(self.record_view),
                name="consent_record_of_processing",
            ),
            *super().get_urls(),
        ]

    def _require_view(self, request) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup.split("__", 1)[0] == "subject":
            return lookup in SUBJECT_LOOKUPS
        return super().lookup_allowed(lookup, value, request)

    def _record_subject_lookups(self, request, where: str) -> None:
        """A list narrowed to one account by its id shows who that reader is: recorded."""
        ids = {v for key in SUBJECT_LOOKUPS for v in request.GET.getlist(key) if v.isdigit()}
        users = get_user_model().objects.filter(pk__in=ids).values_list("pk", flat=True)
        for user_id in users:
            access_record_append(
                staff=request.user,
                pseudonym=pseudonym_for(user_id),
                what=f"consent events ({where}, filtered by account id)",
            )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            self._record_subject_lookups(request, "list")
        return response

    def lookup_view(self, request):
        """E-mail in, pseudonym out; the look-up itself goes into the staff access log."""
        self._require_view(request)
        form = LookupForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if user is None:
                form.add_error(
                    "email",
                    "No account has this address. An erased reader's records remain under "
                    "their pseudonym only and cannot be found by e-mail.",
                )
            else:
                pseudonym = pseudonym_for(user.pk)
                access_record_append(
                    staff=request.user,
                    pseudonym=pseudonym,
                    what="consent events (look-up by e-mail)",
                )
                messages.info(request, "This look-up was recorded in the staff access log.")
                changelist = reverse("admin:consent_consentevent_changelist")
                return redirect(f"{changelist}?{urlencode({'q': pseudonym})}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Look up a reader's consent events",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/consent/lookup.html", context)

    def export_csv_view(self, request):
        """The list as filtered on the page, as CSV."""
        self._require_view(request)
        queryset = self.get_changelist_instance(request).get_queryset(request)
        self._record_subject_lookups(request, "CSV export")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="consent-events-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        columns = ["id", *self.fields]
        writer.writerow(columns)
        for event in queryset.order_by("id").iterator(chunk_size=2000):
            writer.writerow(
                [
                    event.created_at.isoformat() if name == "created_at" else getattr(event, name)
                    for name in columns
                ]
            )
        return response

    def verify_view(self, request):
        self._require_view(request)
        for name, model in (
            ("Consent ledger", ConsentEvent),
            ("Data-subject request log", DataRequest),
            ("Staff access log", AccessRecord),
        ):
            report = ledger_verify(model)
            if report.ok:
                messages.success(request, f"{name}: {report.checked} entries, chain intact.")
            else:
                messages.error(
                    request,
                    f"{name}: BROKEN at entry id {report.broken_at} ({report.reason}).",
                )
        result = checkpoint_verify()
        if result.ok and result.checkpoint is None:
            messages.success(request, f"Checkpoints: {result.reason}.")
        elif result.ok:
            messages.success(
                request,
                f"{result.count} signed checkpoint(s), chained; the last still matches the "
                f"logs. Compare its head with your copy: {published_line(result.checkpoint)}",
            )
        else:
            messages.error(request, f"Checkpoints: BROKEN: {result.reason}.")
        return redirect("admin:consent_consentevent_changelist")

    def record_view(self, request):
        """GDPR Art. 30 record of processing, generated from the data inventory."""
        self._require_view(request)
        rows = []
        for category in inventory.categories():
            declarations = inventory.declarations(category.code)
            rows.append(
                {
                    "category": category,
                    "fields": [
                        (d.model_class._meta.verbose_name_plural, spec.label)
                        for d in declarations
                        for spec in d.fields.values()
                    ],
                    "erasure": sorted({d.erasure_note for d in declarations}),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Record of processing activities (GDPR Art. 30)",
            "rows": rows,
            "encrypted": [
                f"{f.verbose_name} ({f.model._meta.verbose_name})" for f in encrypted_fields()
            ],
            "generated_at": timezone.now(),
            "controller_name": settings.CONTROLLER_NAME,
            "controller_contact": settings.CONTROLLER_CONTACT,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/consent/record_of_processing.html", context)


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "short_subject", "kind", "summary")
    list_filter = ("kind", ("created_at", DateRangeFilter))
    search_fields = ("=subject_pseudonym", "hash__startswith")
    search_help_text = "A full pseudonym, or the reference printed on the reader's receipt."
    date_hierarchy = "created_at"
    fields = ("created_at", "subject_pseudonym", "kind", "summary", "prev_hash", "hash")


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "staff_label", "staff", "short_subject", "what")
    list_filter = (("created_at", DateRangeFilter),)
    search_fields = ("=subject_pseudonym", "staff_label", "staff__email")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "staff_label",
        "staff",
        "subject_pseudonym",
        "what",
        "prev_hash",
        "hash",
    )


@admin.register(LedgerCheckpoint)
class LedgerCheckpointAdmin(ReadOnlyAdmin):
    """Each checkpoint's head, in full, for a privacy officer to keep a copy of outside the
    database: a rewrite of everything, checkpoints included, shows against that copy
    (``verify_consent_ledger --expect sha256:…``)."""

    list_display = ("created_at", "published_head", "length", "requests_length", "access_length")
    fields = (
        "created_at",
        "published_head",
        "previous",
        "length",
        "head_hash",
        "requests_length",
        "requests_head",
        "access_length",
        "access_head",
        "signature",
        "public_key",
    )
    readonly_fields = ("published_head",)

    @admin.display(description="checkpoint head (keep a copy)")
    def published_head(self, obj) -> str:
        if not obj.digest:
            return "— (consent ledger only, from before checkpoints covered every log)"
        return published_line(obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": "Signed checkpoints: keep a copy of each head outside the database",
        }
        return super().changelist_view(request, extra_context)


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(AccessibleWidgetsMixin, admin.ModelAdmin):
    list_display = ("version", "title", "material", "published_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # A published notice is a record of what readers were shown: never rewritten.
        if obj is not None:
            return ("version", "title", "body", "material", "published_at")
        return ()


class ReleaseForm(forms.Form):
    statistic = forms.CharField()
    day = forms.DateField(required=False)

    def clean_statistic(self) -> str:
        code = self.cleaned_data["statistic"]
        if code not in {s.code for s in dp.statistics()}:
            raise forms.ValidationError("Unknown statistic.")
        return code


@admin.register(StatisticRelease)
class StatisticReleaseAdmin(ReadOnlyAdmin):
    """Statistics for staff: noisy figures only, each release recorded with its epsilon."""

    list_display = ("created_at", "statistic", "day", "epsilon", "scale", "released_by")
    list_filter = ("statistic",)
    fields = ("created_at", "statistic", "day", "epsilon", "scale", "sensitivity", "values")
    change_list_template = "admin/consent/statisticrelease/change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("release/", wrap(self.release_view), name="consent_statisticrelease_release"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        latest = {}
        for release in StatisticRelease.objects.order_by("-created_at")[:50]:
            latest.setdefault(release.statistic, release)
        panels = []
        for statistic in dp.statistics():
            release = latest.get(statistic.code)
            panels.append(
                {
                    "statistic": statistic,
                    "release": release,
                    "figures": dp.figures(release) if release else [],
                    "noise": dp.noise_in_words(release) if release else "",
                }
            )
        extra_context = {
            **(extra_context or {}),
            "panels": panels,
            "budget_left": dp.budget_left(),
            "budget": settings.DP_DAILY_EPSILON_BUDGET,
            "epsilon": settings.DP_EPSILON_PER_RELEASE,
            "threshold": settings.DP_MIN_SHOWN,
            "can_release": request.user.has_perm("consent.add_statisticrelease"),
            "today": timezone.localdate(),
        }
        return super().changelist_view(request, extra_context)

    def release_view(self, request):
        if request.method != "POST" or not request.user.has_perm("consent.add_statisticrelease"):
            raise PermissionDenied
        form = ReleaseForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a statistic (and a valid day); nothing was released.")
        else:
            statistic = dp.statistic(form.cleaned_data["statistic"])
            day = form.cleaned_data["day"] or timezone.localdate() if statistic.per_day else None
            try:
                release = dp.statistic_release(
                    code=statistic.code, staff_label=staff_label_for(request.user), day=day
                )
            except dp.BudgetExhausted as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(
                    request, f"Released “{statistic.title}”. {dp.noise_in_words(release)}"
                )
        return redirect("admin:consent_statisticrelease_changelist")
