"""The news domain's sections of the privacy dashboard, drawn from one read of the reader.

"How your feed is made", "Your feed and everyone's" and "Ranking experiments" all show the
reader's stated preferences and where they stand in experiments: those are read once per
page (``DashboardReader.once``), with the consents the page has already read, instead of
once per section. "Your feed and everyone's" ranks the reader's first page only when
something it is ranked from has changed (``newsapp.exposure.reader_comparison``).
"""

from dataclasses import dataclass

from consent.extensions import DashboardReader
from newsapp import experiments, exposure, selectors
from newsapp.purposes import ANALYTICS, PERSONALIZE_HISTORY


@dataclass(frozen=True)
class ReaderOnPage:
    preferences: selectors.StatedPreferences
    participation: experiments.Participation


def _reader(reader: DashboardReader) -> ReaderOnPage:
    def read() -> ReaderOnPage:
        return ReaderOnPage(
            preferences=selectors.preferences_for_user(user=reader.user),
            participation=experiments.participation_for(
                user_id=reader.user.pk, analytics=reader.granted(ANALYTICS)
            ),
        )

    return reader.once("newsapp.reader", read)


def how_your_feed_is_made(reader: DashboardReader) -> dict:
    preferences = _reader(reader).preferences
    # Most wanted first; the preferences list follows by topic name, which breaks ties.
    follows = sorted(preferences.follows, key=lambda f: -f.weight)
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
        "keywords": preferences.keywords,
        "muted": len(preferences.muted_topics) + len(preferences.muted_sources),
        "explore": preferences.explore,
        "feedback_count": len(preferences.liked) + len(preferences.disliked),
        "uses_history": reader.granted(PERSONALIZE_HISTORY),
        "paused": preferences.paused,
    }


def feed_and_everyones(reader: DashboardReader) -> dict:
    found = _reader(reader)
    return exposure.reader_comparison(
        preferences=found.preferences, tuning=found.participation.tuning
    )


def ranking_experiments(reader: DashboardReader) -> dict:
    found = _reader(reader)
    return experiments.dashboard_context(found.participation, paused=found.preferences.paused)
