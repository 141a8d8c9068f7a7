"""Every other page a reader reaches, scanned and fitted to a phone and a laptop."""

from playwright.sync_api import expect

from tests.e2e.support import axe_scan, screenshots, sign_in
from tests.factories import UserFactory, follow


def test_anonymous_pages(web, site, corpus):
    page = web
    article = corpus["articles"][0]
    for path, label in [
        ("/top/", "top stories"),
        (article.get_absolute_url(), "article"),
        ("/topics/science/", "topic"),
        ("/privacy/notice/", "privacy notice"),
        ("/accounts/login/", "sign in"),
        ("/accounts/password/reset/", "password reset"),
        ("/no-such-page/", "not found"),
    ]:
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe_scan(page, f"{label} (anonymous)")
        screenshots(page, f"anon-{label.replace(' ', '-')}")


def test_signed_in_pages(web, site, corpus):
    page = web
    reader = UserFactory(email="tour@example.org")
    follow(reader, corpus["science"])
    sign_in(page, site, reader.email)
    article = corpus["articles"][0]
    for path, label in [
        (article.get_absolute_url(), "article"),
        ("/?page=2", "feed, page 2"),
        ("/region/", "region"),
        ("/accounts/email/", "account e-mail"),
        ("/accounts/password/change/", "password change"),
        ("/privacy/review/", "consent review"),
        ("/privacy/notice/", "privacy notice"),
    ]:
        page.goto(site + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        axe_scan(page, label)
        screenshots(page, f"reader-{label.replace(' ', '-').replace(',', '')}")
