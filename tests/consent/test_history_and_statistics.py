from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from consent import dp
from consent.models import StatisticRelease
from consent.pseudonyms import pseudonym_for
from consent.services import consent_grant
from newsapp.dp_statistics import followers_per_topic, reads_per_topic
from newsapp.history import article_view_record, history_for
from newsapp.models import DailyReadCount, ReadingEvent
from tests.consent.conftest import staff
from tests.factories import ArticleFactory, TopicFactory, UserFactory, follow

pytestmark = pytest.mark.django_db


def test_nothing_is_written_without_consent():
    reader = UserFactory()
    article_view_record(user=reader, article=ArticleFactory())
    assert not ReadingEvent.objects.exists() and not DailyReadCount.objects.exists()


def test_history_holds_a_pseudonym_and_a_day_never_the_user_id_or_time():
    reader = UserFactory(id=4242427)
    consent_grant(user=reader, purpose="personalize_history", method="dashboard")
    article = ArticleFactory()
    article_view_record(user=reader, article=article)
    article_view_record(user=reader, article=article)  # same day: one row
    event = ReadingEvent.objects.get()
    assert event.pseudonym == pseudonym_for(reader.pk) and event.day == timezone.localdate()
    assert not DailyReadCount.objects.exists()  # analytics not allowed
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM newsapp_readingevent")
        row = cursor.fetchone()
    assert "4242427" not in " ".join(str(v) for v in row)
    assert history_for(user_id=reader.pk) == [article.pk]


def test_history_expires_after_90_days_and_goes_with_withdrawal(client):
    reader = UserFactory()
    consent_grant(user=reader, purpose="personalize_history", method="dashboard")
    old, recent = ArticleFactory(), ArticleFactory()
    with time_machine.travel(timezone.now() - timedelta(days=91)):
        article_view_record(user=reader, article=old)
    article_view_record(user=reader, article=recent)
    call_command("purge_expired_data")
    assert list(ReadingEvent.objects.values_list("article_id", flat=True)) == [recent.pk]
    client.force_login(reader)
    response = client.post(
        "/privacy/consents/", {"purpose": "personalize_history", "granted": "0"}, follow=True
    )
    assert "what you read: 1 item" in response.content.decode()
    assert not ReadingEvent.objects.exists()


@pytest.mark.shared_cache
def test_analytics_counts_hold_no_identifier_and_are_bounded_per_reader(settings):
    settings.DP_MAX_READS_PER_READER_PER_DAY = 3
    reader = UserFactory()
    consent_grant(user=reader, purpose="analytics", method="dashboard")
    articles = [ArticleFactory() for _ in range(5)]
    for article in articles:
        article_view_record(user=reader, article=article)
    assert sum(DailyReadCount.objects.values_list("reads", flat=True)) == 3
    assert not ReadingEvent.objects.exists()
    field_names = {f.name for f in DailyReadCount._meta.get_fields()}
    assert field_names == {"id", "article", "day", "reads"}


def test_daily_counts_go_after_the_13_months_the_analytics_purpose_promises(capsys):
    article = ArticleFactory()
    today = timezone.localdate()
    DailyReadCount.objects.create(article=article, day=today - timedelta(days=396), reads=4)
    DailyReadCount.objects.create(article=article, day=today - timedelta(days=394), reads=2)
    call_command("purge_expired_data")
    assert list(DailyReadCount.objects.values_list("reads", flat=True)) == [2]
    assert "Anonymous daily counts of reads: 1 deleted" in capsys.readouterr().out


def test_only_consenting_readers_are_counted_with_bounded_topics(settings):
    settings.DP_MAX_TOPICS_PER_READER = 2
    topics = [TopicFactory(name=n) for n in ("Arts", "Books", "Cinema")]
    counted, ignored = UserFactory(), UserFactory()
    follow(counted, *topics)
    follow(ignored, *topics)
    consent_grant(user=counted, purpose="analytics", method="signup")
    counts = followers_per_topic()
    assert sum(counts.values()) == 2 and set(counts) == {"Arts", "Books", "Cinema"}


def test_reads_per_topic_sums_daily_counts_by_topic():
    science = TopicFactory(name="Science")
    article = ArticleFactory(topics=[science])
    DailyReadCount.objects.create(article=article, day=timezone.localdate(), reads=7)
    assert reads_per_topic()["Science"] == 7


