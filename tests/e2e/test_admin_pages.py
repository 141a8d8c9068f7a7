"""The newsroom and the privacy office in the browser, at a phone's and a laptop's width, in
both schemes: nothing scrolls sideways, the headline column is readable, the body preview
follows the typing, and each statistics button releases its own figures."""

from playwright.sync_api import expect

from consent.services import consent_grant
from newsapp.models import TopicSuggestion
from tests.e2e.schemes import look
from tests.e2e.support import make_staff, staff_sign_in
from tests.factories import ArticleFactory, UserFactory, follow


def _newsroom(corpus):
    long_title = "Harbour council approves the new tidal barrier after a decade of argument"
    untagged = ArticleFactory(title=long_title, topics=[])
    for topic, confidence in ((corpus["science"], 0.82), (corpus["food"], 0.41)):
        TopicSuggestion.objects.create(article=untagged, topic=topic, confidence=confidence)
    for n in range(4):
        reader = UserFactory(email=f"counted{n}@example.org")
        follow(reader, corpus["science"], corpus["sport"])
        consent_grant(user=reader, purpose="analytics", method="signup")
    return untagged


def test_the_newsroom_fits_a_phone_and_reads_well(web, site, corpus):
    page = web
    untagged = _newsroom(corpus)
    editor, secret = make_staff("Editors", "editor@example.org")
    staff_sign_in(page, site, editor.email, secret)
    expect(page.locator("#site-name")).to_have_text("Plainsight newsroom")
    look(page, "admin-index-editor", "admin index (editor)")

    page.goto(site + "/admin/newsapp/article/")
    # A th or a td: the first linked column (the thumbnail) is the row header.
    title_cell = page.locator("#result_list .field-title").filter(has_text="tidal barrier")
    assert title_cell.bounding_box()["width"] >= 250, title_cell.bounding_box()
    look(page, "admin-article-list", "article list")

    for path, name in (
        ("/admin/newsapp/source/", "admin-source-list"),
        ("/admin/newsapp/topic/", "admin-topic-list"),
        ("/admin/newsapp/article/add/", "admin-article-add"),
    ):
        page.goto(site + path)
        look(page, name, name.removeprefix("admin-").replace("-", " "))

    # The body preview follows the typing, cleaned as on save.
    page.goto(f"{site}/admin/newsapp/article/{untagged.pk}/change/")
    preview = page.locator("#id_body-preview")
    page.locator("#id_body").fill(
        "<h2>Tides</h2><p>Safe <em>words</em><script>alert(1)</script></p>"
    )
    expect(preview.locator("h2")).to_have_text("Tides")
    expect(preview.locator("em")).to_have_text("words")
    expect(preview.locator("script")).to_have_count(0)
    look(page, "admin-article-change", "article change")

    # Statistics: the first panel's button releases followers per topic.
    page.goto(site + "/admin/consent/statisticrelease/")
    look(page, "admin-statistics", "statistics")
    page.get_by_role("button", name="Release fresh figures of followers per topic").click()
    expect(page.locator(".messagelist")).to_contain_text("Released “Followers per topic”")
    look(page, "admin-statistics-released", "statistics (released)")


def test_the_privacy_office_fits_a_phone(web, site, corpus):
    page = web
    _newsroom(corpus)
    officer, secret = make_staff("Privacy officers", "officer@example.org")
    staff_sign_in(page, site, officer.email, secret)
    look(page, "admin-index-officer", "admin index (officer)")
    for path, name in (
        ("/admin/consent/consentevent/", "admin-consent-events"),
        ("/admin/consent/consentevent/record-of-processing/", "admin-record-of-processing"),
        ("/admin/consent/consentevent/lookup/", "admin-lookup"),
        ("/admin/consent/datarequest/", "admin-data-requests"),
        ("/admin/consent/accessrecord/", "admin-access-records"),
    ):
        page.goto(site + path)
        look(page, name, name.removeprefix("admin-").replace("-", " "))
    page.goto(site + "/admin/consent/consentevent/")
    expect(page.locator("#searchbar_helptext")).to_have_text(
        "A full pseudonym or event hash. To find a reader by e-mail, use “Look up a reader "
        "by e-mail” above."
    )
