"""The main journey with the keyboard alone: Tab, Shift+Tab, Enter and Space, no clicks."""

import re

from playwright.sync_api import expect

from tests.e2e.support import axe_scan, focused_outline, tab_to
from tests.factories import PASSWORD, UserFactory


def focus_is_visible(page) -> None:
    style, width = focused_outline(page).split()
    assert style != "none" and width != "0px", (style, width)


def test_keyboard_only_sign_in_topics_save_feed_and_dashboard(web, site, corpus):
    page = web
    reader = UserFactory(email="keys@example.org")
    page.goto(f"{site}/top/")

    # The first Tab reaches the skip link; Enter moves focus into the main content.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Sign in.
    tab_to(page, "a[href='/accounts/login/']", backwards=True)
    focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/accounts/login/"))
    tab_to(page, "input[name=login]")
    page.keyboard.type(reader.email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # No topics yet: the feed sends the reader to choose them.
    page.wait_for_url(re.compile("/topics/"))
    tab_to(page, "#topic-science")
    focus_is_visible(page)
    page.keyboard.press("Space")
    expect(page.locator("#topic-science")).to_be_checked()
    tab_to(page, "#topic-food")
    page.keyboard.press("Space")
    tab_to(page, "button[name=preview]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Preview: how your feed would change")).to_be_visible()
    expect(page.locator("#topic-science")).to_be_checked()  # the preview keeps the choices
    axe_scan(page, "topics preview (keyboard)")
    tab_to(page, "button.button-primary")
    expect(page.locator(":focus")).to_have_text("Save my choices")
    focus_is_visible(page)
    page.keyboard.press("Enter")

    # The feed: open "Why this?" on the first card with Enter.
    page.wait_for_url(f"{site}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("For you")
    tab_to(page, "details.why > summary")
    focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("details.why").first).to_have_attribute("open", "")

    # The dashboard: switch a purpose on with Space, then off again with Enter; the page
    # comes back at the switch, so the next Tab reaches it again.
    tab_to(page, "nav a[href='/privacy/']", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/privacy/$"))
    switch = page.get_by_role("switch", name="Count me in anonymous statistics")
    tab_to(page, switch)
    focus_is_visible(page)
    page.keyboard.press("Space")
    page.wait_for_url(re.compile("/privacy/#allow-analytics$"))
    expect(switch).to_have_attribute("aria-checked", "true")
    tab_to(page, switch, limit=3)
    page.keyboard.press("Enter")
    expect(switch).to_have_attribute("aria-checked", "false")
    axe_scan(page, "privacy dashboard (keyboard)")
