"""The reader's switch for ranking experiments (shown on the privacy page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from newsapp import experiments
from newsapp.forms import ExperimentsChoiceForm


@never_cache
@login_required
@require_POST
def experiments_choice(request: HttpRequest) -> HttpResponse:
    form = ExperimentsChoiceForm(request.POST)
    if not form.is_valid():
        message = "Choose to leave ranking experiments or to take part again; nothing changed."
        return HttpResponseBadRequest(
            render_to_string("400.html", {"message": message}, request=request)
        )
    taking_part = form.cleaned_data["taking_part"]
    experiments.experiments_participation_set(user=request.user, taking_part=taking_part)
    if taking_part:
        messages.success(
            request,
            "You take part in ranking experiments again, while you allow anonymous statistics.",
        )
    else:
        messages.success(
            request,
            "You have left every ranking experiment: from now on your feed uses the usual "
            "ranking and nothing you do is counted in an experiment.",
        )
    return redirect(reverse("consent:dashboard") + "#experiments")
