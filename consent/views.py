"""The privacy dashboard: everything we hold about the reader, with working controls.

Every page here carries ``Cache-Control: no-store`` (``never_cache``) because it shows
personal data; every change is a POST with a CSRF token, in one transaction.
"""

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consent import extensions, inventory, limits, purposes, rights
from consent.changes import reader_version
from consent.cookies import cookies
from consent.forms import (
    ClearForm,
    ConsentToggleForm,
    DeleteAccountForm,
    PauseForm,
    PurposeAnswersForm,
)
from consent.models import ConsentEvent, PrivacyNotice
from consent.reconsent import mark_answered
from consent.selectors import (
    category_view,
    consents_for_user,
    dashboard_sections,
    erased_categories,
    privacy_summary,
)
from consent.services import consent_grant, consent_withdraw, consents_answer
from newsapp.core.pagecache import kept_for_each_reader
from newsapp.core.redirects import redirect_back

RECEIPT_SESSION_KEY = "privacy_receipt"


# One encoder for every value of an export: ``json.dumps`` with options builds a new one
# per call, and an export writes a call per row.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


def readable_json(value: Any, depth: int = 0) -> str:
    """JSON indented like ``json.dumps(indent=2)``, except that a list's items are written
    one to a line: as readable for a person with years of rows, and written by json's C
    encoder (``indent`` makes it fall back to the pure-Python one, four times slower)."""
    inner = "  " * (depth + 1)
    if isinstance(value, dict) and value:
        items = (
            f"{inner}{_encode(str(key))}: {readable_json(v, depth + 1)}" for key, v in value.items()
        )
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and value:
        rows = (f"{inner}{_encode(v)}" for v in value)
        return "[\n" + ",\n".join(rows) + "\n" + "  " * depth + "]"
    return _encode(value)


def _bad_request(request, message: str) -> HttpResponse:
    body = render_to_string("400.html", {"message": message}, request=request)
    return HttpResponseBadRequest(body)


# The dashboard is made from the reader's data (its version, ``consent.changes``) and what
# the apps' sections show (their version): kept for the reader while neither changes. (The
# sections' version first: an app may read the reader's beside it, in the same query.)
kept_for_the_reader = kept_for_each_reader(
    versions=lambda request: (
        request.user.pk,
        extensions.page_inputs().version(request.user),
        reader_version(request.user.pk),
    ),
    display_cookie=lambda: extensions.page_inputs().cookie_name(),
    display=lambda request: extensions.page_inputs().variant(request),
    around=lambda: extensions.page_inputs().around(),
)


@never_cache
@login_required
@require_GET
@kept_for_the_reader
def dashboard(request):
    """One screen: what we hold, what each consent allows, when it goes, the three rights."""
    user = request.user
    consents = consents_for_user(user=user)  # once, for every part of the page
    return render(
        request,
        "consent/dashboard.html",
        {
            "sections": dashboard_sections(user=user, consents=consents),
            "summaries": privacy_summary(user=user, consents=consents),
            "purposes": [
                {"purpose": purpose, "granted": consents[purpose.code]}
                for purpose in purposes.optional_purposes()
            ],
            "always_on": purposes.always_on_purposes(),
            "clearings": extensions.clearings(),
            "clear_form": ClearForm(),
            "notice": PrivacyNotice.objects.current(),
        },
    )


@never_cache
@login_required
@require_GET
def category(request, slug: str):
    """One category's own page: every item we hold in it, in plain words."""
    found = inventory.category_by_slug(slug)
    if found is None or not found.concerns(request.user):
        raise Http404("No such kind of data.")
    view = category_view(user=request.user, category=found)
    purpose = found.purpose_info
    return render(
        request,
        "consent/category.html",
        {"view": view, "category": found, "purpose": purpose},
    )


@never_cache
@login_required
@require_POST
def consent_toggle(request):
    form = ConsentToggleForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "That consent does not exist; nothing was changed.")
    purpose = purposes.purpose(form.cleaned_data["purpose"])
    method = ConsentEvent.Method.DASHBOARD
    if form.cleaned_data["granted"]:
        consent_grant(user=request.user, purpose=purpose.code, method=method)
        messages.success(
            request, f"Allowed: “{purpose.title}”. You can withdraw it here at any time."
        )
    else:
        withdrawal = consent_withdraw(user=request.user, purpose=purpose.code, method=method)
        deleted = ", ".join(
            f"{title.lower()}: {count} item{'s' if count != 1 else ''}"
            for title, count in withdrawal.deleted.items()
        )
        messages.success(
            request,
            f"Withdrawn: “{purpose.title}”. We deleted what we held under it"
            + (f" ({deleted})." if deleted else "."),
        )
    return redirect_back(request, "consent:dashboard")


