"""The reader's pages as a reader sees them: pictures within budget and without layout
shift, feedback that keeps the reader's place (with and without script), the display
switch, and screenshots of each new page in both schemes."""

import re

import pytest
from playwright.sync_api import expect

from newsapp.ingest import images
from tests.e2e.support import axe_scan, screenshots, sign_in
from tests.factories import UserFactory, follow
from tests.newsapp.images import photo

BUDGET = 500 * 1024


@pytest.fixture
def pictured(corpus):
    """Every corpus article with a picture of its own, as the import would store it."""
    for n, article in enumerate(corpus["articles"]):
        renditions = images.process(photo(1400, 900, colour=(20, 30 + 13 * n, 160)))
        images.lead_image_set(
            article=article,
            renditions=renditions,
            alt=f"An illustration for {article.title}",
            credit="Harbour Photos",
        )
    return corpus


def reader_for(corpus):
    reader = UserFactory(email="eyes@example.org")
    follow(reader, corpus["science"], corpus["sport"], corpus["food"])
    return reader


def test_a_feed_with_pictures_stays_small_steady_and_on_this_site(
    web, site, pictured, browser, guarded
):
    sign_in(web, site, reader_for(pictured).email)
    # A fresh context with the same session: an empty cache, as on a first visit.
    fresh = browser.new_context(
        storage_state=web.context.storage_state(), viewport={"width": 1280, "height": 900}
    )
    page = fresh.new_page()
    guarded(page)
    page.add_init_script(
        "window.__shift = 0; new PerformanceObserver(l => { for (const e of l.getEntries())"
        " { if (!e.hadRecentInput) window.__shift += e.value; } })"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    page.goto(site + "/")
    page.wait_for_load_state("networkidle")
    transferred = page.evaluate(
        "() => performance.getEntriesByType('navigation')[0].transferSize +"
        " performance.getEntriesByType('resource').reduce((n, r) => n + r.transferSize, 0)"
    )
    pictures = page.evaluate(
        "() => performance.getEntriesByType('resource').filter(r => r.name.includes('/media/'))"
        ".length"
    )
    assert pictures >= 2, "the pictures above the fold were loaded"
    assert transferred <= BUDGET, f"first load transferred {transferred:,} bytes"
    # Every picture says its size, so nothing moves while they arrive.
    sizes = page.locator("main img").evaluate_all(
        "imgs => imgs.map(i => [i.getAttribute('width'), i.getAttribute('height')])"
    )
    assert sizes and all(w and h for w, h in sizes), sizes
    page.mouse.wheel(0, 4000)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__shift") < 0.01
    axe_scan(page, "feed with pictures")
    screenshots(page, "design-feed-pictures")
    fresh.close()


def test_feedback_in_place_with_script_keeps_the_reader_where_they_were(web, site, pictured):
    page = web
    sign_in(page, site, reader_for(pictured).email)
    page.goto(site + "/")
    card = page.locator("article.card").nth(4)
    card.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    page.evaluate("window.__sameDocument = true")
    title = card.locator(".card-title").inner_text()
    card.locator("details.card-menu > summary").click()
    axe_scan(page, "feed, card menu open")
    screenshots(page, "design-card-menu")
    card.get_by_role("button", name="More like this").click()
    expect(page.get_by_role("status")).to_contain_text(f"more like “{title}”")
    pressed = card.locator("button[data-kind=more]")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(pressed).to_have_text("You asked for more like this")
    assert page.evaluate("window.__sameDocument === true")
    assert abs(page.evaluate("window.scrollY") - before) < 5
    # The menu closed and focus is on its button again, not lost at the top of the page.
    expect(card.locator("details.card-menu")).not_to_have_attribute("open", "")
    assert page.evaluate("document.activeElement.matches('details.card-menu > summary')")

    # Hide the outlet from the card, then show it again from the same card.
    source = card.get_attribute("data-source")
    card.locator("details.card-menu > summary").click()
    card.locator("button[data-kind=source]").click()
    expect(page.get_by_role("status")).to_contain_text("You will no longer see stories from")
    expect(page.locator(f"article.card[data-source='{source}']").first).to_have_class(
        re.compile("card-hidden-source")
    )
    card.locator("details.card-menu > summary").click()
    card.get_by_role("button", name=re.compile("^Show .* again$")).click()
    expect(page.get_by_role("status")).to_contain_text("are back in your feed")
    assert page.evaluate("window.__sameDocument === true")


def test_feedback_without_script_returns_to_the_card(browser, site, pictured):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, site, reader_for(pictured).email)
    page.goto(site + "/")
    card = page.locator("article.card").nth(3)
    anchor = card.get_attribute("id")
    card.locator("details.card-menu > summary").click()  # details works without script
    card.get_by_role("button", name="More like this").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/#{anchor}")
    expect(page.locator(f"#{anchor} button[data-kind=more]")).to_have_attribute(
        "aria-pressed", "true", timeout=5000
    )
    expect(page.get_by_role("status")).to_contain_text("Noted: more like")
    assert page.evaluate("window.scrollY") > 200  # at the card, not the top of the page
    context.close()


def test_topic_outlet_onboarding_and_display_pages(web, site, pictured):
    page = web
    reader = UserFactory(email="new@example.org")
    sign_in(page, site, reader.email)
    page.goto(site + "/topics/?welcome=1")
    axe_scan(page, "onboarding chips")
    page.locator("label[for=topic-science]").click()
    page.locator("label[for=topic-food]").click()
    screenshots(page, "design-onboarding")
    page.get_by_role("button", name="Next: fine-tune (optional)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fine-tune your feed")
    expect(page.locator("#mute-science")).to_have_count(0)  # followed: cannot be muted
    expect(page.locator("#mute-sport")).to_have_count(1)
    axe_scan(page, "fine-tune")
    screenshots(page, "design-fine-tune")
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("For you")

    page.goto(site + "/topics/sport/")
    page.get_by_role("button", name="Follow Sport").click()
    expect(page.get_by_role("button", name="Unfollow Sport")).to_be_visible()
    axe_scan(page, "topic page")
    screenshots(page, "design-topic")

    article = pictured["articles"][0]
    page.goto(site + article.get_absolute_url())
    expect(page.locator("figure.story-picture img")).to_have_attribute(
        "alt", f"An illustration for {article.title}"
    )
    axe_scan(page, "article with picture")
    screenshots(page, "design-article-picture")
    page.get_by_role("link", name=article.source.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(article.source.name)
    axe_scan(page, "outlet page")
    screenshots(page, "design-outlet")

    # The display switch: dark and large text, remembered on the next page.
    page.set_viewport_size({"width": 390, "height": 800})
    page.get_by_text("Menu", exact=True).click()
    axe_scan(page, "menu open (phone)")
    screenshots(page, "design-menu-open")
    page.get_by_label("Colours").select_option("dark")
    page.get_by_label("Text size").select_option("large")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.goto(site + "/top/")
    expect(page.locator("html")).to_have_attribute("data-text", "large")
    axe_scan(page, "top stories, dark, large text")
    screenshots(page, "design-top-dark-large")
