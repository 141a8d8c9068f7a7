"""The exposure audit: shares, flags and Gini on known skews; only consenting readers, only
through the privacy budget; the editors' page with its picture; the reader's own side."""

import re
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from consent.models import StatisticRelease
from consent.services import consent_grant
from newsapp import audit, exposure
from newsapp.models import ExposureAudit, ReaderPreferences
from newsapp.recommender import Reasons, Recommendation
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow

pytestmark = pytest.mark.django_db


def supply(sources: dict[str, int], topics: dict[str, int] | None = None) -> audit.Supply:
    topics = topics or {}
    return audit.Supply(
        sources=sources,
        topics=topics,
        source_names={s: s.title() for s in sources},
        topic_names={t: t.title() for t in topics},
    )


def test_a_source_with_a_tenth_of_the_supply_and_half_the_exposure_is_flagged():
    tally = audit.Tally(readers=50, sources=Counter(loud=500, quiet=250, calm=250))
    found = audit.report(tally, supply({"loud": 10, "quiet": 45, "calm": 45}), threshold=10)
    loud = next(s for s in found.sources if s.code == "loud")
    assert (loud.supply_share, loud.exposure_share) == (0.1, 0.5)
    assert loud.flag == "over" and loud.ratio == pytest.approx(5.0)
    # 45% of the supply for 25% of the exposure is off, but by less than half: not flagged.
    assert [s.code for s in found.flagged] == ["loud"]


def test_under_exposure_by_more_than_half_is_flagged_and_small_figures_count_as_nothing():
    tally = audit.Tally(readers=40, sources=Counter(big=700, small=7, mid=293))
    found = audit.report(tally, supply({"big": 40, "small": 30, "mid": 30}), threshold=10)
    by_code = {s.code: s for s in found.sources}
    assert by_code["small"].slots is None and by_code["small"].exposure_share == 0
    assert by_code["small"].flag == "under" and by_code["mid"].flag == ""


def test_gini_is_zero_for_equal_exposure_and_grows_when_one_source_takes_all():
    assert audit.gini([5, 5, 5, 5]) == 0
    assert audit.gini([0, 0, 0, 20]) == pytest.approx(0.75)
    assert 0 < audit.gini([1, 2, 3, 10]) < 0.75


def _pick(doc_id, exploration=False):
    return Recommendation(doc_id=doc_id, score=1.0, reasons=Reasons(exploration=exploration))


def test_pages_inside_one_topic_and_topics_met_only_through_exploration():
    facts = {
        1: audit.ArticleFacts("a", ("sport",)),
        2: audit.ArticleFacts("b", ("sport",)),
        3: audit.ArticleFacts("a", ("arts",)),
        4: audit.ArticleFacts("b", ()),
    }
    tally = audit.Tally()
    for _ in range(12):
        tally.add_page([_pick(1), _pick(2)], facts)  # stays inside sport
    for _ in range(12):
        tally.add_page([_pick(1), _pick(3, exploration=True)], facts)  # arts only explored
    tally.add_page([_pick(4), _pick(2)], facts)  # an untagged article leaves the topic
    assert (tally.readers, tally.one_topic) == (25, 12)
    found = audit.report(
        tally, supply({"a": 2, "b": 2}, {"sport": 2, "arts": 1, "": 1}), threshold=10
    )
    assert found.one_topic_share == pytest.approx(12 / 25)
    assert [t.code for t in found.exploration_only] == ["arts"]


def test_with_too_few_readers_audited_no_exposure_is_shown_and_nothing_is_flagged():
    tally = audit.Tally(readers=4, sources=Counter(loud=80))
    found = audit.report(tally, supply({"loud": 1, "quiet": 9}), threshold=10)
    assert not found.enough and found.flagged == []
    assert all(s.slots is None for s in found.sources)


