"""Staff in the browser: the privacy officer audits consent read-only; the editor signs in
with a TOTP code, publishes, and the story reaches a reader's feed."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from consent.models import ConsentEvent
from consent.services import consent_grant, consent_withdraw
from tests.e2e.support import axe_scan, make_staff, sign_in, staff_sign_in
from tests.factories import PASSWORD, UserFactory, follow, totp_code


def test_privacy_officer_audits_the_consent_ledger_and_cannot_change_it(
    web, site, transactional_db
):
    page = web
    for n in range(3):
        reader = UserFactory(email=f"ledger{n}@example.org")
        consent_grant(user=reader, purpose="analytics", method="dashboard")
        consent_grant(user=reader, purpose="location", method="dashboard")
    consent_withdraw(user=reader, purpose="analytics", method="dashboard")
    officer, secret = make_staff("Privacy officers", "officer@example.org")

    staff_sign_in(page, site, officer.email, secret)
    axe_scan(page, "admin index (officer)")
    page.goto(f"{site}/admin/consent/consentevent/")
    expect(page.locator("#result_list tbody tr")).to_have_count(7)
    axe_scan(page, "consent events")

    # Filter: withdrawals of the analytics purpose only.
    filters = page.get_by_role("navigation", name="Filter")
    filters.locator(
        "details[data-filter-title=purpose] a[href*='purpose__exact=analytics']"
    ).click()
    filters.locator("details[data-filter-title=granted] a[href*='granted__exact=0']").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    axe_scan(page, "consent events, filtered")

    # The CSV holds what the page shows.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these as CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["purpose"], r["granted"]) for r in rows] == [("analytics", "False")]

    # Verify the chain, read the record of processing.
    page.get_by_role("link", name="Verify integrity").click()
    expect(page.locator(".messagelist")).to_contain_text("Consent ledger: 7 entries, chain intact")
    axe_scan(page, "consent events, verified")
    page.get_by_role("link", name="Record of processing").click()
    expect(page.locator("h1")).to_contain_text("Record of processing")
    axe_scan(page, "record of processing")

    # An edit is refused: the event opens read-only, and adding or posting is forbidden.
    event = ConsentEvent.objects.order_by("id").first()
    page.goto(f"{site}/admin/consent/consentevent/{event.pk}/change/")
    expect(page.locator("h1")).to_contain_text("View consent event")
    expect(page.locator("input[type=submit][name=_save]")).to_have_count(0)
    axe_scan(page, "consent event (read-only)")
    response = page.goto(f"{site}/admin/consent/consentevent/add/")
    assert response.status == 403
    response = page.request.post(
        f"{site}/admin/consent/consentevent/{event.pk}/delete/",
        form={"post": "yes"},
        headers={"Referer": f"{site}/admin/"},
    )
    assert response.status == 403
    assert ConsentEvent.objects.count() == 7


def test_editor_signs_in_with_totp_publishes_and_a_reader_sees_it(
    web, site, corpus, browser, guarded
):
    page = web
    editor, secret = make_staff("Editors", "editor@example.org")
    reader = UserFactory(email="follower@example.org")
    follow(reader, corpus["science"])

    # A wrong code is refused, the right one lets the editor in.
    page.goto(f"{site}/admin/")
    page.locator("input[name=login]").fill(editor.email)
    page.locator("input[name=password]").fill("a-long-test-password")
    page.locator("button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    axe_scan(page, "TOTP code")
    page.locator("input[name=code]").fill("000000")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.context.clear_cookies()
    staff_sign_in(page, site, editor.email, secret)
    axe_scan(page, "admin index (editor)")

    # Write the story as a draft, then publish it from the list.
    title = "Telescope finds water on a nearby planet"
    page.goto(f"{site}/admin/newsapp/article/add/")
    page.locator("#id_title").fill(title)
    page.locator("#id_title").press("Tab")  # the slug is filled in on change
    expect(page.locator("#id_slug")).to_have_value("telescope-finds-water-on-a-nearby-planet")
    page.locator("#id_summary").fill("A telescope team reports water vapour.")
    page.locator("#id_body").fill("<p>The telescope measured water vapour in the atmosphere.</p>")
    page.get_by_role("checkbox", name="Science").check()
    a_minute_ago = timezone.localtime() - timedelta(minutes=1)
    page.get_by_label("Published at").fill(f"{a_minute_ago:%Y-%m-%dT%H:%M}")
    axe_scan(page, "add article")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    row = page.locator("#result_list tbody tr", has_text=title)
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("publish")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("ublished")
    axe_scan(page, "article list (editor)")

    # The reader, in a browser of their own, finds it in "For you".
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    reader_page = context.new_page()
    guarded(reader_page)
    sign_in(reader_page, site, reader.email)
    reader_page.goto(f"{site}/")
    expect(reader_page.get_by_role("heading", level=1)).to_have_text("For you")
    titles = reader_page.locator("article.card .card-title").all_inner_texts()
    assert title in titles[:3], titles
    context.close()


def test_new_staff_member_sets_up_totp_before_the_admin(web, site, transactional_db):
    """A staff member without an authenticator is sent to set one up: password again, the
    secret on the page typed into an "app" (allauth's own TOTP maths), then the admin."""
    from django.contrib.auth.models import Group

    page = web
    editor = UserFactory(email="new.editor@example.org", is_staff=True, totp=False)
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in(page, site, editor.email)
    page.goto(f"{site}/admin/")
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    axe_scan(page, "reauthenticate")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    axe_scan(page, "TOTP setup")
    secret = page.locator(".secret-code").text_content().strip()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    page.goto(f"{site}/admin/newsapp/article/")
    expect(page.locator("h1")).to_contain_text("article")
