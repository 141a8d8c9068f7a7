import itertools
from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from newsapp.models import Article, Source, Topic, TopicFollow

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Staff get an authenticator app by default (the admin requires one);
        ``totp=False`` leaves it out, ``totp=True`` adds one for a reader too."""
        if create and (self.is_staff if extracted is None else extracted):
            give_totp(self)


def give_totp(user) -> str:
    """Activate TOTP for ``user`` and return its secret (make codes with totp_code)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    description = "A topic."
    keywords = ""


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Outlet {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    summary = ""
    body = "<p>Plain local news.</p>"
    source = factory.SubFactory(SourceFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


_story_numbers = itertools.count()


def bulk_stories(count: int, *, name: str, body: str, published_at) -> list[Article]:
    """``count`` published stories of one new outlet in one INSERT, for tests that need
    many: titles ``f"{name} {n}"`` with ``n`` unique in the run, and slugs to match."""
    source = SourceFactory(name="The Lantern Review")
    slug = slugify(name)
    return Article.objects.bulk_create(
        Article(
            title=f"{name} {n}",
            slug=f"{slug}-{n}",
            body=body,
            source=source,
            status=Article.Status.PUBLISHED,
            published_at=published_at,
        )
        for n in itertools.islice(_story_numbers, count)
    )


def follow(user, *topics, weight=TopicFollow.Weight.NORMAL):
    for topic in topics:
        TopicFollow.objects.create(user=user, topic=topic, weight=weight)
