"""An article's page for a signed-in reader: what is the same for every reader (the article,
"More like this", "Also covered by") is made once per content version and mutes, what is
the reader's own (their consents, their saved articles) once per data version; so a page
costs three reads, and an edit, a save or a withdrawn consent shows on the next one."""

import html

import pytest

from consent.models import ConsentEvent
from consent.services import consent_grant, consent_withdraw
from newsapp.models import Article, ReaderPreferences, ReadingEvent
from newsapp.purposes import PERSONALIZE_HISTORY
from tests.factories import UserFactory
from tests.newsapp.test_coverage import grouped
from tests.newsapp.test_coverage import newsroom as coverage_newsroom  # noqa: F401 -- fixture
from tests.newsapp.test_reader_page_memory import still_clock  # noqa: F401 -- autouse
from tests.newsapp.test_views import newsroom  # noqa: F401 -- fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    client.get("/topics/")  # the session's first page keeps the region alive: a write
    return user


def _page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_an_article_seen_before_costs_three_reads(
    client,
    reader,
    newsroom,  # noqa: F811
    django_assert_num_queries,
):
    article = Article.objects.published().first()
    first = _page(client, article)
    # The session, the reader, and the content version with their data version (one query).
    with django_assert_num_queries(3):
        again = _page(client, article)
    assert article.title in again and "More like this" in again
    assert again.count("card-title") == first.count("card-title") > 0


def test_an_edit_shows_on_the_next_view(client, reader, newsroom):  # noqa: F811
    article = Article.objects.published().first()
    assert "A corrected headline" not in _page(client, article)
    article.title = "A corrected headline"
    article.save()
    assert "A corrected headline" in _page(client, article)


def test_a_saved_article_shows_saved_at_once(client, reader, newsroom):  # noqa: F811
    article = Article.objects.published().first()
    assert 'aria-pressed="true"' not in _page(client, article)
    client.post(f"/articles/{article.slug}/save/")
    assert 'aria-pressed="true" data-on="Saved" data-off="Save for later">Saved' in _page(
        client, article
    )
    client.post(f"/articles/{article.slug}/save/")  # and removed again
    assert 'aria-pressed="true"' not in _page(client, article)


def test_a_withdrawn_consent_stops_the_history_at_once(client, reader, newsroom):  # noqa: F811
    first, second = Article.objects.published()[:2]
    consent_grant(user=reader, purpose=PERSONALIZE_HISTORY, method=ConsentEvent.Method.DASHBOARD)
    _page(client, first)
    assert ReadingEvent.objects.count() == 1
    # Withdrawn elsewhere (another device): the next page acts on the new answer.
    consent_withdraw(user=reader, purpose=PERSONALIZE_HISTORY, method=ConsentEvent.Method.DASHBOARD)
    assert ReadingEvent.objects.count() == 0
    _page(client, second)
    _page(client, first)
    assert ReadingEvent.objects.count() == 0


def test_one_readers_mutes_are_not_anothers(client, coverage_newsroom):  # noqa: F811
    """Two readers on one article: the one who muted an outlet does not see its version,
    the other one (next, in the same minute) does."""
    grouped(coverage_newsroom)
    first, muted, other = coverage_newsroom["tram"]
    muting, plain = UserFactory(), UserFactory()
    ReaderPreferences.objects.create(user=muting).muted_sources.add(muted.source)
    for user, shown in ((muting, False), (plain, True), (muting, False)):
        client.force_login(user)
        section = _page(client, first).split("Also covered by")[1].split("</section>")[0]
        assert (muted.title in section) is shown and other.title in section
