"""Editors hold the recommender to account here: exposure audits and ranking experiments.

Every figure about readers on these pages comes from a differentially private release
(``consent.dp``): the raw outcome counts have no admin page at all. Running an audit or
releasing an experiment's results spends ε of the day's budget, so it is a POST with a
button that says so. Privacy officers read everything and may open the record of readers
leaving experiments; they release nothing.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from consent import dp
from consent.admin import ReadOnlyAdmin
from consent.audit import staff_label_for
from newsapp import experiment_results, experiments, exposure
from newsapp.models import Experiment, ExperimentArm, ExperimentChoice, ExposureAudit
from newsapp.tasks import audit_recommendations

RELEASE_PERMISSION = "consent.add_statisticrelease"  # the right to spend the privacy budget


def _budget_context() -> dict:
    return {
        "budget_left": dp.budget_left(),
        "budget": settings.DP_DAILY_EPSILON_BUDGET,
        "epsilon": settings.DP_EPSILON_PER_RELEASE,
        "threshold": settings.DP_MIN_SHOWN,
    }


@admin.register(ExposureAudit)
class ExposureAuditAdmin(admin.ModelAdmin):
    list_display = ("created_at", "window_days", "readers_audited", "flagged")
    list_select_related = ("release",)
    change_list_template = "admin/newsapp/exposureaudit/change_list.html"

    def has_add_permission(self, request) -> bool:
        return False  # an audit is run with the button, never typed in

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="readers audited (noisy)")
    def readers_audited(self, obj: ExposureAudit) -> str:
        readers = exposure.audit_report(obj).readers
        return str(readers) if readers else f"fewer than {settings.DP_MIN_SHOWN}"

    @admin.display(description="flagged")
    def flagged(self, obj: ExposureAudit) -> int:
        return len(exposure.audit_report(obj).flagged)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("run/", wrap(self.run_view), name="newsapp_exposureaudit_run"),
            *super().get_urls(),
        ]

    def _detail(self, audit: ExposureAudit) -> dict:
        found = exposure.audit_report(audit)
        return {
            "audit": audit,
            "report": found,
            "charts": exposure.exposure_charts(found),
            "noise": dp.noise_in_words(audit.release),
        }

    def changelist_view(self, request, extra_context=None):
        latest = ExposureAudit.objects.select_related("release").first()
        extra_context = {
            **(extra_context or {}),
            **_budget_context(),
            "latest": self._detail(latest) if latest else None,
            "can_run": request.user.has_perm("newsapp.add_exposureaudit"),
            "sample": settings.AUDIT_SAMPLE_READERS,
            "window": settings.AUDIT_WINDOW_DAYS,
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        audit = self.get_object(request, object_id)
        if audit is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, audit):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **self._detail(audit),
            "title": str(audit),
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/newsapp/exposureaudit/detail.html", context)

    def run_view(self, request):
        if request.method != "POST" or not request.user.has_perm("newsapp.add_exposureaudit"):
            raise PermissionDenied
        if dp.budget_left() + 1e-9 < settings.DP_EPSILON_PER_RELEASE:
            messages.error(
                request,
                "Today's privacy budget cannot pay for an audit; nothing was run. "
                "Run it again tomorrow.",
            )
        else:
            audit_recommendations.enqueue(staff_label=staff_label_for(request.user))
            messages.success(
                request,
                "The audit is running; it appears in the list when it is done "
                f"(it spends ε = {settings.DP_EPSILON_PER_RELEASE:g}).",
            )
        return redirect("admin:newsapp_exposureaudit_changelist")


def _started(experiment: Experiment | None) -> bool:
    return experiment is not None and experiment.starts_on <= timezone.localdate()


class ExperimentForm(forms.ModelForm):
    class Meta:
        model = Experiment
        fields = ["name", "description", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if starts_on < timezone.localdate():
            raise forms.ValidationError(
                "An experiment cannot start in the past: choose today or a later day."
            )
        return starts_on


class ExperimentArmInline(admin.StackedInline):  # stacked: every field has its label
    model = ExperimentArm
    min_num = 2
    extra = 0
    fields = ("position", "name", "description", "half_life_hours", "exploration")

    def get_formset(self, request, obj=None, **kwargs):
        # An experiment compares: refuse to save one with fewer than two versions.
        return super().get_formset(request, obj, validate_min=True, **kwargs)

    # Once it has started, an experiment's versions are fixed: changing one mid-run would
    # make its results meaningless.
    def has_add_permission(self, request, obj=None) -> bool:
        return not _started(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _started(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _started(obj) and super().has_delete_permission(request, obj)


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    form = ExperimentForm
    inlines = [ExperimentArmInline]
    list_display = ("name", "starts_on", "ends_on", "state", "results_link")
    search_fields = ("name",)

    @admin.display(description="state")
    def state(self, obj: Experiment) -> str:
        return {"upcoming": "Not started", "running": "Running", "finished": "Finished"}[
            obj.status()
        ]

    @admin.display(description="results")
    def results_link(self, obj: Experiment):
        if not _started(obj):
            return "—"
        url = reverse("admin:newsapp_experiment_results", args=[obj.pk])
        return format_html('<a href="{}">Results</a>', url)

    def get_readonly_fields(self, request, obj=None):
        if _started(obj):
            return ("name", "description", "starts_on", "ends_on")
        return ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _started(obj) and super().has_delete_permission(request, obj)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        experiments.reset_cache()  # this worker at once; the others within seconds

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        experiments.reset_cache()

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/results/", wrap(self.results_view), name="newsapp_experiment_results"),
            path("<int:pk>/release/", wrap(self.release_view), name="newsapp_experiment_release"),
            *super().get_urls(),
        ]

    def results_view(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        experiment = get_object_or_404(Experiment.objects.prefetch_related("arms"), pk=pk)
        release = experiment_results.releases(experiment).first()
        context = {
            **self.admin_site.each_context(request),
            **_budget_context(),
            "title": f"Results of “{experiment.name}”",
            "experiment": experiment,
            "results": experiment_results.results(experiment, release) if release else None,
            "stopping_rule": experiment_results.stopping_rule(experiment),
            "can_release": request.user.has_perm(RELEASE_PERMISSION) and _started(experiment),
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/newsapp/experiment/results.html", context)

    def release_view(self, request, pk: int):
        if request.method != "POST" or not request.user.has_perm(RELEASE_PERMISSION):
            raise PermissionDenied
        experiment = get_object_or_404(Experiment, pk=pk)
        try:
            release = experiment_results.experiment_release(
                experiment=experiment, staff_label=staff_label_for(request.user)
            )
        except (dp.BudgetExhausted, ValueError) as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"Results released. {dp.noise_in_words(release)}")
        return redirect("admin:newsapp_experiment_results", pk=experiment.pk)


@admin.register(ExperimentChoice)
class ExperimentChoiceAdmin(ReadOnlyAdmin):
    """Readers leaving (or rejoining) experiments: a chained record, like the ledger."""

    list_display = ("created_at", "short_subject", "taking_part")
    list_filter = ("taking_part",)
    search_fields = ("=subject_pseudonym",)
    fields = ("created_at", "subject_pseudonym", "taking_part", "prev_hash", "hash")
