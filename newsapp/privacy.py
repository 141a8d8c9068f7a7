"""The personal data of the news domain, declared in the data inventory: its purposes,
its categories and its fields, and the news domain's part of the privacy pages (how the
feed is made, pausing personalization, what "Clear recommendations" clears), and the
cookie it sets for the reader's display choice."""

from consent.cookies import Cookie, register_cookie
from consent.extensions import (
    Clearing,
    ClearOption,
    Link,
    ProfilingSwitch,
    Section,
    register_clearing,
    register_eraser,
    register_profiling_switch,
    register_receipt_link,
    register_section,
)
from consent.inventory import (
    Aggregate,
    Category,
    Declaration,
    Erasure,
    PersonalField,
    declare,
    keep_aggregate,
    register_category,
)
from consent.purposes import ESSENTIAL, Purpose, register_purpose
from consent.retention import Retention
from newsapp import dashboard, exposure
from newsapp.models import (
    LOCATION_RETENTION_DAYS,
    ArticleFeedback,
    DigestSubscription,
    ReaderPreferences,
    Region,
    TopicFollow,
)
from newsapp.purposes import ANALYTICS, LOCATION, PERSONALIZE_HISTORY

FEEDBACK_RETENTION_DAYS = 365
HISTORY_RETENTION_DAYS = 90
ANALYTICS_RETENTION_DAYS = 395  # 13 months of daily counts
RESET_TOPICS = "reset_topics"  # the box on "Clear recommendations" (a URL contract)
CONSENT = "Consent (GDPR Art. 6(1)(a))"

# -- purposes ---------------------------------------------------------------------------------
register_purpose(
    Purpose(
        code=ESSENTIAL,
        title="Your account and the topics you chose",
        data="Your e-mail address, password (stored as a salted hash), the topics, "
        "keywords and mutes you set, and the feedback you give on articles.",
        why="To sign you in and to rank the news by the preferences you stated.",
        legal_basis="Contract (GDPR Art. 6(1)(b))",
        needs_consent=False,
        order=10,
    )
)
register_purpose(
    Purpose(
        code=PERSONALIZE_HISTORY,
        title="Use what I read to improve my feed",
        data="Which articles you opened, by day, under a pseudonym.",
        why="So that articles like the ones you read rank higher.",
        legal_basis=CONSENT,
        kept_for=Retention(days=HISTORY_RETENTION_DAYS),
        order=20,
    )
)
register_purpose(
    Purpose(
        code=ANALYTICS,
        title="Count me in anonymous statistics",
        data="Daily counts of reads per article and topic, with no identifier.",
        why="So editors learn which topics readers follow, through differentially "
        "private figures only.",
        legal_basis=CONSENT,
        kept_for=Retention(days=ANALYTICS_RETENTION_DAYS),
        order=30,
    )
)
register_purpose(
    Purpose(
        code=LOCATION,
        title="Local news for my region",
        data="The region you choose (never your coordinates), stored encrypted.",
        why="To rank news from your region a little higher.",
        legal_basis=CONSENT,
        kept_for=Retention(days=LOCATION_RETENTION_DAYS, after="your last visit"),
        order=40,
    )
)

# The daily counts identify nobody, but the analytics purpose promises how long they stay.
keep_aggregate(
    Aggregate(
        model="newsapp.DailyReadCount",
        title="Anonymous daily counts of reads",
        purpose=ANALYTICS,
        retention_anchor="day",
    )
)

keep_aggregate(
    Aggregate(
        model="newsapp.ExperimentOutcome",
        title="Anonymous counts of what readers did in each version of a ranking experiment",
        purpose=ANALYTICS,
        retention_anchor="day",
    )
)