def test_release_spends_epsilon_records_it_and_refuses_past_the_budget(settings):
    settings.DP_EPSILON_PER_RELEASE = 0.5
    settings.DP_DAILY_EPSILON_BUDGET = 1.0
    TopicFactory(name="Science")
    first = dp.statistic_release(code="followers_per_topic", staff_label="editor@example.com")
    assert first.epsilon == pytest.approx(0.5) and first.scale == pytest.approx(10.0)
    assert set(first.values) == {"Science"}
    dp.statistic_release(
        code="reads_per_topic", staff_label="editor@example.com", day=timezone.localdate()
    )
    with pytest.raises(dp.BudgetExhausted, match="budget"):
        dp.statistic_release(code="followers_per_topic", staff_label="editor@example.com")
    assert StatisticRelease.objects.count() == 2
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert dp.budget_left() == pytest.approx(1.0)


def test_small_noisy_figures_are_never_shown_raw(settings):
    release = StatisticRelease(
        statistic="x", epsilon=0.5, scale=10.0, sensitivity=5, values={"A": 3, "B": 250}
    )
    shown = {f.label: f.shown for f in dp.figures(release)}
    assert shown == {"A": f"fewer than {settings.DP_MIN_SHOWN}", "B": "250"}
    assert "within ±30 of the true count 95% of the time" in dp.noise_in_words(release)


def test_editors_release_in_the_admin_and_are_refused_once_the_budget_is_spent(client, settings):
    settings.DP_MIN_SHOWN = 1_000_000
    settings.DP_EPSILON_PER_RELEASE = 1.0
    settings.DP_DAILY_EPSILON_BUDGET = 1.0
    TopicFactory(name="Science")
    client.force_login(staff("Editors"))
    page = client.get("/admin/consent/statisticrelease/")
    assert page.status_code == 200 and "1.00 left today" in page.content.decode()
    done = client.post(
        "/admin/consent/statisticrelease/release/",
        {"statistic": "followers_per_topic"},
        follow=True,
    )
    text = done.content.decode()
    # Every figure is below the threshold however the noise falls: none is shown raw.
    assert "Released" in text and "fewer than 1000000" in text and "95% of the time" in text
    refused = client.post(
        "/admin/consent/statisticrelease/release/",
        {"statistic": "followers_per_topic"},
        follow=True,
    )
    assert "privacy budget" in refused.content.decode()
    assert StatisticRelease.objects.count() == 1


def test_privacy_officers_may_audit_releases_but_not_release(client):
    client.force_login(staff("Privacy officers"))
    assert client.get("/admin/consent/statisticrelease/").status_code == 200
    response = client.post(
        "/admin/consent/statisticrelease/release/", {"statistic": "followers_per_topic"}
    )
    assert response.status_code == 403 and not StatisticRelease.objects.exists()


def test_the_scheduled_tasks_purge_and_checkpoint():
    from consent.checkpoints import checkpoint_create
    from consent.models import LedgerCheckpoint
    from consent.tasks import checkpoint_ledger_task, purge_expired_data_task

    reader = UserFactory()
    consent_grant(user=reader, purpose="personalize_history", method="dashboard")
    with time_machine.travel(timezone.now() - timedelta(days=95)):
        article_view_record(user=reader, article=ArticleFactory())
    result = purge_expired_data_task.enqueue()
    assert result.return_value["What you read"] == 1 and not ReadingEvent.objects.exists()
    # The logs hold entries and no checkpoint yet: the schedule does not start one itself.
    assert checkpoint_ledger_task.enqueue().return_value is False
    checkpoint_create(first=True)
    assert checkpoint_ledger_task.enqueue().return_value is True
    assert [c.length for c in LedgerCheckpoint.objects.order_by("id")] == [1, 1]


def test_no_history_is_kept_while_personalization_is_paused(client):
    reader = UserFactory()
    consent_grant(user=reader, purpose="personalize_history", method="dashboard")
    client.force_login(reader)
    client.post("/privacy/pause/", {"paused": "1"})
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    assert not ReadingEvent.objects.exists()
    client.post("/privacy/pause/", {"paused": "0"})
    client.get(article.get_absolute_url())
    assert ReadingEvent.objects.count() == 1
