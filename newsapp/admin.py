"""The newsroom: editors write, tag and publish here."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.utils import timezone

from newsapp import ranking, services
from newsapp.core.admin_widgets import AccessibleWidgetsMixin
from newsapp.ingest.suggestions import topic_suggestions_accept
from newsapp.models import Article, Source, Topic, TopicSuggestion
from newsapp.tasks import import_feeds_now


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "body",
            "topics",
            "source",
            "author",
            "original_url",
            "status",
            "published_at",
        ]
        widgets = {"original_url": forms.URLInput()}
        # The body is sanitised by its model field on every write, this form's included.


class SuggestionFilter(admin.SimpleListFilter):
    title = "topic suggestions"
    parameter_name = "suggested"

    def lookups(self, request, model_admin):
        return [("yes", "Has suggestions"), ("no", "No suggestions")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(topic_suggestions__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(topic_suggestions__isnull=True)
        return queryset


@admin.register(Article)
class ArticleAdmin(AccessibleWidgetsMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ("title", "source", "status", "published_at", "topic_list", "suggestions")
    list_filter = ("status", SuggestionFilter, "topics", "source", "published_at")
    list_select_related = ("source",)
    search_fields = ("title", "summary", "body", "author")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("suggestions", "created_at", "updated_at", "imported_at", "guid")
    actions = ("publish", "unpublish", "accept_suggestions")
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        ("Filing", {"fields": ("topics", "suggestions", "source", "author", "original_url")}),
        ("Publication", {"fields": ("status", "published_at", "created_at", "updated_at")}),
        ("Import", {"fields": ("imported_at", "guid"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "topics",
                Prefetch(
                    "topic_suggestions",
                    queryset=TopicSuggestion.objects.select_related("topic").order_by(
                        "-confidence"
                    ),
                ),
            )
        )

    @admin.display(description="topics")
    def topic_list(self, obj: Article) -> str:
        return ", ".join(t.name for t in obj.topics.all()) or "— (untagged)"

    @admin.display(description="suggested topics")
    def suggestions(self, obj: Article) -> str:
        """The recommender's guesses with its confidence; accepted with the list action."""
        if obj.pk is None:
            return "—"
        return (
            ", ".join(f"{s.topic.name} ({s.confidence:.0%})" for s in obj.topic_suggestions.all())
            or "—"
        )

    @admin.action(description="Accept suggested topics", permissions=["change"])
    def accept_suggestions(self, request, queryset) -> None:
        added = topic_suggestions_accept(articles=queryset)
        self.message_user(
            request, f"Added {added} suggested topic(s) to the selected articles.", messages.SUCCESS
        )

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish(self, request, queryset) -> None:
        changed = services.articles_status_set(articles=queryset, status=Article.Status.PUBLISHED)
        self.message_user(request, f"Published {changed} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish(self, request, queryset) -> None:
        changed = services.articles_status_set(articles=queryset, status=Article.Status.DRAFT)
        self.message_user(request, f"Moved {changed} article(s) back to draft.", messages.SUCCESS)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("newsapp.publish_article")

    # Saving the form, its topics included, or deleting: the index follows after the commit.
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        ranking.index_refresh_queue()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        ranking.index_refresh_queue()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        ranking.index_refresh_queue()


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "article_count")
    search_fields = ("name", "keywords", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj: Topic) -> int:
        return obj.n_articles

    # A topic's keywords teach the recommender: a change refits the index after the commit.
    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        ranking.index_refresh_queue()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        ranking.index_refresh_queue()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        ranking.index_refresh_queue()


# What the importer records about a source's last fetch: shown, never edited by hand.
FETCH_STATE_FIELDS = (
    "last_fetched_at",
    "last_status",
    "last_counts",
    "last_error",
    "consecutive_failures",
    "next_fetch_after",
    "etag",
    "last_modified",
)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "active",
        "publish_imported",
        "last_fetched_at",
        "last_status",
        "last_counts",
        "problems",
        "next_attempt",
    )
    list_filter = ("active", "publish_imported", "last_status")
    search_fields = ("name", "site_url", "feed_url")
    prepopulated_fields = {"slug": ("name",)}
    actions = ("fetch_now",)
    readonly_fields = FETCH_STATE_FIELDS
    fieldsets = (
        (None, {"fields": ("name", "slug", "site_url", "feed_url", "active")}),
        ("Import", {"fields": ("publish_imported",)}),
        ("Last fetch", {"fields": FETCH_STATE_FIELDS}),
    )

    @admin.display(description="last fetch: new / updated / skipped / failed")
    def last_counts(self, obj: Source) -> str:
        if not obj.last_fetched_at:
            return "—"
        return f"{obj.last_new} / {obj.last_updated} / {obj.last_skipped} / {obj.last_failed}"

    @admin.display(description="problems")
    def problems(self, obj: Source) -> str:
        return obj.last_error or "—"

    @admin.display(description="next attempt", ordering="next_fetch_after")
    def next_attempt(self, obj: Source) -> str:
        if not obj.active:
            return "never (switched off)"
        if obj.next_fetch_after and obj.next_fetch_after > timezone.now():
            return (
                f"after {timezone.localtime(obj.next_fetch_after):%Y-%m-%d %H:%M} "
                f"({obj.consecutive_failures} failure(s) in a row)"
            )
        return "when due"

    @admin.action(description="Fetch now", permissions=["change"])
    def fetch_now(self, request, queryset) -> None:
        with_feed = list(queryset.exclude(feed_url="").values_list("pk", flat=True))
        if not with_feed:
            self.message_user(request, "None of the selected sources has a feed.", messages.WARNING)
            return
        import_feeds_now.enqueue(source_ids=with_feed)
        self.message_user(
            request,
            f"Fetching {len(with_feed)} feed(s); the results appear in the list when done.",
            messages.SUCCESS,
        )
