# ruff: noqa: E501 -- the privacy notice below keeps one paragraph per line.
"""Load the demo newsroom so a fresh clone shows a working site.

Topics, outlets and articles were written for this project (``newsapp/demo/``); articles
are dated relative to the moment of loading so the feed always looks current. With debug
on it also creates three dev-only accounts (a reader, an editor, a privacy officer) and
prints their credentials. Safe to run again: nothing is duplicated.
"""

import json
from datetime import timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from consent.models import PrivacyNotice
from newsapp import ranking, services
from newsapp.core.sanitize import paragraphs_to_html
from newsapp.coverage import stories_assign
from newsapp.models import Article, Region, Source, Topic, TopicFollow

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

DEMO_ACCOUNTS = [
    # (e-mail, password, staff?, group, what they are for)
    ("reader@example.com", "demo-reader-pass", False, None, "a reader with topics"),
    ("editor@example.com", "demo-editor-pass", True, "Editors", "an editor (admin)"),
    ("privacy@example.com", "demo-privacy-pass", True, "Privacy officers", "a privacy officer"),
]
# Staff need a second factor for the admin. The demo staff share one public, dev-only
# TOTP secret (base32): add it to an authenticator app, or print a code with
# `manage.py shell -c "from tests.factories import totp_code; print(totp_code('...'))"`.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPDEMOSTAFFONLY234"
READER_TOPICS = {"technology": 3, "science": 2, "climate": 2}
READER_KEYWORDS = ["tram", "heat pumps"]

NOTICE_BODY = """We rank the news by what you tell us: the topics you follow, the keywords you type and the feedback you give. We do not track you across other sites, we sell nothing, and we use no third-party scripts.

Your account (e-mail address and a salted hash of your password) and your stated preferences are needed to provide the service you signed up for. They are kept until you delete your account.

Everything else is optional and off until you switch it on: using what you read to improve your feed, counting you in anonymous statistics, and local news for a region you choose. You can switch each off again at any time; what was collected under it is then deleted at once.

On your privacy page you can see everything we hold about you, download it, clear your recommendations or erase your account."""


def _region_of(item: dict, regions) -> Region | None:
    """The local region a demo story is about: named in its title, or most in its body."""
    mentions = {
        region: 5 * item["title"].count(region.name) + item["body"].count(region.name)
        for region in regions
    }
    best = max(mentions, key=mentions.get, default=None)
    return best if best is not None and mentions[best] >= 2 else None


class Command(BaseCommand):
    help = "Load demo topics, outlets, articles and (with debug on) three dev-only accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load content only when there is no article yet (used by make run).",
        )

    def handle(self, *args, **options):
        try:
            topics = json.loads((DEMO_DIR / "topics.json").read_text())
            sources = json.loads((DEMO_DIR / "sources.json").read_text())
            regions = json.loads((DEMO_DIR / "regions.json").read_text())
            articles = [
                json.loads(line)
                for path in sorted(DEMO_DIR.glob("articles_*.jsonl"))
                for line in path.read_text().splitlines()
                if line.strip()
            ]
        except (OSError, ValueError) as error:
            raise CommandError(f"Demo content is unreadable: {error}") from error

        if options["if_empty"] and Article.objects.exists():
            self.stdout.write("Articles already exist; demo content not loaded again.")
        else:
            created = self.load_content(topics, sources, articles, regions)
            ranking.index_refresh_queue()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo content: {len(topics)} topics, {len(sources)} outlets, "
                    f"{created} new of {len(articles)} articles."
                )
            )
        if settings.DEBUG:
            self.load_accounts()
        else:
            self.stdout.write("Debug is off: no demo accounts created.")

    @transaction.atomic
    def load_content(self, topics, sources, articles, regions=()) -> int:
        PrivacyNotice.objects.get_or_create(
            version="1.0",
            defaults={"title": "How we handle your data", "body": NOTICE_BODY, "material": True},
        )
        topic_by_slug = {}
        for item in topics:
            topic, _ = Topic.objects.update_or_create(
                slug=item["slug"],
                defaults={
                    "name": item["name"],
                    "description": item["description"],
                    "keywords": item["keywords"],
                },
            )
            topic_by_slug[topic.slug] = topic
        source_by_slug = {}
        for item in sources:
            source, _ = Source.objects.update_or_create(
                slug=item["slug"], defaults={"name": item["name"], "site_url": item["site_url"]}
            )
            source_by_slug[source.slug] = source

        region_list = [
            Region.objects.update_or_create(slug=item.pop("slug"), defaults=item)[0]
            for item in (dict(r) for r in regions)
        ]

        now = timezone.now()
        existing = set(Article.objects.values_list("slug", flat=True))
        created = 0
        for item in articles:
            slug = slugify(item["title"])[:280]
            if slug in existing:
                continue
            published_at = (now - timedelta(days=item["days_ago"])).replace(
                hour=item["hour"], minute=(len(item["title"]) * 7) % 60, second=0, microsecond=0
            )
            if published_at > now:
                published_at -= timedelta(days=1)
            article = Article.objects.create(
                title=item["title"],
                slug=slug,
                summary=item["summary"],
                body=paragraphs_to_html(item["body"]),
                source=source_by_slug.get(item["source"]),
                author=item["author"],
                status=Article.Status.PUBLISHED,
                published_at=published_at,
                region=_region_of(item, region_list),
            )
            article.topics.set([topic_by_slug[s] for s in item["topics"] if s in topic_by_slug])
            existing.add(slug)
            created += 1
        # Other outlets' versions of one story are grouped at once (full coverage).
        stories_assign(limit=None)
        return created

    @transaction.atomic
    def load_accounts(self) -> None:
        User = get_user_model()
        self.stdout.write("Dev-only demo accounts (debug mode only):")
        for email, password, staff, group_name, purpose in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(email=email, defaults={"is_staff": staff})
            if created:
                user.set_password(password)
                user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            if staff and not Authenticator.objects.filter(user=user, type="totp").exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
            if not staff and created:
                follows = {
                    topic: READER_TOPICS[topic.slug]
                    for topic in Topic.objects.filter(slug__in=READER_TOPICS)
                }
                services.preferences_update(
                    user=user,
                    follows=follows,
                    keywords=READER_KEYWORDS,
                    muted_topics=[],
                    muted_sources=[],
                    explore=True,
                )
            self.stdout.write(f"  {purpose:<22} {email:<22} password: {password}")
        self.stdout.write(
            f"  Staff sign-in asks for a TOTP code: the dev-only secret is {DEMO_TOTP_SECRET} "
            "(add it to an authenticator app)."
        )
        if not TopicFollow.objects.exists():
            self.stdout.write("  (no topics loaded, so the reader follows none yet)")
