"""The e-mail digest: opt-in, sent once per period by the real task worker (django-tasks-db's
``db_worker`` against the test database), one-click unsubscribe by the header's link."""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from newsapp.digest import digest_set, digests_send_due
from newsapp.models import DigestSubscription
from tests.factories import ArticleFactory, TopicFactory, UserFactory, follow

pytestmark = pytest.mark.django_db
# The worker closes its database connection when it is done, as in production: tests that
# run it commit their data instead of keeping it in the test's transaction.
with_worker = pytest.mark.django_db(transaction=True)

# A Tuesday, after the morning hour digests go out from.
TUESDAY = datetime(2026, 11, 17, 7, 30, tzinfo=UTC)


@pytest.fixture
def worker(settings):
    """The production task backend: tasks wait in the database for ``db_worker``."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SITE_URL = "https://news.example.org"

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture
def reader():
    with time_machine.travel(TUESDAY - timedelta(days=30)):
        user = UserFactory(id=918273645, email="morning.reader@example.org")
        harbour = TopicFactory(name="Harbour life", keywords="ferry, harbour, pier")
        follow(user, harbour)
    for i in range(3):
        ArticleFactory(
            title=f"Harbour story {i}",
            summary="The pier & the ferry.",
            topics=[harbour],
            published_at=TUESDAY - timedelta(hours=3 + i),
        )
    return user


def queue_digests():
    call_command("queue_digests", verbosity=0)


@with_worker
@time_machine.travel(TUESDAY, tick=False)
def test_the_worker_sends_the_digest_once_with_text_html_and_one_click_unsubscribe(reader, worker):
    with time_machine.travel(TUESDAY - timedelta(days=3)):
        digest_set(user=reader, frequency="daily")
    queue_digests()
    assert mail.outbox == []  # queued, not sent by the command
    worker()
    [message] = mail.outbox
    assert message.to == ["morning.reader@example.org"]
    assert message.subject == "Your top stories for Tuesday 17 November"
    assert "1. Harbour story 0" in message.body
    assert "https://news.example.org/articles/" in message.body
    [(html_part, mimetype)] = message.alternatives
    assert mimetype == "text/html" and "Harbour story 0</a>" in html_part
    assert "The pier &amp; the ferry." in html_part
    # No tracking: no image, no redirect, no parameters on any link.
    links = re.findall(r'href="([^"]+)"', html_part)
    assert links and all(
        "?" not in link and link.startswith("https://news.example.org/") for link in links
    )
    assert "<img" not in html_part
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<https://news\.example\.org/digest/unsubscribe/[^>]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(reader.pk) not in unsubscribe and "morning.reader" not in unsubscribe

    queue_digests()  # cron again, a restarted worker: nothing twice
    worker()
    digests_send_due()
    assert len(mail.outbox) == 1
    with time_machine.travel(TUESDAY + timedelta(days=1), tick=False):
        queue_digests()
        worker()
    assert len(mail.outbox) == 2


@with_worker
@time_machine.travel(TUESDAY, tick=False)
def test_one_click_unsubscribe_by_the_header_link(reader, worker):
    digest_set(user=reader, frequency="daily")
    queue_digests()
    worker()
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = urlsplit(link).path
    mail_client = Client(enforce_csrf_checks=True)  # a mail client has no cookie, no token
    asked = mail_client.get(path)
    assert asked.status_code == 200 and "Stop the e-mail digest?" in asked.content.decode()
    assert DigestSubscription.objects.filter(user=reader).exists()  # a GET stops nothing
    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert not DigestSubscription.objects.filter(user=reader).exists()
    assert mail_client.post(path).status_code == 200  # twice: still fine
    with time_machine.travel(TUESDAY + timedelta(days=1), tick=False):
        queue_digests()
        worker()
    assert len(mail.outbox) == 1


@with_worker
@time_machine.travel(TUESDAY, tick=False)
def test_an_unsubscribe_link_expires_and_a_forged_one_is_refused(reader, worker):
    digest_set(user=reader, frequency="daily")
    queue_digests()
    worker()
    path = urlsplit(mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")).path
    with time_machine.travel(TUESDAY + timedelta(days=61)):
        expired = Client().post(path)
    assert expired.status_code == 400
    assert "This unsubscribe link has expired" in expired.content.decode()
    forged = Client().post(path.replace("/unsubscribe/", "/unsubscribe/x"))
    assert forged.status_code == 400 and "not valid" in forged.content.decode()
    assert DigestSubscription.objects.filter(user=reader).exists()


@time_machine.travel(TUESDAY, tick=False)
def test_a_refusing_mail_server_leaves_the_digest_for_the_next_run(reader, worker, settings):
    digest_set(user=reader, frequency="daily")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert digests_send_due() == {"sent": 0, "failed": 1}
    assert DigestSubscription.objects.get(user=reader).last_period == ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests_send_due() == {"sent": 1, "failed": 0}


def test_a_weekly_digest_goes_on_mondays(reader, worker):
    with time_machine.travel(TUESDAY, tick=False):
        digest_set(user=reader, frequency="weekly")
        assert digests_send_due() == {"sent": 0, "failed": 0}  # asked for after Monday
    with time_machine.travel(TUESDAY + timedelta(days=6), tick=False):  # Monday
        assert digests_send_due()["sent"] == 1
    with time_machine.travel(TUESDAY + timedelta(days=7), tick=False):
        assert digests_send_due()["sent"] == 0
    with time_machine.travel(TUESDAY + timedelta(days=13, hours=-3), tick=False):
        assert digests_send_due()["sent"] == 0  # before six on Monday morning
    with time_machine.travel(TUESDAY + timedelta(days=13), tick=False):
        assert digests_send_due()["sent"] == 1


def test_the_digest_is_off_by_default_and_stated_on_the_dashboard(client, reader):
    client.force_login(reader)
    dashboard = html.unescape(client.get("/privacy/").content.decode())
    section = dashboard.split('id="digest"')[1].split("</section>")[0]
    assert "Off." in section and "We send you no e-mail digest" in section
    response = client.post("/digest/", {"frequency": "weekly"})
    assert response.status_code == 302
    assert DigestSubscription.objects.get(user=reader).frequency == "weekly"
    dashboard = html.unescape(client.get("/privacy/").content.decode())
    assert "every monday morning" in dashboard.split('id="digest"')[1].split("</section>")[0]
    export = json.loads(client.post("/privacy/export.json").content)
    assert export["digest"]["data"]["digest_subscriptions"]["frequency"] == "Every Monday morning"
    assert "unsubscribe_key" not in json.dumps(export)
    assert client.post("/digest/", {"frequency": "hourly"}).status_code == 200  # refused
    client.post("/digest/", {"frequency": "off"})
    assert not DigestSubscription.objects.filter(user=reader).exists()


def test_the_digest_is_erased_with_the_account(client, reader):
    from tests.factories import PASSWORD

    digest_set(user=reader, frequency="daily")
    client.force_login(reader)
    client.post("/privacy/delete/", {"password": PASSWORD})
    assert not DigestSubscription.objects.exists()
