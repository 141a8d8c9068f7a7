"""The reader's own things: articles saved for later and the e-mail digest."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from newsapp import digest, services
from newsapp.core.redirects import redirect_back
from newsapp.forms import DigestForm
from newsapp.models import Article, DigestSubscription, SavedArticle


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


@login_required
@require_POST
def article_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Save an article for later, or remove it. The page's script gets JSON and changes the
    button in place; without script the reader comes back to the same card."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    saved = services.saved_article_toggle(user=request.user, article=article)
    message = (
        f"Saved for later: “{article.title}”."
        if saved
        else f"Removed from your saved articles: “{article.title}”."
    )
    if _wants_json(request):
        response = JsonResponse({"saved": saved, "message": message})
        response["Cache-Control"] = "no-store"
        return response
    messages.success(request, message)
    response = redirect_back(request, article.get_absolute_url())
    response["Location"] += f"#save-{article.pk}"
    return response


@never_cache
@login_required
@require_GET
def saved(request: HttpRequest) -> HttpResponse:
    """The articles the reader saved, newest first, each with "Remove"."""
    rows = (
        SavedArticle.objects.filter(user=request.user, article__status=Article.Status.PUBLISHED)
        .select_related("article__source")
        .prefetch_related("article__topics")
    )
    page = Paginator(rows, settings.FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [row.article for row in page.object_list]
    return render(request, "newsapp/saved.html", {"page": page})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def digest_settings(request: HttpRequest) -> HttpResponse:
    current = DigestSubscription.objects.filter(user=request.user).first()
    initial = {"frequency": current.frequency if current else DigestForm.OFF}
    form = DigestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["frequency"]
        chosen = digest.digest_set(
            user=request.user, frequency=None if choice == form.OFF else choice
        )
        if chosen is None:
            messages.success(request, "No digest: we will not e-mail you your top stories.")
        else:
            messages.success(
                request,
                f"Digest on: {chosen.get_frequency_display().lower()} we e-mail your top "
                f"stories to {request.user.email}. Every e-mail has a one-click unsubscribe.",
            )
        return redirect_back(request, "newsapp:digest")
    return render(request, "newsapp/digest.html", {"form": form, "current": current})


@csrf_exempt  # the signed token is the authority: mail clients post without cookies (RFC 8058)
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe: a POST stops the digest (what mail clients send for
    ``List-Unsubscribe-Post``); a GET only asks, so a link preview stops nothing."""
    try:
        subscription = digest.subscription_for_token(token)
    except digest.UnsubscribeLinkExpired:
        return _unsubscribe_page(request, "expired", status=400)
    except signing.BadSignature:
        return _unsubscribe_page(request, "invalid", status=400)
    if subscription is None:
        return _unsubscribe_page(request, "done")
    if request.method == "POST":
        digest.digest_unsubscribe(token=token)
        return _unsubscribe_page(request, "done")
    return _unsubscribe_page(request, "ask", token=token)


def _unsubscribe_page(request, state: str, *, token: str = "", status: int = 200):
    response = render(
        request, "newsapp/digest_unsubscribe.html", {"state": state, "token": token}, status=status
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token stays on this page
    return response
