"""A reader's whole life in the browser, from Top stories to erasure."""

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.support import axe_scan, screenshots, sign_in, sign_up
from tests.factories import PASSWORD

EMAIL = "walker@example.org"


def test_reader_from_top_stories_to_erasure(web, site, corpus):
    page = web
    nav = page.get_by_role("navigation", name="Main")
    # Anonymous: Top stories, the same for everyone.
    page.goto(site + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Top stories")
    axe_scan(page, "top stories (anonymous)")

    # Sign up, confirm the address from the e-mail, land on topic onboarding.
    page.get_by_role("link", name="Sign up").first.click()
    axe_scan(page, "sign up")
    sign_up(page, site, EMAIL)
    expect(page).to_have_url(re.compile(r"/topics/\?welcome=1$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("What would you like to read?")
    axe_scan(page, "topics (welcome)")

    # Pick topics as chips; the feed follows them.
    page.locator("label[for=topic-science]").click()
    expect(page.locator("#topic-science")).to_be_checked()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("For you")
    cards = page.locator("article.card")
    expect(cards.first).to_be_visible()
    titles = cards.locator(".card-title").all_inner_texts()
    assert any("Telescope" in t or "Physics" in t for t in titles[:2]), titles
    axe_scan(page, "feed")
    screenshots(page, "feed")

    # "Why this?" explains the top pick with the topic and words that matched.
    first = cards.first
    first.get_by_text("Why this?").click()
    reasons = first.locator("details.why")
    expect(reasons).to_have_attribute("open", "")
    expect(reasons).to_contain_text("it matches the Science profile")
    axe_scan(page, "feed, Why this? open")

    # "Less like this" from the top pick's menu: the card changes where it is (no reload),
    # the live region says so; on the next visit the story has sunk or left.
    disliked = first.locator(".card-title").inner_text()
    page.evaluate("window.__sameDocument = true")
    first.locator("details.card-menu > summary").click()
    first.get_by_role("button", name="Less like this").click()
    expect(page.get_by_role("status")).to_contain_text(f"less like “{disliked}”")
    expect(first).to_have_class(re.compile("card-less"))
    expect(
        first.get_by_role("button", name="You asked for less like this", include_hidden=True)
    ).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.__sameDocument === true")  # updated in place
    page.reload()
    after = page.locator("article.card .card-title").all_inner_texts()
    assert after[0] != disliked, after
    assert disliked not in after or after.index(disliked) > titles.index(disliked), after

    # Edit topics with the preview: nothing is saved until "Save my choices".
    nav.get_by_role("link", name="Your topics").click()
    page.locator("label[for=topic-food]").click()
    page.get_by_role("button", name="Preview the change").click()
    preview = page.get_by_role("region", name="Preview: how your feed would change")
    expect(preview).to_contain_text("Would enter")
    expect(preview.locator("li").first).to_be_visible()
    axe_scan(page, "topics with preview")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("For you")
    expect(page.locator(".lede").first).to_contain_text("Food")

    # The privacy dashboard: grant a consent, see it, withdraw it.
    nav.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data, all of it")
    axe_scan(page, "privacy dashboard")
    screenshots(page, "dashboard")
    statistics = page.get_by_role("switch", name="Count me in anonymous statistics")
    expect(statistics).to_have_attribute("aria-checked", "false")
    statistics.click()
    expect(statistics).to_have_attribute("aria-checked", "true")
    statistics.click()
    expect(statistics).to_have_attribute("aria-checked", "false")

    # Download the export and check it holds every category with its legal frame.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    export = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert export["schema"] == "newsapp.export/1"
    for key in ("account", "preferences", "consents", "feedback", "reading_history", "location"):
        assert key in export, sorted(export)
    assert EMAIL in json.dumps(export["account"])
    assert "analytics" in json.dumps(export["consents"])  # granted, then withdrawn
    assert disliked in json.dumps(export["feedback"])

    # Clear recommendations and read the receipt.
    page.get_by_role("button", name="Clear recommendations").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Done")
    expect(page.get_by_role("table")).to_contain_text("Your feedback on articles")
    axe_scan(page, "receipt (clear)")
    screenshots(page, "receipt")

    # Delete the account with the password; signing in again fails.
    page.goto(site + "/privacy/delete/")
    axe_scan(page, "delete account")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Delete my account and data").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was deleted")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and data").click()
    expect(page.get_by_text("Your account no longer exists")).to_be_visible()
    axe_scan(page, "receipt (erasure)")
    assert not User.objects.filter(email=EMAIL).exists()
    sign_in(page, site, EMAIL)
    expect(page).to_have_url(re.compile("/accounts/login/"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    axe_scan(page, "sign in (refused)")
