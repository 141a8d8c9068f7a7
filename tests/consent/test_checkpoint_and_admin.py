import csv
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from consent.models import AccessRecord, ConsentEvent, DataRequest, PrivacyNotice
from consent.pseudonyms import pseudonym_for
from consent.services import consent_grant, consent_withdraw
from tests.consent.conftest import staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _events(count: int):
    reader = UserFactory()
    for i in range(count):
        (consent_grant if i % 2 == 0 else consent_withdraw)(
            user=reader, purpose="analytics", method="dashboard"
        )


def test_verify_command_reports_ok_and_signs_a_checkpoint(capsys):
    _events(4)
    call_command("verify_consent_ledger", "--checkpoint", "--first")
    out = capsys.readouterr().out
    assert "OK: consent ledger, 4 entries, chain intact." in out
    assert "Checkpoint signed. Keep a copy of this line outside the database" in out
    assert re.search(r"sha256:[0-9a-f]{64} consent=4 requests=0 access=0$", out.strip())
    _events(2)  # growth after a checkpoint is fine
    call_command("verify_consent_ledger")
    assert "the last still matches the logs" in capsys.readouterr().out


def test_truncating_the_ledger_after_a_checkpoint_is_detected(capsys):
    _events(4)
    call_command("verify_consent_ledger", "--checkpoint", "--first")
    last = ConsentEvent.objects.order_by("-id").first()
    with connection.cursor() as cursor:  # the chain alone cannot see a cut tail
        cursor.execute("DELETE FROM consent_consentevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError):
        call_command("verify_consent_ledger", "--checkpoint")
    err = capsys.readouterr().err
    assert "the consent ledger is shorter than the 4 entries signed" in err


def test_an_edit_in_the_middle_names_the_first_broken_link(capsys):
    _events(3)
    middle = ConsentEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE consent_consentevent SET method = 'prompt' WHERE id = %s", [middle.pk]
        )
    with pytest.raises(CommandError):
        call_command("verify_consent_ledger")
    assert f"entry id {middle.pk} (content does not match its hash)" in capsys.readouterr().err


def test_checkpoint_refuses_without_a_signing_key(settings, capsys):
    settings.LEDGER_SIGNING_KEY = ""
    with pytest.raises(CommandError):
        call_command("verify_consent_ledger", "--checkpoint")
    assert "DJANGO_LEDGER_SIGNING_KEY is not set" in capsys.readouterr().err


def test_officer_filters_looks_up_exports_and_verifies(client):
    reader = UserFactory(email="findme@example.com")
    consent_grant(user=reader, purpose="analytics", method="signup")
    consent_grant(user=reader, purpose="location", method="dashboard")
    _events(2)
    officer = staff("Privacy officers")
    client.force_login(officer)

    listing = client.get("/admin/consent/consentevent/?purpose__exact=location")
    assert listing.status_code == 200 and "1 consent event" in listing.content.decode()

    response = client.post("/admin/consent/consentevent/lookup/", {"email": "findme@example.com"})
    pseudonym = pseudonym_for(reader.pk)
    assert response["Location"].endswith(f"?q={pseudonym}")
    found = client.get(response["Location"]).content.decode()
    assert "2 consent events" in found
    record = AccessRecord.objects.get()
    assert record.staff == officer and record.subject_pseudonym == pseudonym
    assert (
        record.staff_label.startswith("Privacy officers ")
        and officer.email not in record.staff_label
    )
    missing = client.post("/admin/consent/consentevent/lookup/", {"email": "none@example.com"})
    assert "No account has this address" in missing.content.decode()

    exported = client.get(f"/admin/consent/consentevent/export.csv?q={pseudonym}")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:3] == ["id", "created_at", "subject_pseudonym"]
    assert {row[3] for row in rows[1:]} == {"analytics", "location"}
    dated = client.get(
        "/admin/consent/consentevent/?created_at__gte=2000-01-01&created_at__lt=2000-01-02"
    )
    assert "0 consent events" in dated.content.decode()

    verified = client.get("/admin/consent/consentevent/verify/", follow=True)
    assert "Consent ledger: 4 entries, chain intact." in verified.content.decode()

    record_page = client.get("/admin/consent/consentevent/record-of-processing/")
    text = record_page.content.decode()
    assert "Record of processing" in text
    for title in ("Your account", "Your feedback on articles", "What you read", "Your region"):
        assert title in text
    # What is encrypted at rest is read from the models, not typed into the page.
    assert "AES-256-GCM at rest for keywords (reader preferences), region (reader location)" in text