# -- categories: the export keys of DESIGN.md ---------------------------------------------------
register_category(
    Category(
        code="preferences",
        title="The topics, keywords and mutes you chose",
        purpose=ESSENTIAL,
        description="What you told us you want to read, and what you never want to see.",
        reason="To rank the news by the preferences you stated.",
        order=20,
    )
)
register_category(
    Category(
        code="feedback",
        title="Your feedback on articles",
        purpose=ESSENTIAL,
        description='Your "more like this" and "less like this" on single articles.',
        kept_for=Retention(days=FEEDBACK_RETENTION_DAYS, after="you gave it"),
        order=30,
    )
)
register_category(
    Category(
        code="saved",
        title="Articles you saved",
        purpose=ESSENTIAL,
        description="The articles you saved to read later, and when you saved them. They "
        "shape your feed only while you allow us to use what you read.",
        reason="To keep the articles you asked us to keep, until you remove them.",
        order=35,
    )
)
register_category(
    Category(
        code="digest",
        title="Your e-mail digest",
        purpose=ESSENTIAL,
        description="Whether you asked for your top stories by e-mail, how often, and when "
        "the last one was sent. Off unless you switch it on.",
        reason="To send you the digest you asked for, and never twice.",
        order=37,
    )
)
register_category(
    Category(
        code="reading_history",
        title="What you read",
        purpose=PERSONALIZE_HISTORY,
        description="Which articles you opened, by day, under a pseudonym. "
        "Only while you allow it.",
        order=40,
    )
)
register_category(
    Category(
        code="location",
        title="Your region",
        purpose=LOCATION,
        description="The region you picked for local news, stored encrypted. "
        "Only while you allow it.",
        order=50,
    )
)


register_category(
    Category(
        code="experiments",
        title="Ranking experiments",
        purpose=ESSENTIAL,
        basis="Consent (GDPR Art. 6(1)(a)) to take part, given with “Count me in anonymous "
        "statistics”; keeping your choice to leave: legal obligation (GDPR Art. 6(1)(c), "
        "Art. 5(2) and 21)",
        reason="To try versions of the ranking only on readers who allowed statistics (the "
        "version a reader gets is worked out from their pseudonym, never stored; what they do "
        "is counted with no identifier), and to prove that we honoured your choice to leave.",
        description="Editors compare versions of the ranking (for example fresher stories "
        "first) on readers who allowed anonymous statistics. Which version you get is worked "
        "out from your pseudonym each time and never stored; what readers do in each version "
        "is counted per day with no identifier. We keep only your choices to leave or to take "
        "part again, each time you made one.",
        order=45,
    )
)


# -- fields -------------------------------------------------------------------------------------
def _region_name(slug: str) -> str:
    """The region's name, never its slug, on the privacy pages."""
    return Region.objects.filter(slug=slug).values_list("name", flat=True).first() or slug


def _clear_keywords(rows, options: frozenset[str]) -> int:
    if RESET_TOPICS not in options:
        return 0
    return rows.exclude(keywords="").update(keywords="")


def _clear_follows(rows, options: frozenset[str]) -> int:
    return rows.delete()[0] if RESET_TOPICS in options else 0


def _clear_feedback(rows, options: frozenset[str]) -> int:
    """Feedback and reading history go on every clear."""
    return rows.delete()[0]


