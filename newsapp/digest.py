"""The e-mail digest: a reader who asked for it gets their "For you" top stories every
morning or every Monday morning, and nobody else gets anything.

- Sent only by the task worker (``send_due_digests``, queued by ``manage.py queue_digests``
  from cron), never inside a request.
- Idempotent: each subscription is claimed for its period (the day, or the ISO week) by one
  conditional UPDATE before the mail goes out, so a restarted or second worker, or the
  command run twice, sends nothing twice. A mail server that refuses hands the claim back
  for the next run.
- One-click unsubscribe (RFC 8058): ``List-Unsubscribe`` names a signed link that expires
  after ``UNSUBSCRIBE_MAX_AGE``, ``List-Unsubscribe-Post`` says a POST to it is enough. The
  link names a random key, not the reader.
- Plain text and HTML, links straight to our pages: no tracking pixel, no redirect, no
  parameters.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from newsapp import selectors
from newsapp.models import Article, DigestSubscription

logger = logging.getLogger(__name__)

DIGEST_SIZE = 10
UNSUBSCRIBE_SALT = "newsapp.digest.unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=60)
# Digests go out on the first run of the worker's job from this hour (local time).
SEND_FROM_HOUR = 6


@transaction.atomic
def digest_set(*, user, frequency: str | None) -> DigestSubscription | None:
    """Ask for the digest (``daily`` or ``weekly``) or stop it (None)."""
    if frequency is None:
        DigestSubscription.objects.filter(user=user).delete()
        return None
    subscription, created = DigestSubscription.objects.get_or_create(
        user=user, defaults={"frequency": frequency, "unsubscribe_key": secrets.token_hex(16)}
    )
    if not created and subscription.frequency != frequency:
        subscription.frequency = frequency
        subscription.save(update_fields=["frequency"])
    return subscription


def unsubscribe_token(subscription: DigestSubscription) -> str:
    return signing.TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(subscription.unsubscribe_key)


class UnsubscribeLinkExpired(Exception):
    pass


def subscription_for_token(token: str) -> DigestSubscription | None:
    """The subscription a link names; None when it was stopped already. Raises
    ``UnsubscribeLinkExpired`` for an expired link and ``signing.BadSignature`` for a
    forged or damaged one."""
    signer = signing.TimestampSigner(salt=UNSUBSCRIBE_SALT)
    try:
        key = signer.unsign(token, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired as error:
        raise UnsubscribeLinkExpired from error
    return DigestSubscription.objects.filter(unsubscribe_key=key).first()


def digest_unsubscribe(*, token: str) -> bool:
    """Stop the digest a link names; False when it was stopped already."""
    subscription = subscription_for_token(token)
    if subscription is None:
        return False
    return DigestSubscription.objects.filter(pk=subscription.pk).delete()[0] > 0


def period_for(frequency: str, today: date) -> str:
    if frequency == DigestSubscription.Frequency.WEEKLY:
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    return today.isoformat()


def _stories(user) -> list[Article]:
    """The reader's "For you" top stories; Top stories when they follow nothing or paused
    personalization."""
    preferences = selectors.preferences_for_user(user=user)
    if preferences.paused or not (preferences.follows or preferences.keywords):
        ranked = selectors.top_story_ranking(preferences=preferences)
        return selectors.top_story_cards(ranked=ranked[:DIGEST_SIZE])
    ranked = selectors.feed_recommendations(preferences=preferences, depth=DIGEST_SIZE)
    items = selectors.feed_items(preferences=preferences, recommendations=ranked)
    return [item.article for item in items]


def digest_message(subscription: DigestSubscription, *, now: datetime) -> EmailMultiAlternatives:
    if not settings.SITE_URL:
        raise ImproperlyConfigured("Set DJANGO_SITE_URL: the digest links to the site.")
    site = settings.SITE_URL
    unsubscribe = site + reverse(
        "newsapp:digest-unsubscribe", kwargs={"token": unsubscribe_token(subscription)}
    )
    context = {
        "stories": [
            (article, site + article.get_absolute_url()) for article in _stories(subscription.user)
        ],
        "subscription": subscription,
        "day": timezone.localtime(now),
        "site": site,
        "settings_url": site + reverse("newsapp:digest"),
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("newsapp/email/digest_subject.txt", context).strip(),
        body=render_to_string("newsapp/email/digest.txt", context),
        to=[subscription.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("newsapp/email/digest.html", context), "text/html")
    return message


def _claim(subscription: DigestSubscription, period: str, now: datetime) -> bool:
    return bool(
        DigestSubscription.objects.filter(pk=subscription.pk)
        .exclude(last_period=period)
        .update(last_period=period, last_sent_at=now)
    )


def digests_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Send every digest due now, each at most once per period."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    counts = {"sent": 0, "failed": 0}
    if local.hour < SEND_FROM_HOUR:
        return counts
    today = local.date()
    monday = timezone.make_aware(
        datetime.combine(today - timedelta(days=today.weekday()), time(SEND_FROM_HOUR))
    )
    due = DigestSubscription.objects.exclude(
        last_period__in=[period_for(frequency, today) for frequency in DigestSubscription.Frequency]
    )
    for subscription in due.select_related("user").order_by("pk"):
        weekly = subscription.frequency == DigestSubscription.Frequency.WEEKLY
        if weekly and today.weekday() and subscription.created_at >= monday:
            continue  # asked for after this Monday's run: from next Monday
        period = period_for(subscription.frequency, today)
        previous = (subscription.last_period, subscription.last_sent_at)
        if not _claim(subscription, period, now):
            continue
        try:
            digest_message(subscription, now=now).send()
        except (smtplib.SMTPException, OSError):
            # Not sent: hand the period back so the next run tries again.
            DigestSubscription.objects.filter(pk=subscription.pk, last_period=period).update(
                last_period=previous[0], last_sent_at=previous[1]
            )
            logger.warning("A digest could not be sent; it will be tried again.")
            counts["failed"] += 1
        else:
            counts["sent"] += 1
    return counts


@task()
def send_due_digests() -> dict[str, int]:
    return digests_send_due()
