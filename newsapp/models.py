from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import default_storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from consent.fields import EncryptedTextField
from newsapp.core.fields import SanitizedHTMLField
from newsapp.core.reversing import reverse_cached
from newsapp.core.sanitize import strip_sanitised_tags


class Topic(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(
        help_text="Plain language: what a reader following this topic will get."
    )
    keywords = models.TextField(
        blank=True,
        help_text="Comma-separated words that describe the topic; they teach the recommender "
        "what the topic is about even before any article is tagged.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_cached("newsapp:topic-detail", slug=self.slug)

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class Source(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    site_url = models.URLField(blank=True)
    feed_url = models.URLField(max_length=1000, blank=True)
    active = models.BooleanField(default=True)
    publish_imported = models.BooleanField(
        default=False,
        help_text="Publish articles imported from this feed at once; otherwise they arrive "
        "as drafts for an editor to review.",
    )

    # Feed state, written by the importer after every fetch (newsapp.ingest).
    class FetchStatus(models.TextChoices):
        OK = "ok", "Imported"
        NOT_MODIFIED = "not_modified", "Unchanged since the last fetch"
        FAILED = "failed", "Failed"

    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.CharField(
        max_length=20, choices=FetchStatus.choices, blank=True, editable=False
    )
    last_new = models.PositiveIntegerField(default=0, editable=False)
    last_updated = models.PositiveIntegerField(default=0, editable=False)
    last_skipped = models.PositiveIntegerField(default=0, editable=False)
    last_failed = models.PositiveIntegerField(default=0, editable=False)
    last_error = models.TextField(
        blank=True, editable=False, help_text="What went wrong on the last fetch, in plain words."
    )
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    next_fetch_after = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="After failures the feed is left alone until then (exponential backoff).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_cached("newsapp:source-detail", slug=self.slug)


class Region(models.Model):
    """A place local news can be about. The centre lets a reader's browser suggest the
    nearest region without the coordinates ever reaching us."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class LeadImage:
    """An article's picture as the templates use it: every rendition is a file of this site."""

    stem: str
    widths: tuple[int, ...]
    width: int  # of the widest rendition
    height: int
    alt: str
    credit: str

    def url(self, width: int) -> str:
        return default_storage.url(rendition_name(self.stem, width))

    def height_at(self, width: int) -> int:
        return max(1, round(width * self.height / self.width))

    @property
    def src(self) -> str:
        """The smallest rendition: what a card needs, and the fallback for old browsers."""
        return self.url(self.widths[0])

    @property
    def large(self) -> str:
        return self.url(self.widths[-1])

    @property
    def srcset(self) -> str:
        return ", ".join(f"{self.url(w)} {w}w" for w in self.widths)

    @property
    def small_height(self) -> int:
        return self.height_at(self.widths[0])


def rendition_name(stem: str, width: int) -> str:
    return f"{stem}-{width}.webp"


class Story(models.Model):
    """One news story as several outlets tell it ("full coverage"). Articles join one as
    they are published, when ``newsapp.coverage`` finds them close to another's version."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return f"Story #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("newsapp:story-detail", kwargs={"pk": self.pk})


# What ``ArticleQuerySet.for_cards`` reads of an article (the Atom entries of Top stories
# are made from the cards too: their author and update time).
CARD_FIELDS = (
    "id",
    "title",
    "slug",
    "summary",
    "body",
    "author",
    "source",
    "status",
    "published_at",
    "updated_at",
    "story",
    "image",
    "image_widths",
    "image_width",
    "image_height",
    "image_alt",
    "image_credit",
)


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def without_muted(self, *, topic_ids=(), source_ids=()) -> "ArticleQuerySet":
        qs = self
        if source_ids:
            qs = qs.exclude(source_id__in=source_ids)
        if topic_ids:
            qs = qs.exclude(topics__in=topic_ids)
        return qs

    def for_cards(self) -> "ArticleQuerySet":
        """Everything a card shows (and a search snippet or a "Why this?" reads), and no
        more, in a fixed number of queries: making a page's articles and their outlets
        costs by the column, and an outlet row holds its whole fetch schedule."""
        topics = models.Prefetch("topics", queryset=Topic.objects.only("id", "name", "slug"))
        return (
            self.select_related("source")
            .only(*CARD_FIELDS, "source__id", "source__slug", "source__name")
            .prefetch_related(topics)
        )

    def for_page(self) -> "ArticleQuerySet":
        """The whole article, its outlet and its topics (the article page, the feeds)."""
        return self.select_related("source").prefetch_related("topics")


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> ArticleQuerySet:
        # The search vector is the database's business (newsapp.search.schema): never read
        # into a page, and never written back by save(), which skips deferred fields.
        return super().get_queryset().defer("search_vector")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300, unique=True)
    summary = models.TextField(blank=True)
    body = SanitizedHTMLField(help_text="HTML; sanitised to a safe allow-list on every write.")
    original_url = models.URLField(max_length=1000, blank=True)
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    author = models.CharField(max_length=200, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="The place this story is about, for readers who asked for local news.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Identity of an imported article, so a re-import updates it instead of duplicating it.
    guid = models.CharField(
        max_length=500, blank=True, editable=False, help_text="The feed's id for this entry."
    )
    content_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the normalised title and text: the same story from elsewhere.",
    )
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The lead picture, re-encoded on our side (newsapp.ingest.images) and stored in a few
    # widths under ``image``: "<image>-<width>.webp" for each of ``image_widths``.
    image = models.CharField(max_length=200, blank=True, editable=False)
    image_widths = models.CharField(max_length=60, blank=True, editable=False)
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "picture description",
        max_length=300,
        blank=True,
        help_text="What the picture shows, for readers who cannot see it. Required with a picture.",
    )
    image_credit = models.CharField(
        "picture credit", max_length=200, blank=True, help_text="Who made the picture."
    )
    image_url = models.URLField(
        max_length=1000,
        blank=True,
        editable=False,
        help_text="Where the feed's picture came from (fetched by the server, never linked).",
    )
    # Full-text search: on PostgreSQL a tsvector kept current by a trigger and GIN-indexed
    # (both made by the migration); on SQLite always empty, an FTS5 table does the job.
    search_vector = SearchVectorField(null=True, editable=False)
    # Full coverage (newsapp.coverage): the story this article is one version of, if another
    # outlet's version was found; and when it was looked for (None: not yet).
    story = models.ForeignKey(
        Story,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    clustered_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["source", "guid"], name="article_source_guid"),
            models.Index(fields=["content_hash"], name="article_content_hash"),
            # What full coverage has still to look at: small, and read newest first.
            models.Index(
                fields=["-published_at"],
                condition=Q(clustered_at__isnull=True),
                name="article_coverage_pending",
            ),
        ]
        permissions = [("publish_article", "Can publish and unpublish articles")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(image="") | ~models.Q(image_alt=""),
                name="article_image_has_alt_text",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse_cached("newsapp:article-detail", slug=self.slug)

    @property
    def lead_image(self) -> LeadImage | None:
        if not self.image or not self.image_width or not self.image_height:
            return None
        widths = tuple(int(w) for w in self.image_widths.split(",") if w.isdigit())
        if not widths:
            return None
        return LeadImage(
            stem=self.image,
            widths=widths,
            width=self.image_width,
            height=self.image_height,
            alt=self.image_alt,
            credit=self.image_credit,
        )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def plain_text(self) -> str:
        return strip_sanitised_tags(self.body)  # the body is sanitised on every write

    @property
    def reading_minutes(self) -> int:
        # Every card shows it, and counting words reads the whole body: remembered per
        # process for this article's text (an edit of the body is another key).
        key = (self.pk, hash(self.body))
        minutes = _READING_MINUTES.get(key)
        if minutes is None:
            minutes = max(1, round(len(self.plain_text.split()) / 220))
            if len(_READING_MINUTES) >= _READING_MINUTES_SIZE:
                _READING_MINUTES.clear()  # bounded; refilled by the pages that follow
            _READING_MINUTES[key] = minutes
        return minutes


_READING_MINUTES: dict[tuple[int | None, int], int] = {}
_READING_MINUTES_SIZE = 20_000


class ReaderPreferences(models.Model):
    """What a reader told us they want. Stated preferences only; nothing inferred."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    keywords = EncryptedTextField(
        bind_to="user", blank=True, help_text="Comma-separated interest keywords (encrypted)."
    )
    muted_topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    muted_sources = models.ManyToManyField(Source, blank=True, related_name="+")
    explore = models.BooleanField(
        default=True, help_text='Show one "Outside your topics" pick in the feed.'
    )
    personalization_paused = models.BooleanField(
        default=False,
        help_text="The reader objected to profiling: they get Top stories and no profile "
        "is computed for them until they switch it back on.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reader preferences"

    def __str__(self) -> str:
        return f"Preferences of reader #{self.user_id}"

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class TopicFollow(models.Model):
    """A topic a reader follows, with how much of it they want (less / normal / more)."""

    class Weight(models.IntegerChoices):
        LESS = 1, "Less"
        NORMAL = 2, "Normal"
        MORE = 3, "More"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_follows"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    weight = models.PositiveSmallIntegerField(
        choices=Weight.choices,
        default=Weight.NORMAL,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="unique_topic_follow")
        ]

    def __str__(self) -> str:
        return f"reader #{self.user_id} follows {self.topic_id}"


class ArticleFeedback(models.Model):
    """A reader's explicit "more like this" or "less like this" on one article."""

    class Kind(models.TextChoices):
        MORE = "more", "More like this"
        LESS = "less", "Less like this"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_feedback"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="unique_article_feedback")
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"reader #{self.user_id}: {self.get_kind_display()} (article {self.article_id})"


class ReadingEvent(models.Model):
    """One article a consenting reader opened on one day (purpose ``personalize_history``).

    Keyed by the reader's pseudonym, never the user id, and by the day, never the time.
    """

    pseudonym = models.CharField(max_length=64, db_index=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pseudonym", "article", "day"], name="unique_reading_event"
            )
        ]
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"article {self.article_id} read on {self.day}"


