"""Ranking experiments on pseudonyms: stateless and balanced assignment, only readers who
allowed statistics, the arm's parameters in the feed, outcomes without identifiers and
capped, results only through the privacy budget, and the reader's switch to leave."""

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from consent import dp
from consent.models import StatisticRelease
from consent.pseudonyms import pseudonym_for
from consent.rights import account_erase
from consent.services import consent_grant, consent_withdraw, ledger_verify
from newsapp import experiment_results, experiments, selectors
from newsapp.core import pagecache
from newsapp.models import (
    Experiment,
    ExperimentArm,
    ExperimentChoice,
    ExperimentOutcome,
    ReaderPreferences,
)
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow

pytestmark = pytest.mark.django_db

FEED = "http://testserver/"


def test_assignment_is_deterministic_balanced_and_different_per_experiment():
    pseudonyms = [pseudonym_for(n) for n in range(10_000)]
    for arms in (2, 3):
        first = [experiments.arm_index(experiment_id=1, pseudonym=p, arms=arms) for p in pseudonyms]
        again = [experiments.arm_index(experiment_id=1, pseudonym=p, arms=arms) for p in pseudonyms]
        assert first == again
        for count in Counter(first).values():
            assert abs(count / len(pseudonyms) - 1 / arms) < 0.02
    one = [experiments.arm_index(experiment_id=1, pseudonym=p, arms=2) for p in pseudonyms]
    two = [experiments.arm_index(experiment_id=2, pseudonym=p, arms=2) for p in pseudonyms]
    same = sum(a == b for a, b in zip(one, two, strict=True)) / len(pseudonyms)
    assert 0.45 < same < 0.55  # a new experiment draws its groups afresh


def test_assignment_needs_the_pseudonym_key(settings):
    pseudonyms = [pseudonym_for(n) for n in range(200)]
    before = [experiments.arm_index(experiment_id=1, pseudonym=p, arms=2) for p in pseudonyms]
    settings.PSEUDONYM_KEY = "c29tZS1vdGhlci1rZXktb2YtdGhpcnR5LXR3by1ieXRlcyE="
    after = [experiments.arm_index(experiment_id=1, pseudonym=p, arms=2) for p in pseudonyms]
    assert before != after


@pytest.fixture
def newsroom():
    food, space = TopicFactory(name="Food"), TopicFactory(name="Space")
    outlets = [SourceFactory(), SourceFactory(), SourceFactory()]
    for i in range(8):
        ArticleFactory(
            title=f"Harvest report {i}",
            body=f"<p>The chef praised harvest number {i} and recipe {i * 7}.</p>",
            source=outlets[i % 3],
            topics=[food],
            published_at=timezone.now() - timedelta(hours=2 + 5 * i),
        )
    for i in range(3):
        ArticleFactory(
            title=f"Telescope sighting {i}",
            body=f"<p>A galaxy seen {i} times.</p>",
            source=outlets[i % 3],
            topics=[space],
            published_at=timezone.now() - timedelta(hours=3 + i),
        )
    return {"food": food, "space": space}


@pytest.fixture
def experiment(newsroom):
    today = timezone.localdate()
    running = Experiment.objects.create(
        name="Fresher first",
        description="Do fresher stories first make readers open more?",
        starts_on=today,
        ends_on=today + timedelta(days=6),
    )
    ExperimentArm.objects.create(
        experiment=running, name="A", position=0, description="The usual ranking."
    )
    ExperimentArm.objects.create(
        experiment=running,
        name="B",
        position=1,
        half_life_hours=2,
        exploration=ExperimentArm.Exploration.OFF,
        description="Stories lose half their freshness in two hours; no pick outside.",
    )
    return running


_ids = iter(range(7_340_001, 7_400_000))


def reader_in(arm_name: str, newsroom, *, analytics: bool = True):
    """A reader following Food whose pseudonym falls in ``arm_name``."""
    plan = experiments.running_plan()
    while True:
        # Ids no count or key in the tables could be mistaken for.
        user = UserFactory(id=next(_ids))
        if experiments.arm_of(plan, pseudonym_for(user.pk)).name == arm_name:
            break
        user.delete()
    follow(user, newsroom["food"])
    if analytics:
        consent_grant(user=user, purpose="analytics", method="signup")
    return user


