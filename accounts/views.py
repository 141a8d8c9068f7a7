"""The account page: one place for e-mail, password, two-factor and the reader's data."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.selectors import account_overview


@never_cache
@login_required
@require_GET
def overview(request):
    return render(request, "accounts/home.html", {"overview": account_overview(user=request.user)})
