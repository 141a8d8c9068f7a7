"""Hypothesis throws hostile input at every form and every view that takes input.

For each one, at least 500 generated requests from a signed-in reader (or a stranger, for
sign-up and sign-in, or a superuser, for admin search): never a 500, never a redirect off
the site, and a second reader's data, as the data inventory lists it, unchanged at the end.

Each test builds its small world once and then runs its examples against it, in the
test's own transaction (the state the examples leave behind is part of the attack).
Examples are derandomised (the same inputs every run, so CI is stable);
``HYPOTHESIS_EXPLORE=1`` draws fresh ones.
"""

import os
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent import inventory
from consent.services import consent_grant
from newsapp.models import ArticleFeedback, ReaderPreferences, Region
from tests.factories import PASSWORD, ArticleFactory, SourceFactory, TopicFactory, UserFactory
from tests.factories import follow as follow_topics

pytestmark = pytest.mark.django_db

# How many examples: the Hypothesis profile (tests/conftest.py): 50 in `make test`, 500 in CI.
EXAMPLES = settings(
    deadline=None,
    derandomize=not os.environ.get("HYPOTHESIS_EXPLORE"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text a browser can send (UTF-8 has no lone surrogates), plus the classics.
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
classics = st.sampled_from(
    [
        "",
        " ",
        "\r\n",
        "\x00",
        "%00",
        "0",
        "-1",
        "1e309",
        "NaN",
        "9" * 400,
        "<script>alert(1)</script>",
        "'; DROP TABLE newsapp_article; --",
        '" OR 1=1 --',
        "../../etc/passwd",
        "//evil.example/",
        "https://evil.example/",
        "javascript:alert(1)",
        "\u202e\u0644\u0627",
        "🙂" * 30,
        "a" * 5000,
        "harbour, tram, , ,,chess",
    ]
)
value = st.one_of(text, classics)


def values(*known: str):
    """A form value: often a real choice, sometimes anything."""
    return st.one_of(st.sampled_from(known), value) if known else value


def many(*known: str):
    return st.lists(values(*known), max_size=5)


def holdings(user) -> dict[str, list[str]]:
    """Everything the data inventory says we hold about `user`."""
    return {
        d.model: sorted(repr(d.present(row)) for row in d.rows_to_show(user))
        for d in inventory.declarations()
    }


def assert_handled(response) -> None:
    assert response.status_code < 500, response.content.decode()[:500]
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"])
        assert target.scheme in ("", "http") and target.netloc in ("", "testserver"), response[
            "Location"
        ]


class World:
    """Topics, outlets, articles, a region; a victim reader with data in every category;
    an attacker reader with a client."""

    def __init__(self):
        self.topics = [TopicFactory(name=n) for n in ("Science", "Climate", "Harbour life")]
        self.sources = [SourceFactory(name=n) for n in ("Gazette", "Courier")]
        self.articles = [
            ArticleFactory(
                title=f"{topic.name} story {i}",
                body=f"<p>Tram harbour chess {topic.name} report {i}.</p>",
                topics=[topic],
                source=self.sources[i % 2],
            )
            for i, topic in enumerate(self.topics * 2)
        ]
        self.region, _ = Region.objects.get_or_create(
            slug="north-coast", defaults={"name": "North coast", "latitude": 55, "longitude": -2}
        )
        self.victim = UserFactory(email="victim@example.org")
        self.victim.set_password("the-victims-own-secret")  # not the one the examples try
        self.victim.save()
        follow_topics(self.victim, self.topics[0])
        ReaderPreferences.objects.create(user=self.victim, keywords="zeppelin, tram")
        for purpose in ("personalize_history", "location", "analytics"):
            consent_grant(user=self.victim, purpose=purpose, method="signup")
        self.victim_feedback = [
            ArticleFeedback.objects.create(user=self.victim, article=a, kind="more").pk
            for a in self.articles[:2]
        ]
        self.attacker = UserFactory(email="attacker@example.org")
        follow_topics(self.attacker, self.topics[1])
        consent_grant(user=self.attacker, purpose="location", method="signup")
        self.client = Client()
        self.client.force_login(self.attacker)
        self.before = holdings(self.victim)

    @property
    def topic_slugs(self):
        return [t.slug for t in self.topics]

    @property
    def source_slugs(self):
        return [s.slug for s in self.sources]

    def victim_unchanged(self) -> None:
        assert holdings(self.victim) == self.before


# Generous limits: the examples should reach the forms, not the 429 page (tested elsewhere).
no_limits = override_settings(PRIVACY_REQUESTS_PER_HOUR=10**9, ACCOUNT_RATE_LIMITS=False)


def hammer(requests, *, client=None, check=None) -> None:
    """500 examples of ``(path, data)`` POSTed by ``client`` (a new stranger each time when
    None); ``check`` may look further at each response."""

    @EXAMPLES
    @given(request=requests)
    def post(request):
        path, data = request
        response = (client or Client()).post(path, data)
        assert_handled(response)
        if check:
            check(response)

    with no_limits:
        post()


def to(path: str, **fields):
    """POSTs to one path: form fields ``name=strategy``; ``name_=...`` marks optional."""
    required = {k: v for k, v in fields.items() if not k.endswith("_")}
    optional = {k[:-1]: v for k, v in fields.items() if k.endswith("_")}
    return st.tuples(st.just(path), st.fixed_dictionaries(required, optional=optional))


def test_topics_form():
    world = World()
    slugs, sources = world.topic_slugs, world.source_slugs
    form = st.fixed_dictionaries(
        {
            "topics": many(*slugs),
            "keywords": st.one_of(value, st.lists(value, max_size=8).map(", ".join)),
            "muted_topics": many(*slugs),
            "muted_sources": many(*sources),
        },
        optional={
            "explore": values("on", "1"),
            "preview": values("1"),
            **{f"weight-{slug}": values("1", "2", "3") for slug in slugs},
            "next": values("/", "//evil.example/"),
        },
    )
    hammer(st.tuples(st.just("/topics/"), form), client=world.client)
    assert_handled(world.client.get("/topics/"))
    assert_handled(world.client.get("/"))
    world.victim_unchanged()


def test_feedback_mute_and_item_delete():
    world = World()
    article_slugs = [a.slug for a in world.articles]
    next_url = values("/top/", "//evil.example/", "https://evil.example/")
    feedback = st.tuples(
        values(*article_slugs).map(lambda slug: f"/articles/{slug}/feedback/"),
        st.fixed_dictionaries({"kind": values("more", "less")}, optional={"next": next_url}),
    )
    mute = st.tuples(
        values(*world.source_slugs).map(lambda slug: f"/sources/{slug}/mute/"),
        st.fixed_dictionaries({}, optional={"next": next_url}),
    )
    # The victim's own feedback ids, and any other number, under every model name.
    item = st.tuples(
        st.tuples(
            values("newsapp.ArticleFeedback", "newsapp.ReadingEvent", "accounts.User"),
            st.one_of(st.sampled_from(world.victim_feedback), st.integers(0, 10**12)),
        ).map(lambda target: "/privacy/items/{}/{}/delete/".format(*target)),
        st.just({}),
    )
    for requests in (feedback, mute, item):
        hammer(requests, client=world.client)
    world.victim_unchanged()


def test_privacy_consents_pause_and_review():
    world = World()
    purposes = ("essential", "analytics", "personalize_history", "location")
    next_url = values("/region/", "//evil.example/", "javascript:alert(1)")
    hammer(
        to(
            "/privacy/consents/",
            purpose=values(*purposes),
            granted=values("0", "1"),
            next_=next_url,
        ),
        client=world.client,
    )
    hammer(to("/privacy/pause/", paused=values("0", "1")), client=world.client)
    answers = {f"consent_{p}_": values("on", "") for p in purposes}
    hammer(to("/privacy/review/", next_=next_url, **answers), client=world.client)
    assert_handled(world.client.get("/privacy/"))
    world.victim_unchanged()


def test_privacy_clear_delete_and_region():
    world = World()

    def nothing_erased(response):
        # Never the right password: the form again, or, past the attempts allowed, the 429.
        assert response.status_code in (200, 429)

    hammer(to("/privacy/clear/", reset_topics_=values("on", "1", "")), client=world.client)
    hammer(
        to("/privacy/delete/", password=values("a-long-test-passwor", PASSWORD + " ")),
        client=world.client,
        check=nothing_erased,
    )
    hammer(to("/region/", region=values(world.region.slug, "")), client=world.client)
    assert type(world.attacker).objects.filter(pk=world.attacker.pk).exists()
    world.victim_unchanged()


def test_signup_and_login_forms():
    world = World()
    emails = ("victim@example.org", "VICTIM@example.org", "attacker@example.org")
    hammer(
        to(
            "/accounts/signup/",
            email=st.one_of(values(*emails), st.emails().map(str)),
            password1=values(PASSWORD),
            password2=values(PASSWORD),
            consent_analytics_=values("on"),
            consent_location_=values("on"),
        )
    )
    hammer(
        to(
            "/accounts/login/",
            login=values(*emails),
            password=values(PASSWORD, "wrong"),
            remember_=values("on"),
            next_=values("/", "//evil.example/"),
        )
    )
    world.victim_unchanged()


def test_admin_search():
    world = World()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    changelists = sorted(
        f"/admin/{m._meta.app_label}/{m._meta.model_name}/" for m in admin.site._registry
    )

    @EXAMPLES
    @given(
        path=st.sampled_from(changelists), q=value, extra=st.dictionaries(value, value, max_size=2)
    )
    def search(path, q, extra):
        assert_handled(client.get(path, {**extra, "q": q}))

    search()
    world.victim_unchanged()


def test_a_bare_word_as_next_falls_back_instead_of_a_500():
    """Found by the tests above: ``next=0`` (or ``home``) went to redirect(), which took it
    for a URL name and raised NoReverseMatch, a 500. Only a path of ours is followed."""
    world = World()
    article, source = world.articles[0], world.sources[0]
    for path, data, fallback in (
        (f"/articles/{article.slug}/feedback/", {"kind": "more"}, article.get_absolute_url()),
        (f"/sources/{source.slug}/mute/", {}, source.get_absolute_url()),
        ("/privacy/consents/", {"purpose": "analytics", "granted": "1"}, "/privacy/"),
        ("/privacy/review/", {}, "/"),
    ):
        for word in ("0", "home", "newsapp:top-stories"):
            response = world.client.post(path, {**data, "next": word})
            assert (response.status_code, response["Location"]) == (302, fallback), (path, word)


def test_search_never_fails_whatever_is_typed():
    """The query and the filters of /search/, from a signed-in reader: a page, never a 500,
    whatever either engine's query syntax (FTS5 operators, tsquery symbols) would make of it."""
    world = World()
    syntax = st.text(alphabet='"-*()^:!&|<> ORANDNOTtram', max_size=40)
    params = st.fixed_dictionaries(
        {"q": st.one_of(value, syntax)},
        optional={
            "topic": values(*world.topic_slugs),
            "source": values(*world.source_slugs),
            "from": values("2026-01-01", "2026-02-30"),
            "to": values("2026-12-31", "31/12/2026"),
            "page": values("1", "2", "-1", "99999999999999999999"),
        },
    )

    @EXAMPLES
    @given(data=params)
    def search(data):
        response = world.client.get("/search/", data)
        assert response.status_code == 200, response.content.decode()[:500]

    search()
    world.victim_unchanged()
