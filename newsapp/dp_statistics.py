"""The statistics editors may see, each with its contribution bound, released only through
``consent.dp`` (noise, budget, threshold). Only readers who allowed analytics count."""

from collections import Counter

from django.conf import settings
from django.utils import timezone

from consent.dp import Statistic, register_statistic
from consent.selectors import users_consenting_to
from newsapp.models import Article, DailyReadCount, Topic, TopicFollow
from newsapp.purposes import ANALYTICS


def followers_per_topic(day=None) -> dict[str, int]:
    counts = Counter(dict.fromkeys(Topic.objects.values_list("name", flat=True), 0))
    readers = users_consenting_to(ANALYTICS)
    taken: Counter = Counter()
    follows = (
        TopicFollow.objects.filter(user_id__in=readers)
        .order_by("user_id", "-weight", "created_at")
        .values_list("user_id", "topic__name")
    )
    for user_id, topic_name in follows:
        if taken[user_id] < settings.DP_MAX_TOPICS_PER_READER:  # bounded contribution
            taken[user_id] += 1
            counts[topic_name] += 1
    return dict(counts)


def reads_per_topic(day=None) -> dict[str, int]:
    day = day or timezone.localdate()
    counts = Counter(dict.fromkeys(Topic.objects.values_list("name", flat=True), 0))
    rows = DailyReadCount.objects.filter(day=day).values_list("article_id", "reads")
    reads = dict(rows)
    topics_of = {}
    for article in Article.objects.filter(pk__in=reads).prefetch_related("topics"):
        names = sorted(t.name for t in article.topics.all())
        topics_of[article.pk] = names[: settings.DP_MAX_TOPICS_PER_ARTICLE]
    for article_id, count in reads.items():
        for name in topics_of.get(article_id, []):
            counts[name] += count
    return dict(counts)


register_statistic(
    Statistic(
        code="followers_per_topic",
        title="Followers per topic",
        unit="readers",
        per_day=False,
        sensitivity=lambda: settings.DP_MAX_TOPICS_PER_READER,
        compute=followers_per_topic,
        label_heading="Topic",
        explanation="Readers who allowed statistics and follow each topic (each reader "
        f"counts for at most {settings.DP_MAX_TOPICS_PER_READER} topics).",
    )
)

register_statistic(
    Statistic(
        code="reads_per_topic",
        title="Reads per topic on a day",
        unit="reads",
        per_day=True,
        sensitivity=lambda: (
            settings.DP_MAX_READS_PER_READER_PER_DAY * settings.DP_MAX_TOPICS_PER_ARTICLE
        ),
        compute=reads_per_topic,
        label_heading="Topic",
        explanation="Articles opened by readers who allowed statistics, per topic of the "
        f"article (at most {settings.DP_MAX_READS_PER_READER_PER_DAY} reads per reader a day).",
    )
)