def feed(user):
    return selectors.feed_recommendations(
        preferences=selectors.preferences_for_user(user=user), depth=20
    )


def test_the_feed_ranks_with_the_arm_of_the_reader(newsroom, experiment):
    in_a, in_b = reader_in("A", newsroom), reader_in("B", newsroom)
    newest_a = next(r for r in feed(in_a) if not r.reasons.exploration)
    newest_b = feed(in_b)[0]
    # Two hours old: a 72-hour half-life keeps it fresh, B's two hours halve it.
    assert newest_a.reasons.freshness > 0.9
    assert newest_b.reasons.freshness == pytest.approx(0.5, abs=0.02)
    assert any(r.reasons.exploration for r in feed(in_a))
    assert not any(r.reasons.exploration for r in feed(in_b))


def test_only_readers_who_allowed_statistics_take_part(client, newsroom, experiment):
    outsider = reader_in("B", newsroom, analytics=False)
    assert experiments.current_arm(user_id=outsider.pk) is None
    assert any(r.reasons.exploration for r in feed(outsider))  # the usual ranking
    client.force_login(outsider)
    article = newsroom["food"].articles.first()
    client.get(article.get_absolute_url(), HTTP_REFERER=FEED)
    client.post(f"/articles/{article.slug}/feedback/", {"kind": "more"})
    assert not ExperimentOutcome.objects.exists()
    page = client.get("/privacy/").content.decode()
    assert "You take part only if you allow" in page