class DailyReadCount(models.Model):
    """Reads per article per day by readers who allowed statistics. No identifier at all."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(db_index=True)
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "day"], name="unique_daily_read_count")
        ]

    def __str__(self) -> str:
        return f"{self.reads} reads of article {self.article_id} on {self.day}"


class TopicSuggestion(models.Model):
    """A topic the recommender thinks an untagged article is about, for an editor to accept."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="topic_suggestions")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    confidence = models.FloatField(
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="0 to 1: how sure the recommender is.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "topic"], name="unique_topic_suggestion")
        ]
        ordering = ["article", "-confidence"]

    def __str__(self) -> str:
        return f"{self.topic_id} for article {self.article_id} ({self.confidence:.0%})"


LOCATION_RETENTION_DAYS = 30


class ReaderLocation(models.Model):
    """The region a reader chose for local news (purpose ``location``), stored encrypted.

    Never coordinates: the browser may suggest a region, but only the region's slug is
    sent. Forgotten ``LOCATION_RETENTION_DAYS`` after the last visit and when the consent
    is withdrawn.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="location"
    )
    region = EncryptedTextField(bind_to="user", help_text="A region slug (encrypted).")
    last_seen_on = models.DateField(default=timezone.localdate)

    def __str__(self) -> str:
        return f"Region of reader #{self.user_id}"


class ContentVersion(models.Model):
    """One row: the version of everything the recommender reads, and which index serves it.

    ``version`` is bumped by the database itself, in the same transaction as every insert,
    update or delete of an article, of an article's topics and of a topic (triggers made by
    migration 0014), so every write path counts: services, the admin, imports, ``bulk_create``
    and raw SQL alike. Reading it is one primary-key look-up, however large the corpus.
    The other columns are written by the index refresh (``newsapp.ranking``) only.
    """

    version = models.BigIntegerField(default=0)
    index_version = models.BigIntegerField(
        default=-1, help_text="The content version the current index was built for."
    )
    index_name = models.CharField(
        max_length=100, blank=True, help_text="The current index's directory on shared storage."
    )
    queued = models.BigIntegerField(
        default=-1, help_text="The newest content version a refresh of the index was queued for."
    )
    queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"content version {self.version} (index for {self.index_version})"


class SavedArticle(models.Model):
    """An article a reader keeps to read later, until they remove it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_articles"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="unique_saved_article")
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"reader #{self.user_id} saved article {self.article_id}"


class DigestSubscription(models.Model):
    """A reader asked for their "For you" top stories by e-mail (no row: no digest).

    ``last_period`` is the day or ISO week last sent: the sender claims a period by changing
    it in one UPDATE, so a restarted or second worker cannot send it twice.
    ``unsubscribe_key`` is what the signed one-click unsubscribe link names, never the user.
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", "Every morning"
        WEEKLY = "weekly", "Every Monday morning"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest"
    )
    frequency = models.CharField(max_length=6, choices=Frequency.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    last_period = models.CharField(max_length=12, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_key = models.CharField(max_length=32, unique=True)

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} digest of reader #{self.user_id}"


# The recommender's audits and experiments live in their own module; importing them here is
# what registers them with the app.
from newsapp.audit_models import (  # noqa: E402, F401
    Experiment,
    ExperimentArm,
    ExperimentChoice,
    ExperimentOutcome,
    ExposureAudit,
)