def test_officer_can_change_nothing_and_editors_see_none_of_it(client):
    consent_grant(user=UserFactory(), purpose="analytics", method="signup")
    event = ConsentEvent.objects.get()
    officer = staff("Privacy officers")
    client.force_login(officer)
    for url in (
        "/admin/consent/datarequest/",
        "/admin/consent/accessrecord/",
        "/admin/consent/ledgercheckpoint/",
        "/admin/consent/privacynotice/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.post(f"/admin/consent/consentevent/{event.pk}/change/", {}).status_code == 403
    assert client.get("/admin/consent/consentevent/add/").status_code == 403
    assert client.post("/admin/consent/privacynotice/add/", {"version": "9"}).status_code == 403
    assert not PrivacyNotice.objects.exists()

    client.force_login(staff("Editors"))
    for url in (
        "/admin/consent/consentevent/",
        "/admin/consent/consentevent/lookup/",
        "/admin/consent/consentevent/export.csv",
        "/admin/consent/consentevent/verify/",
        "/admin/consent/consentevent/record-of-processing/",
        "/admin/consent/datarequest/",
        "/admin/consent/accessrecord/",
    ):
        assert client.get(url).status_code == 403, url
    assert not DataRequest.objects.exists() and not AccessRecord.objects.exists()


def test_opening_a_readers_admin_page_is_logged_and_shown_to_the_reader(client):
    reader = UserFactory(email="watched@example.com")
    admin_user = UserFactory(is_staff=True, is_superuser=True, email="boss@example.com")
    client.force_login(admin_user)
    assert client.get(f"/admin/accounts/user/{reader.pk}/change/").status_code == 200
    record = AccessRecord.objects.get()
    assert record.subject_pseudonym == pseudonym_for(reader.pk)
    assert record.staff_label.startswith("Administrator ") and "change page" in record.what
    with pytest.raises(Exception, match="append-only"):
        record.delete()
    client.force_login(reader)
    assert "When our staff looked at your data" in client.get("/privacy/").content.decode()
    page = client.get("/privacy/data/staff-access/").content.decode()
    assert "Administrator" in page and "account record (admin change page)" in page
    # The reader learns the role, not the staff member's e-mail address or pseudonym.
    assert "boss@example.com" not in page and record.staff_label not in page


def test_an_administrator_publishes_a_notice_with_the_date_and_time_input(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = client.get("/admin/consent/privacynotice/add/").content.decode()
    assert 'type="datetime-local" name="published_at"' in form
    response = client.post(
        "/admin/consent/privacynotice/add/",
        {
            "version": "2027-1",
            "title": "What changes in 2027",
            "body": "We keep less.",
            "published_at": "2027-01-01T09:00",
        },
    )
    assert response.status_code == 302
    notice = PrivacyNotice.objects.get(version="2027-1")
    assert notice.published_at.isoformat() == "2027-01-01T09:00:00+00:00"
    assert not notice.material


def test_filtering_consent_events_by_account_id_is_recorded_like_a_look_up(client):
    reader = UserFactory(email="byid@example.com")
    consent_grant(user=reader, purpose="analytics", method="signup")
    _events(2)
    officer = staff("Privacy officers")
    client.force_login(officer)

    listing = client.get(f"/admin/consent/consentevent/?subject={reader.pk}")
    assert listing.status_code == 200 and "1 consent event" in listing.content.decode()
    exported = client.get(f"/admin/consent/consentevent/export.csv?subject={reader.pk}")
    assert len(list(csv.reader(io.StringIO(exported.content.decode())))) == 2

    records = AccessRecord.objects.order_by("id")
    assert [(r.staff, r.subject_pseudonym) for r in records] == [
        (officer, pseudonym_for(reader.pk)),
        (officer, pseudonym_for(reader.pk)),
    ]
    assert [r.what for r in records] == [
        "consent events (list, filtered by account id)",
        "consent events (CSV export, filtered by account id)",
    ]


@pytest.mark.parametrize("query", ["subject__gt=0", "subject__in=1,2,3", "subject__email=x"])
def test_sweeps_over_account_ids_are_refused(client, query):
    consent_grant(user=UserFactory(), purpose="analytics", method="signup")
    client.force_login(staff("Privacy officers"))
    response = client.get(f"/admin/consent/consentevent/?{query}")
    assert response.status_code == 400  # Django's answer to a lookup the admin refuses
    assert "We could not understand that request" in response.content.decode()
    assert not AccessRecord.objects.exists()
