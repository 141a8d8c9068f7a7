"""The freshness rule (stated at ``RELEVANCE_CAP`` in newsapp/recommender/index.py): once
the index is sure enough that an article is about what the reader asked for, more
certainty counts no more and the fresher story ranks first."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from newsapp import ranking, selectors
from newsapp.models import Article
from newsapp.recommender import Document, Profile, build_index

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.mark.django_db
def test_demo_readers_first_page_is_mostly_from_the_last_few_days(settings):
    settings.DEBUG = True
    call_command("load_demo")
    reader = get_user_model().objects.get(email="reader@example.com")
    ranking.reset_cache()
    preferences = selectors.preferences_for_user(user=reader)
    # One card per story: rank deeper than a page, and read the page's first 20 cards.
    page_one = selectors.feed_recommendations(preferences=preferences, depth=40)[:20]
    published = Article.objects.in_bulk([r.doc_id for r in page_one])
    ages = [(timezone.now() - published[r.doc_id].published_at).days for r in page_one]
    assert len(ages) == 20
    # The demo holds recent stories on the reader's topics and keywords: they lead...
    assert max(ages[:5]) <= 3, ages
    # ...and most of the page is from the last week (a two-week-old story led before).
    assert sum(age <= 7 for age in ages) >= 15, ages


def _article(i, text, days_ago, topics=frozenset()):
    return Document(
        id=i, title=text, text=text, topics=topics, published_at=NOW - timedelta(days=days_ago)
    )


TOPIC_WORDS = {
    "space": "rocket launch orbit satellite astronauts mission station telescope planet moon "
    "comet galaxy probe lander crater asteroid spacecraft cosmonaut nebula solar",
    "food": "bakery bread recipe chefs harvest kitchen restaurant flour oven dinner cheese "
    "market menu soup pastry vegetables butcher vineyard spices noodles",
    "sport": "football match goal league striker coach stadium championship season referee "
    "tennis sprinter marathon cyclist trophy penalty keeper derby medal relay",
}


def _newsroom():
    """90 varied stories in three topics over the last 20 days, half of them tagged."""
    rng = random.Random(4)
    docs = []
    for i in range(30):
        for name, words in TOPIC_WORDS.items():
            text = " ".join(rng.sample(words.split(), 6))
            tagged = frozenset({name}) if i % 2 == 0 else frozenset()
            docs.append(_article(f"{name}-{i}", text, 1 + i % 20, tagged))
    return docs


def test_a_fresh_relevant_story_outranks_an_older_surer_one_but_a_fresh_off_topic_one_does_not():
    docs = [
        *_newsroom(),
        _article("old-space", "rocket launch orbit satellite astronauts telescope planet", 14),
        _article("new-space", "comet probe lander crater asteroid spacecraft", 0),
        _article("new-food", "bakery bread recipe chefs oven flour", 0),
    ]
    index = build_index(docs)
    profile = Profile(topics={"space": 1.0}, explore=False)
    ids = [r.doc_id for r in index.recommend(profile, k=60, now=NOW)]
    assert ids.index("new-space") < ids.index("old-space")
    # Freshness does not stand in for relevance: every space story ranks above it.
    assert ids.index("new-food") > max(i for i, d in enumerate(ids) if "space" in d)
