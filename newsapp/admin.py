"""The newsroom: editors write, tag and publish here."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from newsapp import ranking, services
from newsapp.core.admin_widgets import AccessibleWidgetsMixin, SanitisedPreviewTextarea
from newsapp.core.sanitize import clean_html
from newsapp.coverage import stories_queue
from newsapp.ingest.images import NO_PICTURE, ImageRefused, lead_image_set, process
from newsapp.ingest.suggestions import topic_suggestions_accept
from newsapp.models import Article, Source, Topic, TopicSuggestion
from newsapp.tasks import import_feeds_now


class RefreshesIndexMixin:
    """Saving a form (its many-to-many rows included) or deleting queues a refresh of the
    recommender index after the commit: articles and topics' keywords are what it learns."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        ranking.index_refresh_queue()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        ranking.index_refresh_queue()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        ranking.index_refresh_queue()


class ArticleAdminForm(forms.ModelForm):
    picture = forms.FileField(
        label="Lead picture",
        required=False,
        help_text="JPEG, PNG, WebP or GIF. It is re-encoded on our side in three widths, "
        "without its camera data or GPS position.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    remove_picture = forms.BooleanField(label="Remove the picture", required=False)

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
            "image_alt",
            "image_credit",
        ]
        widgets = {
            "original_url": forms.URLInput(),
            "body": SanitisedPreviewTextarea(
                preview_url=reverse_lazy("admin:newsapp_article_preview"),
                attrs={"rows": 16},
            ),
        }
        # The body is sanitised by its model field on every write, this form's included.

    def clean_body(self) -> str:
        body = clean_html(self.cleaned_data["body"])
        limit = settings.ARTICLE_BODY_MAX_LENGTH
        if len(body) > limit:
            raise forms.ValidationError(
                f"The body is {len(body):,} characters long; an article can have at most "
                f"{limit:,}. Shorten it, or split it into parts."
            )
        return body

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("picture")
        self.renditions = None
        if upload:
            if upload.size > settings.IMAGES_MAX_BYTES:
                self.add_error(
                    "picture",
                    f"The file is {upload.size // 1024:,} KB; pictures can be at most "
                    f"{settings.IMAGES_MAX_BYTES // 1024:,} KB.",
                )
            else:
                try:
                    self.renditions = process(upload.read())
                except ImageRefused as error:
                    self.add_error("picture", f"This file cannot be used: {error}")
        keeps = bool(self.instance.image) and not cleaned.get("remove_picture")
        if (upload or keeps) and not (cleaned.get("image_alt") or "").strip():
            self.add_error(
                "image_alt",
                "Describe what the picture shows, for readers who cannot see it (for "
                "example “A green tram crossing the harbour bridge at dusk”).",
            )
        # A published article without a date would be saved but shown in no list (they all
        # ask for published_at <= now): publishing now is what the editor means.
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()
        return cleaned


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
class ArticleAdmin(RefreshesIndexMixin, AccessibleWidgetsMixin, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = (
        "thumbnail",
        "title",
        "source",
        "status",
        "published_at",
        "topic_list",
        "suggestions",
    )
    list_display_links = ("thumbnail", "title")
    list_filter = ("status", SuggestionFilter, "topics", "source", "published_at")
    list_select_related = ("source",)
    search_fields = ("title", "summary", "body", "author")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = (
        "suggestions",
        "created_at",
        "updated_at",
        "imported_at",
        "guid",
        "picture_preview",
        "image_url",
    )
    actions = ("publish", "unpublish", "accept_suggestions")
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        (
            "Picture",
            {
                "fields": (
                    "picture_preview",
                    "picture",
                    "remove_picture",
                    "image_alt",
                    "image_credit",
                    "image_url",
                )
            },
        ),
        ("Filing", {"fields": ("topics", "suggestions", "source", "author", "original_url")}),
        ("Publication", {"fields": ("status", "published_at", "created_at", "updated_at")}),
        ("Import", {"fields": ("imported_at", "guid"), "classes": ("collapse",)}),
    )

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", preview, name="newsapp_article_preview"), *super().get_urls()]

    @method_decorator(never_cache)
    @method_decorator(require_POST)
    def preview_view(self, request):
        """The body as readers would get it, cleaned as on save: for the live preview."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return JsonResponse({"html": clean_html(request.POST.get("body", ""))})

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

    def save_model(self, request, obj, form, change) -> None:
        if form.cleaned_data.get("remove_picture") and form.renditions is None:
            for name, value in NO_PICTURE.items():  # off before the row is saved
                setattr(obj, name, value)
        super().save_model(request, obj, form, change)
        if form.renditions is not None:
            lead_image_set(
                article=obj,
                renditions=form.renditions,
                alt=form.cleaned_data["image_alt"],
                credit=form.cleaned_data["image_credit"],
            )
        if obj.is_published:
            stories_queue()  # full coverage looks for other outlets' versions

    @admin.display(description="picture")
    def thumbnail(self, obj: Article) -> str:
        picture = obj.lead_image
        if picture is None:
            return "—"
        return format_html(
            '<img src="{}" width="80" height="{}" alt="" class="admin-thumbnail">',
            picture.src,
            picture.height_at(80),
        )

    @admin.display(description="current picture")
    def picture_preview(self, obj: Article) -> str:
        picture = obj.lead_image
        if picture is None:
            return "No picture yet."
        return format_html(
            '<img src="{}" width="320" height="{}" alt="{}" class="admin-picture">',
            picture.src,
            picture.small_height,
            picture.alt,
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


@admin.register(Topic)
class TopicAdmin(RefreshesIndexMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "article_count")
    search_fields = ("name", "keywords", "description")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_articles=Count("articles"))

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj: Topic) -> int:
        return obj.n_articles


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
        result = import_feeds_now.enqueue(source_ids=with_feed)
        if result.is_finished:  # tasks run in-process (development)
            self.message_user(
                request,
                f"Fetched {len(with_feed)} feed(s); the results are below.",
                messages.SUCCESS,
            )
            return
        self.message_user(
            request,
            f"Queued {len(with_feed)} feed(s) for fetching; the results appear in this list "
            "once the task worker has fetched them.",
            messages.SUCCESS,
        )


# django-tasks-db's own admin lists the task queue with every task's arguments. Nobody in the
# newsroom or the privacy office needs it (the worker's state is operations', in its logs),
# and a task's arguments are no business of the admin's: it stays out.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)

from newsapp import admin_audit  # noqa: E402, F401  (audits and experiments register here)
