from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from newsapp import (
    choices,
    display,
    experiment_views,
    feeds,
    private_views,
    reader_views,
    views,
)
from newsapp.core.media import serve_media

news_patterns = [
    path("", views.home, name="home"),
    path("top/", views.top_stories, name="top-stories"),
    path("latest/", views.latest, name="latest"),
    path("feed/", feeds.top_stories_feed, name="feed"),
    path("topics/<slug:slug>/feed/", feeds.topic_feed, name="topic-feed"),
    path("sources/<slug:slug>/feed/", feeds.source_feed, name="source-feed"),
    path("search/", views.search, name="search"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("stories/<int:pk>/", views.story_detail, name="story-detail"),
    path("topics/", views.topics, name="topics"),
    path("topics/fine-tune/", views.topics_fine_tune, name="topics-fine-tune"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path("topics/<slug:slug>/follow/", choices.topic_follow, name="topic-follow"),
    path("topics/<slug:slug>/unfollow/", choices.topic_unfollow, name="topic-unfollow"),
    path("articles/<slug:slug>/feedback/", choices.article_feedback, name="article-feedback"),
    path("articles/<slug:slug>/save/", reader_views.article_save, name="article-save"),
    path("saved/", reader_views.saved, name="saved"),
    path("digest/", reader_views.digest_settings, name="digest"),
    path(
        "digest/unsubscribe/<str:token>/",
        reader_views.digest_unsubscribe,
        name="digest-unsubscribe",
    ),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
    path("sources/<slug:slug>/mute/", choices.source_mute, name="source-mute"),
    path("sources/<slug:slug>/unmute/", choices.source_unmute, name="source-unmute"),
    path("display/", display.display_set, name="display"),
    path("region/", views.region, name="region"),
    path("experiments/choice/", experiment_views.experiments_choice, name="experiments-choice"),
    path("private/", private_views.private_home, name="private"),
    path("private/pack/<str:version>.json", private_views.private_pack_json, name="private-pack"),
    path("private/moved/", private_views.private_moved, name="private-moved"),
    path("private/from-account/", private_views.move_to_private, name="private-from-account"),
    path("private/to-account/", private_views.move_to_account, name="private-to-account"),
    path("healthz", views.healthz, name="healthz"),
]

# The admin signs in through allauth: the same rate limits, and the TOTP step, as everyone.
admin.site.login = secure_admin_login(admin.site.login)
# Titled for the people who work in it, not "Django administration".
admin.site.site_header = f"{settings.SITE_NAME} newsroom"
admin.site.site_title = f"{settings.SITE_NAME} newsroom"
admin.site.index_title = "Newsroom and privacy records"
# The sidebar repeats the index and takes a quarter of the width the article list needs.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", include((news_patterns, "newsapp"))),
    path("privacy/", include("consent.urls")),
    path("accounts/", include("accounts.urls")),  # the account page, beside allauth's
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("media/<path:name>", serve_media, name="media"),
]

handler400 = "newsapp.core.errors.bad_request"
handler403 = "newsapp.core.errors.permission_denied"
handler404 = "newsapp.core.errors.page_not_found"
# A database outage is a 503 with its own page, anything else the 500 page.
handler500 = "newsapp.core.outage.server_error"
