"""What a reader tells us from a card, an article, a topic or an outlet page: more or less
like this, hide or show an outlet, follow or unfollow a topic.

Each is a small POST form that works without script and returns to where it was posted
from (the card's ``#article-<id>`` anchor). ``static/js/cards.js`` sends the same forms with
``Accept: application/json`` and gets the message and the new state instead of a redirect,
so the card changes in place and a live region reads the message out.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from newsapp import experiments, services
from newsapp.core.redirects import redirect_back
from newsapp.forms import FeedbackForm
from newsapp.models import Article, ArticleFeedback, Source, Topic, TopicFollow


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(
    request: HttpRequest, message: str, fallback: str, *, level=messages.SUCCESS, **state
) -> HttpResponse:
    """The state as JSON for the script, else the message and a redirect back."""
    if _wants_json(request):
        status = 400 if level == messages.ERROR else 200
        return JsonResponse({"message": message, **state}, status=status)
    messages.add_message(request, level, message)
    return redirect_back(request, fallback)


@login_required
@require_POST
def article_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """ "More like this" / "less like this" on a published article; again to take it back."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    form = FeedbackForm(request.POST)
    fallback = article.get_absolute_url()
    if not form.is_valid():
        return _answer(
            request, "Choose “more like this” or “less like this”.", fallback, level=messages.ERROR
        )
    feedback = services.article_feedback_toggle(
        user=request.user, article=article, kind=form.cleaned_data["kind"]
    )
    kind = feedback.kind if feedback else None
    if feedback is not None:
        experiments.outcome_record(user=request.user, kind=feedback.kind)
    if feedback is None:
        message = f"Taken back: your feedback on “{article.title}” is gone."
    elif kind == ArticleFeedback.Kind.MORE:
        message = f"Noted: more like “{article.title}”. Press it again to take it back."
    else:
        message = (
            f"Noted: less like “{article.title}”; it and stories like it move out of your "
            "feed. Press it again to take it back."
        )
    return _answer(
        request,
        message,
        fallback,
        level=messages.INFO if feedback is None else messages.SUCCESS,
        more=kind == ArticleFeedback.Kind.MORE,
        less=kind == ArticleFeedback.Kind.LESS,
    )


@login_required
@require_POST
def source_mute(request: HttpRequest, slug: str) -> HttpResponse:
    """Hide every story from one outlet, everywhere (undo on its page or on the card)."""
    source = get_object_or_404(Source, slug=slug)
    services.source_mute(user=request.user, source=source)
    return _answer(
        request,
        f"You will no longer see stories from {source.name}. "
        "Choose “Show them again” on the card or on the outlet's page to undo this.",
        source.get_absolute_url(),
        source=source.slug,
        source_muted=True,
    )


@login_required
@require_POST
def source_unmute(request: HttpRequest, slug: str) -> HttpResponse:
    source = get_object_or_404(Source, slug=slug)
    services.source_unmute(user=request.user, source=source)
    return _answer(
        request,
        f"Stories from {source.name} are back in your feed.",
        source.get_absolute_url(),
        source=source.slug,
        source_muted=False,
    )


@login_required
@require_POST
def topic_follow(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    followed = TopicFollow.objects.filter(user=request.user).exclude(topic=topic).count()
    if followed >= settings.MAX_FOLLOWED_TOPICS:
        return _answer(
            request,
            f"You already follow {settings.MAX_FOLLOWED_TOPICS} topics, the most there can "
            "be. Unfollow one first.",
            topic.get_absolute_url(),
            level=messages.ERROR,
        )
    services.topic_follow(user=request.user, topic=topic)
    return _answer(
        request,
        f"You follow {topic.name}: its stories now rank higher in your feed.",
        topic.get_absolute_url(),
        following=True,
    )


@login_required
@require_POST
def topic_unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    services.topic_unfollow(user=request.user, topic=topic)
    return _answer(
        request,
        f"You no longer follow {topic.name}.",
        topic.get_absolute_url(),
        following=False,
    )
