"""The newsroom: editors write, tag and publish here."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from newsapp import services
from newsapp.models import Article, Source, Topic
from newsapp.sanitize import clean_html


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

    def clean_body(self) -> str:
        return clean_html(self.cleaned_data["body"])


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ("title", "source", "status", "published_at", "topic_list")
    list_filter = ("status", "topics", "source", "published_at")
    list_select_related = ("source",)
    search_fields = ("title", "summary", "body", "author")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("topics",)
    autocomplete_fields = ("source",)
    readonly_fields = ("created_at", "updated_at")
    actions = ("publish", "unpublish")
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body")}),
        ("Filing", {"fields": ("topics", "source", "author", "original_url")}),
        ("Publication", {"fields": ("status", "published_at", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    @admin.display(description="topics")
    def topic_list(self, obj: Article) -> str:
        return ", ".join(t.name for t in obj.topics.all()) or "— (untagged)"

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish(self, request, queryset) -> None:
        changed = services.articles_set_status(articles=queryset, status=Article.Status.PUBLISHED)
        self.message_user(request, f"Published {changed} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish(self, request, queryset) -> None:
        changed = services.articles_set_status(articles=queryset, status=Article.Status.DRAFT)
        self.message_user(request, f"Moved {changed} article(s) back to draft.", messages.SUCCESS)

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("newsapp.publish_article")


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


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "site_url", "feed_url", "active")
    list_filter = ("active",)
    search_fields = ("name", "site_url", "feed_url")
    prepopulated_fields = {"slug": ("name",)}