def _words(n: int, count: int = 6) -> str:
    """Words no other article uses, so no two stories are near-duplicates of each other."""
    letters = "bcdfghjklmnpqrstvwxz"
    return " ".join(
        "".join(letters[(n * count + k) // 20**d % 20] for d in range(3)) + "ova"
        for k in range(count)
    )


@pytest.fixture
def skewed(settings):
    """60 articles: one outlet supplies 6 (10%), all about the topic every reader follows;
    two others supply the rest."""
    # A huge epsilon makes the noise vanish, so the test can read the true skew; the
    # noise itself is tested with the statistics (tests/consent).
    settings.DP_EPSILON_PER_RELEASE = 1000.0
    settings.DP_DAILY_EPSILON_BUDGET = 10_000.0
    harbour = TopicFactory(name="Harbour", keywords="harbour, ferry, quay")
    others = [TopicFactory(name=name) for name in ("Food", "Sport", "Space", "Politics")]
    loud = SourceFactory(name="Loud Outlet")
    big = [SourceFactory(name="Big One"), SourceFactory(name="Big Two")]
    # Eighteen harbour stories, the newest first, from Loud, Big One, Big Two in turn: the
    # diversity pass lets all of them through, so Loud's six fill 30% of every page.
    for i in range(18):
        ArticleFactory(
            title=f"Harbour ferry story {i}",
            body=f"<p>The ferry left the harbour quay. {_words(i)}</p>",
            source=(loud, *big)[i % 3],
            topics=[harbour],
            published_at=timezone.now() - timedelta(minutes=30 + 10 * i),
        )
    for i in range(42):
        ArticleFactory(
            title=f"Other story {i}",
            body=f"<p>{_words(100 + i)}</p>",
            source=big[i % 2],
            topics=[others[i % 4]],
            published_at=timezone.now() - timedelta(hours=4 + i),
        )
    readers = []
    for n in range(12):
        reader = UserFactory()
        follow(reader, harbour)
        ReaderPreferences.objects.create(user=reader, explore=n % 2 == 0)
        consent_grant(user=reader, purpose="analytics", method="signup")
        readers.append(reader)
    return {"harbour": harbour, "loud": loud, "readers": readers}


def test_the_audit_command_flags_the_over_exposed_source_and_spends_the_budget(skewed):
    out = StringIO()
    call_command("audit_recommendations", stdout=out, verbosity=0)
    text = out.getvalue()
    loud_line = next(line for line in text.splitlines() if line.startswith("Loud Outlet"))
    assert "10%" in loud_line and "over-exposed" in loud_line
    assert "Readers audited: 12 (noisy)." in text
    run = ExposureAudit.objects.get()
    assert run.release.statistic == "exposure_audit" and run.release.epsilon > 0
    found = exposure.audit_report(run)
    loud = next(s for s in found.sources if s.name == "Loud Outlet")
    assert loud.supply_share == 0.1 and loud.exposure_share == pytest.approx(0.3)
    assert loud.flag == "over" and [s.flag for s in found.sources if s.name != "Loud Outlet"] == [
        "",
        "",
    ]


def test_only_readers_who_allowed_statistics_and_did_not_pause_are_audited(skewed):
    ReaderPreferences.objects.filter(user=skewed["readers"][0]).update(personalization_paused=True)
    outsider = UserFactory()
    follow(outsider, skewed["harbour"])
    ids = exposure.audited_reader_ids(limit=100, seed=1)
    assert outsider.pk not in ids and skewed["readers"][0].pk not in ids
    assert len(ids) == 11
    sample = exposure.audited_reader_ids(limit=5, seed=7)
    assert len(sample) == 5 and sample == exposure.audited_reader_ids(limit=5, seed=7)


def test_the_audit_stops_with_a_clear_message_when_the_budget_is_spent(skewed, settings):
    settings.DP_DAILY_EPSILON_BUDGET = 1500.0  # room for one release of 1000
    call_command("audit_recommendations", stdout=StringIO(), verbosity=0)
    with pytest.raises(CommandError, match="privacy budget"):
        call_command("audit_recommendations", stdout=StringIO(), verbosity=0)
    assert ExposureAudit.objects.count() == 1 and StatisticRelease.objects.count() == 1


def test_bad_options_are_refused_with_a_message():
    with pytest.raises(CommandError, match="whole number above 0"):
        call_command("audit_recommendations", "--sample", "-3")
    with pytest.raises(CommandError, match="seed must be a whole number"):
        call_command("audit_recommendations", "--seed", "many")


def test_dry_run_shows_the_supply_and_releases_nothing(skewed):
    out = StringIO()
    call_command("audit_recommendations", "--dry-run", stdout=out)
    assert "Loud Outlet" in out.getvalue() and "nothing was audited" in out.getvalue()
    assert not StatisticRelease.objects.exists()


def _editor():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_editors_run_an_audit_and_see_the_picture_without_style_attributes(client, skewed):
    client.force_login(_editor())
    response = client.post("/admin/newsapp/exposureaudit/run/", follow=True)
    page = response.content.decode()
    assert "The audit is running" in page
    assert ExposureAudit.objects.count() == 1
    svg = re.search(r"<svg[^>]*paired-bars.*?</svg>", page, flags=re.S).group(0)
    assert 'role="img"' in svg and "style=" not in svg and "Loud Outlet" in svg
    assert "over-exposed" in page and "Gini coefficient" in page
    detail = client.get(f"/admin/newsapp/exposureaudit/{ExposureAudit.objects.get().pk}/change/")
    assert detail.status_code == 200 and "<svg" in detail.content.decode()


def test_a_privacy_officer_reads_audits_but_cannot_run_one(client, skewed):
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officers"))
    client.force_login(officer)
    assert client.get("/admin/newsapp/exposureaudit/").status_code == 200
    assert client.post("/admin/newsapp/exposureaudit/run/").status_code == 403
    assert not ExposureAudit.objects.exists()


def test_a_reader_sees_their_feed_against_everything_published_on_their_privacy_page(
    client, skewed
):
    reader = skewed["readers"][0]
    client.force_login(reader)
    page = client.get("/privacy/").content.decode()
    section = page[page.index('id="feed-vs-everyone"') :]
    assert "Your first page" in section and "Everything published" in section
    assert re.search(r"6 of your \d+", section)  # the six stories of Loud Outlet
    assert "Loud Outlet" in section and "style=" not in section.split("</section>")[0]
    preferences = ReaderPreferences.objects.get(user=reader)
    preferences.personalization_paused = True
    preferences.save()
    page = client.get("/privacy/").content.decode()
    assert "there is nothing of yours to compare" in page
