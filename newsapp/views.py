from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from consent.purposes import purpose
from consent.selectors import has_consent
from newsapp import coverage, display, experiments, ranking, selectors, services
from newsapp.core.pagecache import kept_for_each_reader, shared_when_anonymous
from newsapp.forms import RegionForm, SearchForm, TopicsForm
from newsapp.history import article_view_record
from newsapp.models import Article, Region, Source, Story, Topic, TopicFollow
from newsapp.purposes import LOCATION
from newsapp.recommender import Ranked
from newsapp.search import query as search_query
from newsapp.search.results import MAX_RESULTS, Filters, search_page
from newsapp.selectors import StatedPreferences

# The news pages are the same for every anonymous visitor until the content changes: kept
# per content version (one primary-key read, once per request) in each process's memory.
same_for_anonymous = shared_when_anonymous(
    version=lambda: ranking.version_row().version,
    display_cookie=display.cookie_name,
    display=display.choice,
    around=ranking.one_version_read,
)
# A signed-in reader's pages that write nothing, kept for them alone while neither the
# content nor anything of theirs changes (a reload of the feed ranks nothing again).
kept_for_the_reader = kept_for_each_reader(
    versions=lambda request: (request.user.pk, *selectors.versions_for(user=request.user)),
    display_cookie=display.cookie_name,
    display=display.choice,
    around=ranking.one_version_read,
)

# The feed is ranked, not a list: readers page through this many of its best articles.
FEED_DEPTH = 200


