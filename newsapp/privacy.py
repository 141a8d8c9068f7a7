"""The personal data of the news domain, declared in the data inventory, and the news
domain's part of the privacy dashboard (how the feed is made, pausing personalization),
and the cookie it sets for the reader's display choice."""

from dataclasses import dataclass

from consent.inventory import (
    Declaration,
    Panel,
    PersonalField,
    ProfilingSwitch,
    declare,
    register_panel,
    register_profiling_switch,
)
from newsapp.models import (
    LOCATION_RETENTION_DAYS,
    ArticleFeedback,
    ReaderPreferences,
    TopicFollow,
)

FEEDBACK_RETENTION_DAYS = 365
HISTORY_RETENTION_DAYS = 90


def _clear_keywords(rows, reset_topics: bool) -> int:
    if not reset_topics:
        return 0
    return rows.exclude(keywords="").update(keywords="")


def _clear_follows(rows, reset_topics: bool) -> int:
    return rows.delete()[0] if reset_topics else 0


def _clear_feedback(rows, reset_topics: bool) -> int:
    """Feedback and reading history go on every clear."""
    return rows.delete()[0]


declare(
    Declaration(
        model="newsapp.ReaderPreferences",
        category="preferences",
        many=False,
        fields={
            "keywords": PersonalField("Keywords you typed"),
            "muted_topics": PersonalField("Topics you muted"),
            "muted_sources": PersonalField("Outlets you muted"),
            "explore": PersonalField('Show an "Outside your topics" pick'),
            "personalization_paused": PersonalField("Personalization paused"),
            "updated_at": PersonalField("Last changed"),
        },
        not_personal={"user": "the link to the owner"},
        clear=_clear_keywords,
        manage_url="newsapp:topics",
    )
)

declare(
    Declaration(
        model="newsapp.TopicFollow",
        category="preferences",
        fields={
            "topic": PersonalField("Topic you follow"),
            "weight": PersonalField(
                "How much of it", present=lambda v: TopicFollow.Weight(v).label
            ),
            "created_at": PersonalField("Followed since"),
        },
        not_personal={"user": "the link to the owner"},
        clear=_clear_follows,
        manage_url="newsapp:topics",
    )
)

declare(
    Declaration(
        model="newsapp.ArticleFeedback",
        category="feedback",
        fields={
            "article": PersonalField("Article"),
            "kind": PersonalField("Your feedback", present=lambda v: ArticleFeedback.Kind(v).label),
            "created_at": PersonalField("Given on"),
        },
        not_personal={"user": "the link to the owner"},
        retention_days=FEEDBACK_RETENTION_DAYS,
        retention_anchor="created_at",
        clear=_clear_feedback,
        item_label=lambda row: f"{row.get_kind_display()}: {row.article.title}",
    )
)


declare(
    Declaration(
        model="newsapp.ReadingEvent",
        category="reading_history",
        subject="pseudonym:pseudonym",
        fields={
            "article": PersonalField("Article you opened"),
            "day": PersonalField("Day (never the time)"),
            "pseudonym": PersonalField("Pseudonym"),
        },
        retention_days=HISTORY_RETENTION_DAYS,
        retention_anchor="day",
        clear=_clear_feedback,
        item_label=lambda row: f"Read: {row.article.title} ({row.day:%d %b})",
    )
)


declare(
    Declaration(
        model="newsapp.ReaderLocation",
        category="location",
        many=False,
        fields={
            "region": PersonalField("Region you chose (stored encrypted)"),
            "last_seen_on": PersonalField("Last visit (the 30 days count from here)"),
        },
        not_personal={"user": "the link to the owner"},
        retention_days=LOCATION_RETENTION_DAYS,
        retention_anchor="last_seen_on",
        manage_url="newsapp:region",
    )
)


def _feed_panel_context(user) -> dict:
    follows = list(
        TopicFollow.objects.filter(user=user).select_related("topic").order_by("-weight", "topic")
    )
    preferences = ReaderPreferences.objects.filter(user=user).first()
    total = sum(f.weight for f in follows) or 1
    return {
        "follows": [
            {
                "topic": f.topic,
                "weight": f.weight,
                "label": f.get_weight_display(),
                "share": round(100 * f.weight / total),
            }
            for f in follows
        ],
        "keywords": preferences.keyword_list if preferences else [],
        "feedback_count": ArticleFeedback.objects.filter(user=user).count(),
        "paused": bool(preferences and preferences.personalization_paused),
    }


register_panel(Panel(template="newsapp/_privacy_feed_panel.html", context=_feed_panel_context))


def _is_paused(user) -> bool:
    return ReaderPreferences.objects.filter(user=user, personalization_paused=True).exists()


def _set_paused(user, paused: bool) -> None:
    preferences, _ = ReaderPreferences.objects.get_or_create(user=user)
    preferences.personalization_paused = paused
    preferences.save(update_fields=["personalization_paused", "updated_at"])


register_profiling_switch(ProfilingSwitch(is_paused=_is_paused, set_paused=_set_paused))


# -- cookies ------------------------------------------------------------------------------
# Self-contained until the privacy layer registers cookies itself: the lead moves this
# declaration into consent's registry. newsapp.display reads its name and lifetime here, so
# the cookie set is always the one declared.
@dataclass(frozen=True)
class CookieDeclaration:
    name: str
    title: str
    purpose: str  # a purpose code of consent.purposes
    contents: str
    set_when: str
    retention: str
    max_age_days: int
    legal_basis: str
    personal: bool


DISPLAY_COOKIE = CookieDeclaration(
    name="display",  # "__Host-display" in production (settings.DISPLAY_COOKIE_NAME)
    title="Your display choice",
    purpose="essential",
    contents="The colour scheme (system, light or dark) and text size you chose, as two "
    "words such as “dark.large”; nothing that identifies you or what you read.",
    set_when="Only when you press “Apply” in the display settings; never before.",
    retention="One year after you last chose, or until you clear your browser's cookies.",
    max_age_days=365,
    legal_basis="Strictly necessary for a feature you asked for (ePrivacy Directive "
    "Art. 5(3)); no consent needed, and it is never read for anything else.",
    personal=False,
)

COOKIES = (DISPLAY_COOKIE,)
