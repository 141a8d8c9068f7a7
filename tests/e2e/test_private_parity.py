"""Private mode ranks in the browser exactly as the server does: the parity test.

The demo newsroom (211 real-text articles, 12 topics, 5 outlets, stories told by several
outlets) is indexed; 200 seeded random readers (followed topics with weights, keywords
taken from the articles' own words, mutes, "more / less like this", exploration on or off)
are ranked by the server's "For you" ranking (``Index.rank`` 200 deep, one card per story)
and by private-rank.js in Chromium from the pack the page downloads. The figures are
printed for the closing note; the bar is the issue's: the same top 20 in at least 95% of
the profiles, and the same reasons for the first card, word for word, in at least 95%.
"""

import random
from datetime import timedelta

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from newsapp import ranking, selectors
from newsapp.models import Source
from newsapp.recommender import Profile
from newsapp.recommender.explain import LOGIT_CAP, Explainer

PROFILES = 200
SHARE_TOLERANCE = 0.011  # shares are rounded to 3 decimals from quantised affinities


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    return ranking.get_index()


def random_profiles(index, count: int, seed: int = 19) -> list[dict]:
    rng = random.Random(seed)
    topics = list(index.topics)
    sources = list(Source.objects.values_list("slug", flat=True))
    # Keywords a reader could type: words of the articles (common and rare alike).
    words = [str(w) for w in index.terms.tolist() if len(str(w)) > 3]
    ids = list(index.doc_ids)
    profiles = []
    for _ in range(count):
        followed = rng.sample(topics, rng.randint(0, 4))
        others = [t for t in topics if t not in followed]
        keywords = rng.sample(words, rng.choice([0, 0, 1, 2]))
        if not followed and not keywords:
            keywords = rng.sample(words, 1)
        liked = rng.sample(ids, rng.choice([0, 0, 0, 1, 2]))
        disliked = [i for i in rng.sample(ids, rng.choice([0, 0, 0, 1])) if i not in liked]
        profiles.append(
            {
                "schema": "newsapp.private-profile/1",
                "topics": {slug: rng.choice([1, 2, 3]) for slug in followed},
                "keywords": keywords,
                "muted_topics": rng.sample(others, rng.choice([0, 0, 1])),
                "muted_sources": rng.sample(sources, rng.choice([0, 0, 0, 1])),
                "liked": liked,
                "disliked": disliked,
                "explore": rng.random() < 0.8,
                "region": None,
            }
        )
    return profiles


def as_profile(profile: dict) -> Profile:
    return Profile(
        topics=profile["topics"],
        keywords=tuple(profile["keywords"]),
        muted_topics=frozenset(profile["muted_topics"]),
        muted_sources=frozenset(profile["muted_sources"]),
        liked=tuple(profile["liked"]),
        disliked=tuple(profile["disliked"]),
        explore=profile["explore"],
    )


def server_feed(index, profile: dict, now) -> list:
    """The server's "For you" ranking for these stated preferences (views.home's path:
    ``selectors.feed_recommendations``), at a fixed time."""
    ranked = index.rank(
        as_profile(profile),
        k=200,
        now=now,
        half_life_hours=settings.RECOMMENDER_HALF_LIFE_HOURS,
    )
    return ranked.filtered(selectors._one_per_story(), batch=40)[:20]


BROWSER_RANKING = """async ({profiles, now}) => {
    const url = document.getElementById('private-app').dataset.packUrl;
    const pack = PrivateRank.decode(await (await fetch(url, {credentials: 'omit'})).json());
    return profiles.map(p => PrivateRank.rank(pack, p, {now})
        .map(r => ({id: r.id, reasons: r.reasons})));
}"""


def term_contributions(index, profile: dict, doc_id) -> dict[str, float]:
    """What each of the article's terms added for this reader, as the server's explainer
    computed it (to tell a real difference from a tie at float32 precision)."""
    explainer = Explainer(index.score(as_profile(profile)))
    i = index.position[doc_id]
    matrix = index.matrix
    columns = matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]]
    affinity = index.affinity[explainer.rows, i] if len(explainer.rows) else np.zeros(0)
    odds = np.exp(np.minimum(affinity + explainer.shifts, LOGIT_CAP))[None, :]
    values = matrix.data[matrix.indptr[i] : matrix.indptr[i + 1]]
    weights = explainer._term_weights(
        np.array([i]), columns, np.array([len(columns)]), np.array([0]), odds
    )
    added = values * weights
    return {str(index.terms[c]): float(v) for c, v in zip(columns, added, strict=True)}