@pytest.mark.shared_cache
def test_outcomes_are_counts_per_arm_and_day_capped_per_reader(
    client, settings, newsroom, experiment
):
    settings.EXPERIMENT_MAX_OUTCOMES_PER_READER_PER_DAY = 3
    reader = reader_in("A", newsroom)
    client.force_login(reader)
    articles = list(newsroom["food"].articles.all())
    client.get(articles[0].get_absolute_url())  # not from the feed: not an outcome
    assert not ExperimentOutcome.objects.exists()
    for article in articles[:5]:
        client.get(article.get_absolute_url(), HTTP_REFERER=FEED)
    client.post(f"/articles/{articles[6].slug}/feedback/", {"kind": "more"})
    outcome = ExperimentOutcome.objects.get()
    assert (outcome.arm.name, outcome.kind, outcome.count) == ("A", "opened", 3)
    assert outcome.day == timezone.localdate()
    assert {f.name for f in ExperimentOutcome._meta.get_fields()} == {
        "id",
        "arm",
        "day",
        "kind",
        "count",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM newsapp_experimentoutcome")
        row = " ".join(str(v) for v in cursor.fetchone())
    assert str(reader.pk) not in row and pseudonym_for(reader.pk) not in row

    other = reader_in("B", newsroom)
    client.force_login(other)
    client.post(f"/articles/{articles[1].slug}/feedback/", {"kind": "less"})
    assert ExperimentOutcome.objects.get(arm__name="B").kind == "less"
    consent_withdraw(user=other, purpose="analytics", method="dashboard")
    client.post(f"/articles/{articles[2].slug}/feedback/", {"kind": "more"})
    assert ExperimentOutcome.objects.filter(arm__name="B").count() == 1


def test_leaving_takes_effect_on_the_next_request(client, newsroom, experiment):
    reader = reader_in("B", newsroom)
    client.force_login(reader)
    before = client.get("/").context["page"].object_list
    assert not any(item.reasons.exploration for item in before)
    page = client.get("/privacy/").content.decode()
    assert "You take part in “Fresher first”" in page and "Your version: <strong>B</strong>" in page

    response = client.post("/experiments/choice/", {"taking_part": "0"}, follow=True)
    assert "You have left every ranking experiment" in response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/privacy/#experiments")
    after = client.get("/").context["page"].object_list
    assert any(item.reasons.exploration for item in after)  # the usual ranking again
    article = newsroom["food"].articles.first()
    client.get(article.get_absolute_url(), HTTP_REFERER=FEED)
    assert not ExperimentOutcome.objects.exists()
    page = client.get("/privacy/").content.decode()
    assert "you left every experiment" in page and "Take part in experiments again" in page

    client.post("/experiments/choice/", {"taking_part": "1"})
    assert experiments.current_arm(user_id=reader.pk) is not None
    assert list(
        ExperimentChoice.objects.filter(subject_pseudonym=pseudonym_for(reader.pk)).values_list(
            "taking_part", flat=True
        )
    ) == [False, True]
    assert ledger_verify(ExperimentChoice).ok


def test_a_malformed_choice_is_a_styled_400_and_changes_nothing(client, newsroom):
    client.force_login(UserFactory())
    response = client.post("/experiments/choice/", {"taking_part": "perhaps"})
    assert response.status_code == 400 and "nothing changed" in response.content.decode()
    assert not ExperimentChoice.objects.exists()


def test_a_paused_reader_takes_part_in_nothing(client, newsroom, experiment):
    reader = reader_in("A", newsroom)
    ReaderPreferences.objects.create(user=reader, personalization_paused=True)
    assert not experiments.outcome_record(user=reader, kind="opened")
    client.force_login(reader)
    assert "no version of the ranking is tried on you" in client.get("/privacy/").content.decode()


def test_the_feed_costs_two_queries_more_while_an_experiment_runs(
    client, newsroom, experiment, django_assert_num_queries
):
    client.force_login(reader_in("A", newsroom))
    client.get("/")
    pagecache.clear()  # the page made again, not the one kept for the reader
    # 14 = the 12 of the feed without an experiment (tests/newsapp/test_feedback.py) +
    # analytics consent and the experiment choice.
    with django_assert_num_queries(14):
        client.get("/")


def _finished(newsroom, *, days: int = 3) -> Experiment:
    today = timezone.localdate()
    done = Experiment.objects.create(
        name="Fresher first",
        description="Do fresher stories first make readers open more?",
        starts_on=today - timedelta(days=days + 1),
        ends_on=today - timedelta(days=2),
    )
    ExperimentArm.objects.create(experiment=done, name="A", position=0, description="Usual.")
    ExperimentArm.objects.create(
        experiment=done, name="B", position=1, half_life_hours=12, description="Fresher."
    )
    return done


def _editor():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_results_are_released_only_through_opendp_with_the_budget_enforced(
    client, settings, newsroom
):
    settings.DP_DAILY_EPSILON_BUDGET = settings.DP_EPSILON_PER_RELEASE  # room for one release
    done = _finished(newsroom)
    arm = done.arms.first()
    ExperimentOutcome.objects.create(arm=arm, day=done.starts_on, kind="opened", count=40)
    client.force_login(_editor())
    # The raw counts have no page of their own.
    assert client.get("/admin/newsapp/experimentoutcome/").status_code == 404
    response = client.post(f"/admin/newsapp/experiment/{done.pk}/release/", follow=True)
    assert "Results released" in response.content.decode()
    release = StatisticRelease.objects.get()
    assert release.statistic == f"experiment-{done.pk}"
    assert release.epsilon == pytest.approx(settings.DP_EPSILON_PER_RELEASE)
    # Sensitivity: 5 outcomes a day for 3 days, twice (the readers are weighted by it).
    assert release.sensitivity == 2 * 5 * 3
    response = client.post(f"/admin/newsapp/experiment/{done.pk}/release/", follow=True)
    assert "privacy budget" in response.content.decode()
    assert StatisticRelease.objects.count() == 1
    with pytest.raises(dp.BudgetExhausted):
        experiment_results.experiment_release(experiment=done, staff_label="test")


def test_a_finished_experiment_reads_as_a_result_in_words(client, settings, newsroom):
    """Outcomes simulated day by day through the counting code, then one release."""
    settings.DP_EPSILON_PER_RELEASE = 1000.0  # noise negligible: the test reads the effect
    settings.DP_DAILY_EPSILON_BUDGET = 5000.0
    done = _finished(newsroom)
    readers = [UserFactory() for _ in range(40)]
    for reader in readers:
        follow(reader, newsroom["food"])
        consent_grant(user=reader, purpose="analytics", method="signup")
    day = done.starts_on
    while day <= done.ends_on:
        with time_machine.travel(timezone.make_aware(datetime.combine(day, time(12))), tick=False):
            experiments.reset_cache()
            for reader in readers:
                _, arm = experiments.current_arm(user_id=reader.pk)
                for _ in range(4 if arm.name == "B" else 1):
                    experiments.outcome_record(user=reader, kind="opened")
        day += timedelta(days=1)
    experiments.reset_cache()
    counts = experiment_results.participants(done)
    assert sum(counts.values()) == 40 and min(counts.values()) >= 10

    client.force_login(_editor())
    client.post(f"/admin/newsapp/experiment/{done.pk}/release/")
    page = client.get(f"/admin/newsapp/experiment/{done.pk}/results/").content.decode()
    assert "Result" in page and "Interim look" not in page
    assert "Fixed horizon" in page
    found = experiment_results.results(done, experiment_results.releases(done).first())
    assert found.final
    assert [a.readers for a in found.arms] == list(counts.values())
    opened = found.comparisons[0]
    assert "12.00 per reader in B against 3.00 in A" in opened  # 4 and 1 a day, 3 days
    assert "very likely have more" in opened


def test_editors_define_experiments_with_two_arms_at_least_and_no_overlap(client, newsroom):
    client.force_login(_editor())
    today = timezone.localdate()

    def post(name, start, end, arms):
        data = {
            "name": name,
            "description": "Plain words.",
            "starts_on": start.isoformat(),
            "ends_on": end.isoformat(),
            "arms-TOTAL_FORMS": str(len(arms)),
            "arms-INITIAL_FORMS": "0",
            "arms-MIN_NUM_FORMS": "2",
            "arms-MAX_NUM_FORMS": "1000",
        }
        for i, (arm, half_life) in enumerate(arms):
            data |= {
                f"arms-{i}-position": str(i),
                f"arms-{i}-name": arm,
                f"arms-{i}-description": f"Version {arm}.",
                f"arms-{i}-half_life_hours": half_life,
                f"arms-{i}-exploration": "reader",
            }
        return client.post("/admin/newsapp/experiment/add/", data)

    week = today + timedelta(days=7)
    assert post("Lonely", today, week, [("A", "")]).status_code == 200
    assert "at least 2" in post("Lonely", today, week, [("A", "")]).content.decode()
    past = post("Late", today - timedelta(days=1), week, [("A", ""), ("B", "24")])
    assert "cannot start in the past" in past.content.decode()
    assert post("Fresher", today, week, [("A", ""), ("B", "24")]).status_code == 302
    clash = post("Clash", today + timedelta(days=3), week, [("A", ""), ("B", "12")])
    assert "may not overlap" in clash.content.decode()
    running = Experiment.objects.get()
    assert [a.half_life_hours for a in running.arms.all()] == [None, 24.0]
    # Once started it is fixed: read-only, and it cannot be deleted.
    change = client.get(f"/admin/newsapp/experiment/{running.pk}/change/").content.decode()
    assert 'name="name"' not in change
    assert client.get(f"/admin/newsapp/experiment/{running.pk}/delete/").status_code == 403
    assert experiments.running_plan().name == "Fresher"


def test_experiments_are_declared_exported_and_kept_as_proof(client, newsroom, experiment):
    reader = reader_in("A", newsroom)
    experiments.experiments_participation_set(user=reader, taking_part=False)
    client.force_login(reader)
    export = client.post("/privacy/export.json").json()
    choices = export["experiments"]["data"]["choices_about_ranking_experiments"]
    assert [c["taking_part"] for c in choices] == ["left every experiment"]
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officers"))
    client.force_login(officer)
    record = client.get("/admin/consent/consentevent/record-of-processing/").content.decode()
    assert "Ranking experiments" in record and "never stored" in record
    pseudonym = pseudonym_for(reader.pk)
    receipt = account_erase(user=reader)
    assert ("Ranking experiments", 1) in receipt.kept
    assert ExperimentChoice.objects.filter(subject_pseudonym=pseudonym).exists()
