"""Private mode in the browser: the page, its storage, the file, and what the server sees."""

import json
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from newsapp import private_pack
from newsapp.models import TopicFollow
from tests.e2e.schemes import look
from tests.e2e.support import sign_in
from tests.factories import UserFactory, follow


@pytest.fixture
def demo(transactional_db):
    private_pack.reset_cache()
    call_command("load_demo", verbosity=0)
    yield
    private_pack.reset_cache()


def choose(page, topic: str, weight: str, keywords: str = "") -> None:
    page.get_by_label(topic, exact=True).first.select_option(weight)
    page.locator("#private-keywords").fill(keywords)
    page.get_by_role("button", name="Save on this device").click()


def test_private_feed_is_ranked_here_and_kept_here(web, site, demo, tmp_path):
    page = web
    requests = []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    page.goto(f"{site}/private/")
    page.wait_for_selector("#private-app[data-ready=true]")
    expect(page.locator("#private-empty")).to_be_visible()
    choose(page, "Science", "3", "tram")
    cards = page.locator("#private-cards [data-card]")
    expect(cards.first).to_be_visible()
    assert cards.count() == 20
    card = cards.first
    card.locator("summary").click()
    expect(card.locator(".why ul")).to_contain_text("Worked out on this device")
    card.get_by_role("button", name="More like this").click()
    stored = json.loads(page.evaluate("localStorage.getItem('newsapp.private-profile/1')"))
    assert stored["topics"] == {"science": 3} and stored["keywords"] == ["tram"]
    assert len(stored["liked"]) == 1
    look(page, "private-feed", "private mode")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my profile").click()
    saved = tmp_path / "profile.json"
    download.value.save_as(saved)
    assert json.loads(saved.read_text())["topics"] == {"science": 3}

    page.get_by_role("button", name="Clear my profile").click()
    assert page.evaluate("localStorage.getItem('newsapp.private-profile/1')") is None
    expect(page.locator("#private-empty")).to_be_visible()
    page.locator("#private-import").set_input_files(str(saved))
    expect(page.locator("#private-status")).to_contain_text("Profile loaded")
    page.reload()
    page.wait_for_selector("#private-app[data-ready=true]")
    expect(page.locator("#private-cards [data-card]").first).to_be_visible()

    # What the server saw: GETs of the same files for everyone, no query string, no POST.
    assert all(method == "GET" for method, _ in requests)
    assert not [url for _, url in requests if urlsplit(url).query]
    packs = {urlsplit(url).path for _, url in requests if "/private/pack/" in url}
    assert len(packs) == 1


def test_without_script_private_mode_says_so(browser, site, demo):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/private/")
    notice = page.locator("main p.message")
    expect(notice).to_contain_text("needs JavaScript")
    expect(notice.get_by_role("link", name="Top stories")).to_have_attribute("href", "/top/")
    expect(page.locator("#private-app")).to_be_hidden()
    context.close()


def test_signed_in_reader_moves_preferences_both_ways(web, site, demo):
    page = web
    from newsapp.models import Topic

    reader = UserFactory(email="mover@example.org")
    follow(reader, Topic.objects.get(slug="science"))
    sign_in(page, site, reader.email)
    page.goto(f"{site}/private/")
    page.get_by_role("button", name="Move my preferences here").click()
    page.wait_for_selector("#private-app[data-ready=true]")
    expect(page.locator("#private-status")).to_contain_text("no longer holds them")
    stored = json.loads(page.evaluate("localStorage.getItem('newsapp.private-profile/1')"))
    assert stored["topics"] == {"science": 2}
    assert not TopicFollow.objects.filter(user=reader).exists()
    page.get_by_role("button", name="Move this profile to my account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("in your account")
    assert page.evaluate("localStorage.getItem('newsapp.private-profile/1')") is None
    assert [f.topic.slug for f in TopicFollow.objects.filter(user=reader)] == ["science"]
