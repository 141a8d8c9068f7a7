"""Anonymous news pages are rendered once per content version and minute, and reused only
where they would come out the same: never for a signed-in reader, a visitor with a session,
a page that holds a CSRF token, or across a change of the news."""

import re

import pytest
import time_machine
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from newsapp import display
from newsapp.core.pagecache import shared_when_anonymous
from newsapp.models import Article
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def still_clock():
    """One minute throughout: pages are kept per minute, and a test that crossed into the
    next one would render again."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def newsroom():
    topic = TopicFactory(name="Harbour")
    outlet = SourceFactory(name="The Quay")
    for n in range(3):
        ArticleFactory(title=f"Ferry timetable {n}", source=outlet, topics=[topic])
    return {"topic": topic, "outlet": outlet}


PAGES = ["/top/", "/latest/", "/topics/harbour/", "/sources/the-quay/"]


@pytest.mark.parametrize("url", PAGES)
def test_a_second_anonymous_visit_costs_one_read_and_shows_the_same_page(
    client, newsroom, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(1):  # the content version
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_an_article_page_is_kept_too_and_a_missing_one_is_not(
    client, newsroom, django_assert_num_queries
):
    article = Article.objects.get(title="Ferry timetable 1")
    client.get(article.get_absolute_url())
    with django_assert_num_queries(1):
        kept = client.get(article.get_absolute_url())
    assert b"Ferry timetable 1" in kept.content
    assert client.get("/articles/no-such-story/").status_code == 404
    assert client.get("/articles/no-such-story/").status_code == 404


def test_new_news_shows_at_once(client, newsroom):
    assert b"Lighthouse reopens" not in client.get("/latest/").content
    ArticleFactory(title="Lighthouse reopens", source=newsroom["outlet"])
    assert b"Lighthouse reopens" in client.get("/latest/").content
    Article.objects.filter(title="Lighthouse reopens").update(status=Article.Status.DRAFT)
    assert b"Lighthouse reopens" not in client.get("/latest/").content


def test_a_signed_in_reader_never_gets_the_anonymous_page(client, newsroom):
    anonymous = client.get("/top/")
    assert b"Sign in" in anonymous.content
    reader = UserFactory()
    follow(reader, newsroom["topic"])
    client.force_login(reader)
    page = client.get("/top/")
    assert b"Sign out" in page.content and b"Sign in</a>" not in page.content
    assert "no-store" in page["Cache-Control"]
    client.logout()
    again = client.get("/top/")
    assert b"Sign out" not in again.content


def test_the_display_choice_is_part_of_the_page(client, newsroom, django_assert_num_queries):
    plain = client.get("/top/")
    client.cookies[display.cookie_name()] = "dark.large"
    dark = client.get("/top/")
    assert b'data-theme="dark"' in dark.content
    assert b'data-theme="dark"' not in plain.content
    del client.cookies[display.cookie_name()]
    assert b'data-theme="dark"' not in client.get("/top/").content
    client.cookies[display.cookie_name()] = "made-up.values"  # the default, kept as one
    with django_assert_num_queries(1):
        assert client.get("/top/").content == plain.content


def test_visitors_with_a_session_or_made_up_parameters_are_served_fresh(
    client, newsroom, django_assert_max_num_queries, settings
):
    client.get("/latest/")
    for made_up in ("?utm_source=x", "?page=01", "?page=2&page=3"):
        client.get(f"/latest/{made_up}")
        with django_assert_max_num_queries(50) as fresh:
            client.get(f"/latest/{made_up}")
        assert len(fresh.captured_queries) > 1, made_up  # rendered again, not kept
    client.cookies[settings.SESSION_COOKIE_NAME] = "whatever"
    with django_assert_max_num_queries(50) as with_session:
        client.get("/latest/")
    assert len(with_session.captured_queries) > 1


def _kept_by_version_one(view):
    return shared_when_anonymous(
        version=lambda: 1, display_cookie=lambda: "display", display=lambda request: ""
    )(view)


def _nonce_page(request):
    return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script><p>same</p>')


def test_a_kept_page_gets_each_requests_own_nonce(settings):
    view = _kept_by_version_one(_nonce_page)
    stack = CSPMiddleware(view)
    nonces = []
    for _ in range(3):
        response = stack(RequestFactory().get("/kept/"))
        in_page = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        in_header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
        assert in_page == in_header
        nonces.append(in_page)
    assert len(set(nonces)) == 3


def test_a_page_with_a_form_token_is_never_kept():
    calls = []

    def with_token(request):
        calls.append(1)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
        return HttpResponse("<form>token</form>")

    view = _kept_by_version_one(with_token)
    for _ in range(2):
        view(RequestFactory().get("/form/"))
    assert len(calls) == 2


def test_the_kept_header_gets_each_pages_address_and_a_working_token(newsroom):
    from django.test import Client

    reader = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    page = client.get("/latest/", {"page": "2"}).content.decode()
    assert 'name="next" value="/latest/?page=2"' in page
    other = client.get("/saved/").content.decode()
    assert 'name="next" value="/saved/"' in other
    assert 'aria-current="page">Saved' in other and 'aria-current="page">Saved' not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', other).group(1)
    signed_out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert signed_out.status_code == 302
    assert b"Sign in" in client.get("/saved/", follow=True).content


def test_the_header_shows_each_kind_of_visitor_their_own_menu(client, newsroom):
    assert b"Sign up" in client.get("/latest/").content
    client.force_login(UserFactory())
    reader_page = client.get("/latest/").content
    assert b"Sign up" not in reader_page and b"Newsroom</a>" not in reader_page
    client.force_login(UserFactory(is_staff=True))
    assert b"Newsroom</a>" in client.get("/latest/").content