def _page(request: HttpRequest, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@dataclass
class RankedPage:
    """One page of a ranking, read only as far as the page: the pagination partial's
    interface without a total (counting would work out the whole ranking)."""

    object_list: list
    number: int
    has_next: bool
    ranking: Ranked | None = None

    class paginator:
        num_pages = None

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _ranked_page(request: HttpRequest, ranked: Ranked, per_page: int) -> RankedPage:
    """The requested page of ``ranked`` (the first for a bad number, the last past the end)."""
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    items = ranked[(number - 1) * per_page : number * per_page]
    if not items and number > 1:  # past the end: the last page, as Paginator.get_page does
        number = max(1, -(-len(ranked) // per_page))
        items = ranked[(number - 1) * per_page : number * per_page]
    return RankedPage(
        object_list=items,
        number=number,
        has_next=ranked.has_more(number * per_page),
        ranking=ranked,
    )


def _newest_page(request: HttpRequest, articles, per_page: int) -> RankedPage:
    """The requested page of a newest-first list ``LATEST_DEPTH`` deep, without counting
    the list: one row more than the page tells whether another follows. (A bad number is
    the first page; so is a page past the end, which no link leads to.)"""
    try:
        number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        number = 1
    number = min(number, -(-LATEST_DEPTH // per_page))
    start = (number - 1) * per_page
    rows = list(articles[start : min(start + per_page + 1, LATEST_DEPTH)])
    if not rows and number > 1:
        number, start = 1, 0
        rows = list(articles[: per_page + 1])
    return RankedPage(
        object_list=rows[:per_page],
        number=number,
        has_next=len(rows) > per_page and start + per_page < LATEST_DEPTH,
    )


@require_GET
@kept_for_the_reader
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return top_stories(request)
    preferences = selectors.preferences_for_user(user=request.user)
    if preferences.paused:
        # The reader objected to profiling: Top stories, and no profile is computed.
        return _top_stories_page(request, preferences, paused=True)
    if not preferences.follows and not preferences.keywords:
        return redirect("newsapp:topics")
    # Rank deep, read one page: the ranking is diversified and explained only as far as
    # this page (and one more, to know there is a next), and rows load for this page only.
    ranked = selectors.feed_recommendations(preferences=preferences, depth=FEED_DEPTH)
    page = _ranked_page(request, ranked, settings.FEED_PAGE_SIZE)
    page.object_list = selectors.feed_items(
        preferences=preferences, recommendations=page.object_list
    )
    return render(request, "newsapp/feed.html", {"page": page, "preferences": preferences})


@require_GET
@same_for_anonymous
@kept_for_the_reader
def top_stories(request: HttpRequest) -> HttpResponse:
    preferences = selectors.preferences_for_user(user=request.user)
    return _top_stories_page(request, preferences, paused=False)


def _top_stories_page(request: HttpRequest, preferences: StatedPreferences, *, paused: bool):
    ranked = selectors.top_story_ranking(preferences=preferences)
    page = _page(request, ranked, settings.FEED_PAGE_SIZE)
    page.object_list = selectors.top_story_cards(ranked=page.object_list)
    context = {"page": page, "preferences": preferences, "paused": paused}
    return render(request, "newsapp/top_stories.html", context)


# /latest/, a topic's and an outlet's pages go this many of the newest articles deep (no
# count of the whole archive: the archive is what search is for).
LATEST_DEPTH = 1000


@require_GET
@same_for_anonymous
@kept_for_the_reader
def latest(request: HttpRequest) -> HttpResponse:
    """Newest first, the same for everyone (mutes apply)."""
    preferences = selectors.preferences_for_user(user=request.user)
    articles = selectors.latest_articles(preferences=preferences).order_by("-published_at", "-id")
    page = _newest_page(request, articles, settings.FEED_PAGE_SIZE)
    return render(request, "newsapp/latest.html", {"page": page, "preferences": preferences})


@require_GET
@same_for_anonymous
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if request.user.is_authenticated:
        selectors.versions_for(user=request.user)  # both versions in one read
    preferences = selectors.preferences_for_user(user=request.user)
    page = selectors.article_page(slug=slug, preferences=preferences)
    if page is None:
        raise Http404("No such article.")
    article = page.article
    if not article.is_published and not request.user.has_perm("newsapp.change_article"):
        raise Http404("No such article.")
    if article.is_published:
        # Only what the consents allow; no history while personalization is paused.
        article_view_record(user=request.user, article=article, paused=preferences.paused)
        if experiments.referred_by_feed(request):
            experiments.outcome_record(
                user=request.user, kind=experiments.Kind.OPENED, paused=preferences.paused
            )
    context = {
        "article": article,
        "related": page.related,
        "preferences": preferences,
        "also_covered": page.also_covered,
    }
    return render(request, "newsapp/article_detail.html", context)


@require_GET
@same_for_anonymous
@kept_for_the_reader
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Full coverage: every outlet's version of one story."""
    story = get_object_or_404(Story, pk=pk)
    preferences = selectors.preferences_for_user(user=request.user)
    articles = coverage.story_articles(
        story=story,
        muted_sources=preferences.muted_sources,
        muted_topics=preferences.muted_topics,
    )
    if not articles and not Article.objects.published().filter(story=story).exists():
        raise Http404("No such story.")
    outlets = sorted({a.source.name for a in articles if a.source})
    first = min(articles, key=lambda a: a.published_at) if articles else None
    context = {"story": story, "articles": articles, "outlets": outlets, "first": first}
    return render(request, "newsapp/story_detail.html", context)


@require_GET
@same_for_anonymous
@kept_for_the_reader
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic, slug=slug)
    preferences = selectors.preferences_for_user(user=request.user)
    muted = topic in preferences.muted_topics
    articles = (
        Article.objects.none()
        if muted
        else selectors.latest_articles(preferences=preferences)
        .filter(topics=topic)
        .order_by("-published_at", "-id")
    )
    page = _newest_page(request, articles, settings.FEED_PAGE_SIZE)
    context = {
        "topic": topic,
        "page": page,
        "muted": muted,
        "following": topic.slug in preferences.followed_slugs,
        "preferences": preferences,
    }
    return render(request, "newsapp/topic_detail.html", context)


@require_GET
@same_for_anonymous
@kept_for_the_reader
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One outlet: what it is, its stories newest first, and mute / unmute."""
    source = get_object_or_404(Source, slug=slug)
    preferences = selectors.preferences_for_user(user=request.user)
    muted = source in preferences.muted_sources
    articles = (
        Article.objects.none()
        if muted
        else selectors.latest_articles(preferences=preferences)
        .filter(source=source)
        .order_by("-published_at", "-id")
    )
    page = _newest_page(request, articles, settings.FEED_PAGE_SIZE)
    context = {"source": source, "page": page, "muted": muted, "preferences": preferences}
    return render(request, "newsapp/source_detail.html", context)


def _topic_rows(form: TopicsForm, preferences: StatedPreferences):
    """One row per topic for the template: followed?, weight, muted?"""
    if form.is_bound:
        followed = set(form.data.getlist("topics"))
        muted = set(form.data.getlist("muted_topics"))
        weights = {
            t.slug: str(form.data.get(f"weight-{t.slug}", TopicFollow.Weight.NORMAL))
            for t in form.topic_list
        }
    else:
        followed = preferences.followed_slugs
        muted = {t.slug for t in preferences.muted_topics}
        weights = {f.topic.slug: str(f.weight) for f in preferences.follows}
    return [
        {
            "topic": topic,
            "followed": topic.slug in followed,
            "weight": weights.get(topic.slug, str(TopicFollow.Weight.NORMAL)),
            "muted": topic.slug in muted,
        }
        for topic in form.topic_list
    ]


def _stated(form: TopicsForm, current: StatedPreferences) -> StatedPreferences:
    """The proposed choices; feedback, history and region stay as they are, so the
    preview shows only what the change itself would do."""
    data = form.cleaned_data
    return StatedPreferences(
        liked=current.liked,
        disliked=current.disliked,
        user_id=current.user_id,
        follows=[TopicFollow(topic=t, weight=w) for t, w in data["follows"].items()],
        keywords=data["keywords"],
        muted_topics=list(data["muted_topics"]),
        muted_sources=list(data["muted_sources"]),
        explore=data["explore"],
    )


def _chosen_topics_only(request: HttpRequest, preferences: StatedPreferences) -> QueryDict:
    """Step one posts only the topics: everything else stays as the reader set it, and a
    muted topic chosen here is followed and no longer muted."""
    data = request.POST.copy()
    chosen = set(request.POST.getlist("topics"))
    data["keywords"] = ", ".join(preferences.keywords)
    data.setlist("muted_topics", [t.slug for t in preferences.muted_topics if t.slug not in chosen])
    data.setlist("muted_sources", [s.slug for s in preferences.muted_sources])
    if preferences.explore:
        data["explore"] = "on"
    for follow in preferences.follows:
        data.setdefault(f"weight-{follow.topic.slug}", str(follow.weight))
    return data


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@kept_for_the_reader
def topics(request: HttpRequest) -> HttpResponse:
    """Step one: the topics to follow, as large toggle chips (onboarding with ``?welcome``)."""
    return _topics_page(request, step="topics")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@kept_for_the_reader
def topics_fine_tune(request: HttpRequest) -> HttpResponse:
    """Step two, optional: how much of each followed topic, keywords, mutes, discovery."""
    return _topics_page(request, step="fine-tune")


def _topics_page(request: HttpRequest, *, step: str) -> HttpResponse:
    preferences = selectors.preferences_for_user(user=request.user)
    topic_list = list(Topic.objects.all())
    sources = list(Source.objects.all())
    preview = None
    # The contract form (``topics``, ``keywords``, mutes together) is the fine-tune step;
    # the chips of step one say so with ``step=topics``.
    chips_only = step == "topics" and (
        request.method == "GET" or request.POST.get("step") == "topics"
    )
    if request.method == "POST":
        data = _chosen_topics_only(request, preferences) if chips_only else request.POST
        form = TopicsForm(data, topics=topic_list, sources=sources)
        if form.is_valid():
            proposed = _stated(form, preferences)
            if "preview" in request.POST and not preferences.paused:
                preview = selectors.feed_preview(current=preferences, proposed=proposed)
            else:
                services.preferences_update(
                    user=request.user,
                    follows=form.cleaned_data["follows"],
                    keywords=form.cleaned_data["keywords"],
                    muted_topics=form.cleaned_data["muted_topics"],
                    muted_sources=form.cleaned_data["muted_sources"],
                    explore=form.cleaned_data["explore"],
                )
                unusable = set(form.cleaned_data["keywords"]) - set(
                    ranking.get_index().usable_keywords(form.cleaned_data["keywords"])
                )
                if unusable:
                    messages.warning(
                        request,
                        "These keywords match no article yet, so they do not change your "
                        f"feed for now: {', '.join(sorted(unusable))}.",
                    )
                if "fine_tune" in request.POST:
                    messages.success(request, "Saved your topics. Fine-tune them here, or not.")
                    return redirect("newsapp:topics-fine-tune")
                messages.success(request, "Saved. Your feed now follows these choices.")
                return redirect("newsapp:home")
    else:
        form = TopicsForm(
            initial={
                "keywords": ", ".join(preferences.keywords),
                "muted_sources": [s.slug for s in preferences.muted_sources],
                "explore": preferences.explore,
            },
            topics=topic_list,
            sources=sources,
        )
    muted_sources = (
        set(form.data.getlist("muted_sources"))
        if form.is_bound
        else {s.slug for s in preferences.muted_sources}
    )
    rows = _topic_rows(form, preferences)
    context = {
        "form": form,
        "rows": rows,
        "followed_rows": [row for row in rows if row["followed"]],
        "other_rows": [row for row in rows if not row["followed"]],
        "sources": [(s, s.slug in muted_sources) for s in sources],
        "weights": TopicFollow.Weight.choices,
        "preview": preview,
        "welcome": "welcome" in request.GET,
        "never_seen": (
            []
            if preferences.paused or not chips_only
            else selectors.topics_never_seen(preferences=preferences, topics=topic_list)
        ),
        "paused": preferences.paused,
    }
    template = "newsapp/topics.html" if chips_only else "newsapp/topics_fine_tune.html"
    return render(request, template, context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def region(request: HttpRequest) -> HttpResponse:
    """Local news (purpose ``location``): the reader picks a region, or lets the browser
    suggest the nearest one. Coordinates stay in the browser; only a region's slug is
    posted, and nothing is saved without the consent."""
    allowed = has_consent(user=request.user, purpose=LOCATION)
    current = selectors.region_for(user=request.user)
    form = RegionForm(request.POST or None, initial={"region": current})
    if request.method == "POST":
        if not allowed:
            messages.error(request, "Allow “Local news for my region” first; nothing was saved.")
            return redirect("newsapp:region")
        if form.is_valid():
            chosen = form.cleaned_data["region"]
            services.region_set(user=request.user, region=chosen)
            messages.success(
                request,
                f"Saved: local news for {chosen.name}." if chosen else "Region removed.",
            )
            return redirect("newsapp:region")
    return render(
        request,
        "newsapp/region.html",
        {
            "form": form,
            "allowed": allowed,
            "purpose": purpose(LOCATION),
            "regions": Region.objects.all(),
            "current": current,
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Full-text search. The query is neither stored nor logged, and no cache may keep the
    page (its address holds the query)."""
    form = SearchForm(request.GET or None)
    preferences = selectors.preferences_for_user(user=request.user)
    page, error = None, None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            parsed = search_query.parse(data["q"])
        except search_query.EmptyQuery:
            pass  # only the form
        except search_query.QueryError as problem:
            error = str(problem)
        else:
            page = search_page(
                query=parsed,
                filters=Filters(
                    topic=data["topic"], source=data["source"], since=data["from"], until=data["to"]
                ),
                page_number=request.GET.get("page"),
                muted_topics=preferences.muted_topics,
                muted_sources=preferences.muted_sources,
            )
    context = {
        "form": form,
        "page": page,
        "error": error,
        "preferences": preferences,
        "max_results": MAX_RESULTS,
        "topic_options": form.options("topic"),
        "source_options": form.options("source"),
    }
    response = render(request, "newsapp/search.html", context)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