@never_cache
@login_required
@require_POST
def pause(request):
    form = PauseForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Choose to pause or to resume personalization.")
    paused = form.cleaned_data["paused"]
    rights.personalization_pause_set(user=request.user, paused=paused)
    switch = extensions.profiling_switch()
    if switch is not None:
        messages.success(request, switch.paused_message if paused else switch.resumed_message)
    return redirect("consent:dashboard")


@never_cache
@login_required
@require_POST
def delete_item(request, model: str, pk: int):
    try:
        label = rights.item_delete(user=request.user, model_label=model, pk=pk)
    except rights.ItemNotFound:
        messages.warning(request, "That item was already gone; nothing else was changed.")
    else:
        messages.success(request, f"Deleted: {label}.")
    found = [d for d in inventory.declarations() if d.model.lower() == model.lower()]
    if not found:
        return redirect("consent:dashboard")
    return redirect("consent:category", inventory.category(found[0].category).slug)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """GET shows the download button; only its POST (with the CSRF token) exports, so a
    link from another site spends none of the reader's exports and writes no log row."""
    if request.method == "GET":
        return render(
            request, "consent/export.html", {"per_hour": settings.PRIVACY_REQUESTS_PER_HOUR}
        )
    wait = limits.seconds_until_allowed(user=request.user, action="export")
    if wait:
        return limits.too_many(request, wait)
    document = rights.data_export(user=request.user)
    stamp = timezone.now().strftime("%Y-%m-%d")
    response = HttpResponse(readable_json(document), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    return response


@never_cache
@login_required
@require_POST
def clear(request):
    wait = limits.seconds_until_allowed(user=request.user, action="clear")
    if wait:
        return limits.too_many(request, wait)
    form = ClearForm(request.POST)
    form.is_valid()  # optional checkboxes only: always valid
    receipt = rights.recommendations_clear(user=request.user, options=form.chosen())
    request.session[RECEIPT_SESSION_KEY] = receipt.as_session()
    return redirect("consent:receipt")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        # The password is checked only within its limit, like sign-in's: a session left
        # open must not let anyone try passwords until one erases the account.
        wait = limits.seconds_until_allowed(
            user=request.user, action="delete-password", limits=limits.PASSWORD_ATTEMPTS
        )
        if wait:
            return limits.too_many(request, wait)
    if request.method == "POST" and form.is_valid():
        receipt = rights.account_erase(user=request.user)
        logout(request)
        request.session[RECEIPT_SESSION_KEY] = receipt.as_session()
        return redirect("consent:receipt")
    return render(
        request,
        "consent/delete.html",
        {"form": form, "erased": erased_categories(user=request.user)},
    )


@never_cache
@require_GET
def receipt(request):
    data = request.session.get(RECEIPT_SESSION_KEY)
    signed_in = request.user.is_authenticated
    if not data:
        return redirect("consent:dashboard" if signed_in else "/")
    return render(
        request,
        "consent/receipt.html",
        {
            "receipt": rights.Receipt.from_session(data),
            "links": extensions.receipt_links(signed_in=signed_in),
        },
    )


@require_GET
def notice(request):
    return render(
        request,
        "consent/notice.html",
        {
            "notice": PrivacyNotice.objects.current(),
            "purposes": purposes.purposes(),
            "categories": inventory.categories(),
            "cookies": cookies(),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review(request):
    """The re-consent prompt after a material change of the privacy notice."""
    current = consents_for_user(user=request.user)
    form = PurposeAnswersForm(request.POST or None, current=current)
    notice = PrivacyNotice.objects.current()
    if request.method == "POST" and form.is_valid():
        consents_answer(
            user=request.user, answers=form.answers(), method=ConsentEvent.Method.PROMPT
        )
        mark_answered(request)
        messages.success(request, "Thank you: your answers are recorded against the new notice.")
        return redirect_back(request, settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "consent/review.html",
        {"form": form, "notice": notice, "next": request.GET.get("next", "")},
    )
