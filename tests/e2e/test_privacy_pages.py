"""Every privacy page, filled with a reader's data of every kind, in both schemes and at both
widths: the summary, each kind of data on its own page, the receipts and the erasure."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from consent import inventory
from consent.audit import access_record_append
from consent.pseudonyms import pseudonym_for
from consent.services import consent_grant
from newsapp.models import (
    ArticleFeedback,
    ReaderLocation,
    ReaderPreferences,
    ReadingEvent,
    Region,
)
from tests.e2e.schemes import look
from tests.e2e.support import sign_in
from tests.factories import PASSWORD, UserFactory, follow


def _reader_with_everything(corpus):
    reader = UserFactory(email="holder@example.org")
    follow(reader, corpus["science"], weight=3)
    follow(reader, corpus["food"])
    preferences = ReaderPreferences.objects.create(user=reader, keywords="tram, comet")
    preferences.muted_topics.add(corpus["sport"])
    articles = corpus["articles"]
    for article, kind in zip(articles[:3], ("more", "less", "more"), strict=True):
        ArticleFeedback.objects.create(user=reader, article=article, kind=kind)
    for purpose in ("personalize_history", "location"):
        consent_grant(user=reader, purpose=purpose, method="dashboard")
    for days, article in enumerate(articles[3:7]):
        ReadingEvent.objects.create(
            pseudonym=pseudonym_for(reader.pk),
            article=article,
            day=timezone.localdate() - timedelta(days=days),
        )
    Region.objects.create(name="Corran Bay", slug="corran-bay", latitude=56.0, longitude=-5.0)
    ReaderLocation.objects.create(user=reader, region="corran-bay")
    officer = UserFactory(email="officer@example.org", is_staff=True, is_superuser=True)
    access_record_append(
        staff=officer, pseudonym=pseudonym_for(reader.pk), what="account record (admin)"
    )
    return reader


def test_every_privacy_page_reads_plainly_in_both_schemes(web, site, corpus):
    page = web
    reader = _reader_with_everything(corpus)
    sign_in(page, site, reader.email)

    page.goto(site + "/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data, all of it")
    holdings = page.locator("#holdings")
    expect(holdings).to_contain_text("2 topics you follow")
    expect(holdings).to_contain_text("3 pieces of feedback")
    expect(holdings).to_contain_text("4 articles you opened")
    look(page, "privacy-dashboard", "privacy dashboard")

    # Each kind of data opens its own page; no codes, no pseudonym columns, no staff fields.
    for category in inventory.categories():
        if not category.concerns(reader):
            continue
        page.goto(f"{site}/privacy/")
        page.locator("#holdings").get_by_role("link", name=category.title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(category.title)
        text = page.locator("main").inner_text()
        for code in ("personalize_history", "corran-bay", "dashboard\t", "Newsroom staff"):
            assert code not in text, (category.code, code)
        assert pseudonym_for(reader.pk) not in text, category.code  # until asked for
        look(page, f"privacy-{category.slug}", f"privacy: {category.title}")

    # The pseudonym is one step away, in a details element.
    page.goto(site + "/privacy/data/reading-history/")
    page.get_by_text("Stored under a pseudonym").click()
    expect(page.locator("details.pseudonym")).to_contain_text(pseudonym_for(reader.pk))
    look(page, "privacy-reading-history-pseudonym", "privacy: pseudonym shown")

    # A switch off deletes what was held under it, and the summary says so at once.
    page.goto(site + "/privacy/")
    switch = page.get_by_role("switch", name="Local news for my region")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    expect(page.get_by_role("status")).to_contain_text("Withdrawn")
    expect(page.get_by_role("switch", name="Local news for my region")).to_have_attribute(
        "aria-checked", "false"
    )
    assert not ReaderLocation.objects.filter(user=reader).exists()

    # Pausing shows one message, and the picture shows the pause.
    page.get_by_role("button", name="Pause personalization").click()
    expect(page.locator(".message")).to_have_count(1)
    expect(page.locator(".flow")).to_contain_text("Paused")
    look(page, "privacy-dashboard-paused", "privacy dashboard (paused)")
    page.get_by_role("button", name="Resume personalization").click()

    # Clear: the receipt lists what went, nothing else.
    page.get_by_role("button", name="Clear recommendations").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Done")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Your feedback on articles")
    expect(table).not_to_contain_text("The topics, keywords and mutes you chose")
    look(page, "privacy-receipt-clear", "receipt (clear)")

    page.goto(site + "/privacy/notice/")
    look(page, "privacy-notice-signed-in", "privacy notice (signed in)")
    page.goto(site + "/privacy/review/")
    look(page, "privacy-review", "consent review")

    page.goto(site + "/privacy/delete/")
    look(page, "privacy-delete", "delete account")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account and data").click()
    expect(page.get_by_text("Your account no longer exists")).to_be_visible()
    look(page, "privacy-receipt-erasure", "receipt (erasure)")
    expect(page).to_have_url(re.compile("/privacy/receipt/"))