def same_terms(server_terms, browser_terms, contributions) -> bool:
    """The same words, or words that added the same to the score to a millionth: two
    words met in exactly the same articles weigh the same in every topic, and which of
    them comes first is float32 rounding on the server."""
    if list(server_terms) == browser_terms:
        return True
    if len(server_terms) != len(browser_terms):
        return False
    scale = max(abs(v) for v in contributions.values()) or 1.0
    return all(
        abs(contributions.get(a, 0.0) - contributions.get(b, -1.0)) <= 1e-6 * scale
        for a, b in zip(server_terms, browser_terms, strict=True)
    )


def same_reasons(server, browser, contributions=None) -> bool:
    """The same reasons: topics (shares to rounding), keywords, exploration, liked, and the
    same words (exactly, or up to ties when ``contributions`` is given)."""
    topics = [slug for slug, _ in server.topics]
    shares_agree = all(
        abs(share - b[1]) <= SHARE_TOLERANCE
        for (_, share), b in zip(server.topics, browser["topics"], strict=False)
    )
    return (
        topics == [slug for slug, _ in browser["topics"]]
        and shares_agree
        and (
            list(server.terms) == browser["terms"]
            if contributions is None
            else same_terms(server.terms, browser["terms"], contributions)
        )
        and list(server.keywords) == browser["keywords"]
        and server.exploration == browser["exploration"]
        and list(server.liked) == browser["liked"]
    )


def test_browser_ranks_as_the_server_does(web, site, demo, capsys):
    index = demo
    page = web
    page.goto(f"{site}/private/")
    page.wait_for_selector("#private-app[data-ready=true]")
    now = timezone.now().replace(second=0, microsecond=0) + timedelta(seconds=30)
    profiles = random_profiles(index, PROFILES)
    browser = page.evaluate(BROWSER_RANKING, {"profiles": profiles, "now": now.timestamp() * 1000})
    same_order = same_set = same_first = same_first_exactly = 0
    differences = []
    reason_diffs = []
    tie_diffs = []
    for profile, theirs in zip(profiles, browser, strict=True):
        ours = server_feed(index, profile, now)
        ours_ids = [r.doc_id for r in ours]
        theirs_ids = [r["id"] for r in theirs]
        same_order += ours_ids == theirs_ids
        same_set += set(ours_ids) == set(theirs_ids)
        exactly = first = not ours and not theirs
        if ours and theirs and ours[0].doc_id == theirs[0]["id"]:
            exactly = same_reasons(ours[0].reasons, theirs[0]["reasons"])
            first = exactly or same_reasons(
                ours[0].reasons,
                theirs[0]["reasons"],
                term_contributions(index, profile, ours[0].doc_id),
            )
        if first and not exactly and len(tie_diffs) < 4:
            tie_diffs.append(
                (
                    ours[0].reasons.terms,
                    theirs[0]["reasons"]["terms"],
                    {
                        k: v
                        for k, v in term_contributions(index, profile, ours[0].doc_id).items()
                        if k in set(ours[0].reasons.terms) | set(theirs[0]["reasons"]["terms"])
                    },
                )
            )
        same_first_exactly += exactly
        same_first += first
        if not first and len(reason_diffs) < 3:
            reason_diffs.append((profile, ours[0].reasons, theirs[0]["reasons"]))
        if ours_ids != theirs_ids and len(differences) < 3:
            differences.append((profile, ours_ids, theirs_ids))
    with capsys.disabled():
        print(
            f"\nparity: {same_order}/{PROFILES} profiles same top 20 in the same order, "
            f"{same_set}/{PROFILES} the same 20 articles, "
            f"{same_first}/{PROFILES} the same reasons for the first card "
            f"({same_first_exactly} word for word, the rest up to words tied at float32)"
        )
        for profile, ours_ids, theirs_ids in differences:
            print(f"  differs: {profile}\n    server  {ours_ids}\n    browser {theirs_ids}")
        for diff in tie_diffs:
            print("  tie:", diff)
        for diff in reason_diffs:
            print("  reasons:", diff)
    assert same_order >= 0.95 * PROFILES
    # Reasons, word for word: 198/200 at the last count (the pack breaks the browser's
    # ties as the explainer's stable sort does). What is left: a card lifted by "more like
    # this" whose followed topic is outside the article's window of topics (the pack holds
    # what terms add to topics within 6 log-odds of its likeliest only).
    assert same_first_exactly >= 0.95 * PROFILES
    assert same_first >= 0.98 * PROFILES