declare(
    Declaration(
        model="newsapp.ReaderPreferences",
        category="preferences",
        many=False,
        item_name=("your settings", "your settings"),
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
        item_name=("topic you follow", "topics you follow"),
        fields={
            "topic": PersonalField("Topic you follow", named_by="name"),
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
        item_name=("piece of feedback", "pieces of feedback"),
        fields={
            "article": PersonalField("Article", named_by="title"),
            "kind": PersonalField("Your feedback", present=lambda v: ArticleFeedback.Kind(v).label),
            "created_at": PersonalField("Given on"),
        },
        not_personal={"user": "the link to the owner"},
        retention_anchor="created_at",
        clear=_clear_feedback,
        item_label=lambda row: f"{row.get_kind_display()}: {row.article.title}",
    )
)


declare(
    Declaration(
        model="newsapp.SavedArticle",
        category="saved",
        fields={
            "article": PersonalField("Article", named_by="title"),
            "created_at": PersonalField("Saved on"),
        },
        not_personal={"user": "the link to the owner"},
        item_label=lambda row: f"Saved: {row.article.title}",
        manage_url="newsapp:saved",
    )
)

declare(
    Declaration(
        model="newsapp.DigestSubscription",
        category="digest",
        many=False,
        fields={
            "frequency": PersonalField(
                "How often", present=lambda v: DigestSubscription.Frequency(v).label
            ),
            "created_at": PersonalField("Asked for on"),
            "last_period": PersonalField("Last digest (day or week)"),
            "last_sent_at": PersonalField("Last sent"),
        },
        not_personal={
            "user": "the link to the owner",
            "unsubscribe_key": "a random key that the unsubscribe link names instead of you",
        },
        manage_url="newsapp:digest",
    )
)

declare(
    Declaration(
        model="newsapp.ReadingEvent",
        category="reading_history",
        subject="pseudonym:pseudonym",
        item_name=("article you opened", "articles you opened"),
        fields={
            "article": PersonalField("Article you opened", named_by="title"),
            "day": PersonalField("Day (never the time)"),
            "pseudonym": PersonalField("Pseudonym"),
        },
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
        item_name=("the region you chose", "the region you chose"),
        fields={
            "region": PersonalField("Region you chose (stored encrypted)", show=_region_name),
            "last_seen_on": PersonalField(
                f"Last visit (the {LOCATION_RETENTION_DAYS} days count from here)"
            ),
        },
        not_personal={"user": "the link to the owner"},
        retention_anchor="last_seen_on",
        manage_url="newsapp:region",
    )
)


declare(
    Declaration(
        model="newsapp.ExperimentChoice",
        category="experiments",
        subject="pseudonym:subject_pseudonym",
        erasure=Erasure.PSEUDONYMISE,
        erasure_note="Kept under a pseudonym only, like your consents: the link to your "
        "account is cut.",
        fields={
            "created_at": PersonalField("When"),
            "taking_part": PersonalField(
                "Your choice",
                present=lambda v: "take part in experiments" if v else "left every experiment",
            ),
            "subject_pseudonym": PersonalField("Pseudonym"),
        },
        not_personal={"prev_hash": "integrity chain", "hash": "integrity chain"},
    )
)


# -- the news domain's part of the privacy pages -------------------------------------------------
register_section(
    Section(
        anchor="how",
        heading="How your feed is made",
        template="privacy/_how_your_feed_is_made.html",
        context=dashboard.how_your_feed_is_made,
    )
)
register_section(
    Section(
        anchor="digest",
        heading="E-mail digest",
        template="newsapp/_privacy_digest_panel.html",
        context=lambda reader: {
            "subscription": DigestSubscription.objects.filter(user=reader.user).first()
        },
    )
)


register_section(
    Section(
        anchor="feed-vs-everyone",
        heading="Your feed and everyone's",
        template="newsapp/_privacy_feed_vs_everyone.html",
        context=dashboard.feed_and_everyones,
    )
)

register_section(
    Section(
        anchor="experiments",
        heading="Ranking experiments",
        template="newsapp/_privacy_experiments_panel.html",
        context=dashboard.ranking_experiments,
    )
)


def _is_paused(user) -> bool:
    return ReaderPreferences.objects.filter(user=user, personalization_paused=True).exists()


def _set_paused(user, paused: bool) -> None:
    preferences, _ = ReaderPreferences.objects.get_or_create(user=user)
    preferences.personalization_paused = paused
    preferences.save(update_fields=["personalization_paused", "updated_at"])


register_profiling_switch(
    ProfilingSwitch(
        is_paused=_is_paused,
        set_paused=_set_paused,
        paused_message="Personalization is paused: your feed is Top stories and no profile is "
        "computed for you. Your stated topics are kept for when you switch it back on.",
        resumed_message="Personalization is back on, with the topics you chose.",
    )
)

register_clearing(
    Clearing(
        description="Deletes your feedback and everything the recommender learned from you. "
        "Your topics stay unless you tick the box.",
        options=(
            ClearOption(
                name=RESET_TOPICS,
                label="Also reset my topics and keywords",
                help_text="Leave this unticked to keep the topics and keywords you chose.",
            ),
        ),
    )
)

# The counts of "Your feed and everyone's" wait in the cache a few minutes; not after erasure.
register_eraser(exposure.first_page_forget)

register_receipt_link(Link("Go to your feed", "newsapp:home", signed_in=True))
register_receipt_link(Link("Read Top stories", "newsapp:top-stories", signed_in=False))


# -- cookies ------------------------------------------------------------------------------
# newsapp.display reads the name and lifetime from here, so the cookie set is the one declared.
DISPLAY_COOKIE = register_cookie(
    Cookie(
        name="display",  # "__Host-display" in production (settings.DISPLAY_COOKIE_NAME)
        title="Your display choice",
        purpose="essential",
        contents="The colour scheme (system, light or dark) and text size you chose, as two "
        "words such as “dark.large”; nothing that identifies you or what you read.",
        set_when="Only when you press “Apply” in the display settings; never before.",
        max_age=365 * 86400,
        legal_basis="Strictly necessary for a feature you asked for (ePrivacy Directive "
        "Art. 5(3)); no consent needed, and it is never read for anything else.",
    )
)
COOKIES = (DISPLAY_COOKIE,)
