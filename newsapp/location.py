"""Local news (purpose ``location``): the reader picks a region, or lets their browser
suggest the nearest one. Coordinates stay in the browser; only a region's slug is posted.
The choice is stored encrypted and forgotten after 30 days without a visit."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consent.purposes import LOCATION, PURPOSES
from consent.selectors import has_consent
from newsapp.models import ReaderLocation, Region

LOCATION_RETENTION_DAYS = 30
SESSION_TOUCHED = "location_touched_on"


class RegionForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=Region.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="No region (no local news boost)",
        label="Your region",
        help_text="Articles about this region rank a little higher in your feed.",
    )


def region_for(*, user) -> Region | None:
    if not getattr(user, "is_authenticated", False):
        return None
    location = ReaderLocation.objects.filter(user=user).first()
    if location is None:
        return None
    return Region.objects.filter(slug=location.region).first()


@transaction.atomic
def region_set(*, user, region: Region | None) -> None:
    if region is None:
        ReaderLocation.objects.filter(user=user).delete()
        return
    location = ReaderLocation.objects.filter(user=user).first() or ReaderLocation(user=user)
    location.region = region.slug
    location.last_seen_on = timezone.localdate()
    location.save()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def region_view(request):
    allowed = has_consent(user=request.user, purpose=LOCATION)
    current = region_for(user=request.user)
    form = RegionForm(request.POST or None, initial={"region": current})
    if request.method == "POST":
        if not allowed:
            messages.error(request, "Allow “Local news for my region” first; nothing was saved.")
            return redirect("newsapp:region")
        if form.is_valid():
            region = form.cleaned_data["region"]
            region_set(user=request.user, region=region)
            messages.success(
                request,
                f"Saved: local news for {region.name}." if region else "Region removed.",
            )
            return redirect("newsapp:region")
    return render(
        request,
        "newsapp/region.html",
        {
            "form": form,
            "allowed": allowed,
            "purpose": PURPOSES[LOCATION],
            "regions": Region.objects.all(),
            "current": current,
        },
    )


@receiver(user_logged_in, dispatch_uid="newsapp-location-visit")
def touch_at_login(sender, request, user, **kwargs) -> None:
    """A sign-in is a visit; doing it here spares the first page view a query."""
    today = timezone.localdate()
    ReaderLocation.objects.filter(user=user, last_seen_on__lt=today).update(last_seen_on=today)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_TOUCHED] = today.isoformat()


class VisitMiddleware:
    """Keeps a chosen region alive while the reader visits: once a day per session, move
    its "last seen" date to today (the 30-day retention counts from there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            today = timezone.localdate().isoformat()
            if request.session.get(SESSION_TOUCHED) != today:
                ReaderLocation.objects.filter(user=user, last_seen_on__lt=today).update(
                    last_seen_on=today
                )
                request.session[SESSION_TOUCHED] = today
        return self.get_response(request)
