"""Checkpoints make the chained logs tamper-evident as a whole, not only in the middle.

The attacks are the ones an outside probe tried: delete every checkpoint after rewriting a
chain, sign with another key, rewrite the logs the old checkpoints did not cover, point a
consent at another account, and rewrite everything, checkpoints included.
"""

import base64
import logging
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from consent.audit import access_record_append
from consent.checkpoints import (
    CheckpointRefused,
    checkpoint_create,
    checkpoint_verify,
    published_line,
)
from consent.models import AccessRecord, ConsentEvent, DataRequest, LedgerCheckpoint
from consent.pseudonyms import pseudonym_for
from consent.rights import account_erase, data_request_append
from consent.services import consent_grant, ledger_verify
from consent.tasks import checkpoint_ledger_task
from tests.consent.conftest import staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def some_entries(readers: int = 2) -> list:
    people = [UserFactory() for _ in range(readers)]
    officer = staff("Privacy officers")
    for person in people:
        consent_grant(user=person, purpose="analytics", method="signup")
        data_request_append(
            pseudonym=pseudonym_for(person.pk), kind="export", summary={"account": 1}
        )
        access_record_append(staff=officer, pseudonym=pseudonym_for(person.pk), what="test")
    return people


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify(capsys, *args) -> str:
    with pytest.raises(CommandError):
        call_command("verify_consent_ledger", *args)
    return capsys.readouterr().err


def test_deleting_every_checkpoint_after_a_rewrite_is_an_error(capsys):
    some_entries()
    checkpoint_create(first=True)
    # Rewrite the consent ledger with a chain that verifies on its own...
    sql("DELETE FROM consent_consentevent")
    consent_grant(user=UserFactory(), purpose="location", method="dashboard")
    # ...and remove the checkpoints that would show it.
    sql("DELETE FROM consent_ledgercheckpoint")
    err = verify(capsys)
    assert "there is no signed checkpoint, although the logs hold 5 entries" in err
    assert "No checkpoint yet" not in err
    with pytest.raises(CheckpointRefused):  # nor does the schedule start afresh
        checkpoint_create()
    assert checkpoint_ledger_task.enqueue().return_value is False


def test_empty_logs_need_no_checkpoint_and_start_the_chain_by_themselves(capsys):
    call_command("verify_consent_ledger", "--checkpoint")
    out = capsys.readouterr().out
    assert "OK: the logs are empty and no checkpoint is needed yet." in out
    assert LedgerCheckpoint.objects.count() == 1


def test_verification_without_the_key_is_an_error(settings, capsys):
    some_entries()
    checkpoint_create(first=True)
    settings.LEDGER_SIGNING_KEY = ""
    report = checkpoint_verify()
    assert not report.ok and "DJANGO_LEDGER_SIGNING_KEY is not set" in report.reason
    assert "DJANGO_LEDGER_SIGNING_KEY is not set" in verify(capsys)


def test_a_checkpoint_signed_with_another_key_does_not_verify(settings, capsys):
    some_entries()
    installation_key = settings.LEDGER_SIGNING_KEY
    settings.LEDGER_SIGNING_KEY = new_key()  # someone else's key, its public key stored too
    checkpoint_create(first=True)
    settings.LEDGER_SIGNING_KEY = installation_key
    assert "is not signed with this installation's key" in verify(capsys)


@pytest.mark.parametrize(
    ("table", "name"),
    [
        ("consent_datarequest", "data-subject request log"),
        ("consent_accessrecord", "staff access log"),
    ],
)
def test_checkpoints_cover_the_request_and_access_logs(capsys, table, name):
    some_entries()
    checkpoint_create(first=True)
    sql(f"DELETE FROM {table} WHERE id = (SELECT MAX(id) FROM {table})")
    assert f"the {name} is shorter than the 2 entries signed" in verify(capsys)


def test_a_rewritten_access_log_is_caught_though_its_chain_verifies(capsys):
    people = some_entries()
    checkpoint_create(first=True)
    sql("DELETE FROM consent_accessrecord")
    officer = staff("Privacy officers")
    for person in people:  # the same number of entries, saying something else
        access_record_append(staff=officer, pseudonym=pseudonym_for(person.pk), what="nothing much")
    assert ledger_verify(AccessRecord).ok
    assert "entry 2 of the staff access log is not the one signed: rewritten" in verify(capsys)


def test_checkpoints_chain_to_each_other(capsys):
    some_entries()
    first = checkpoint_create(first=True)
    middle = checkpoint_create()
    last = checkpoint_create()
    assert (middle.previous, last.previous) == (first.digest, middle.digest)
    sql("DELETE FROM consent_ledgercheckpoint WHERE id = %s", middle.pk)
    assert "does not follow the checkpoint before it" in verify(capsys)


def test_the_kept_head_catches_a_rewrite_of_everything_re_signed(capsys):
    """An attacker with the key itself rewrites the logs and re-signs from scratch; the
    database then agrees with itself, but not with the line the officer kept."""
    some_entries()
    kept = published_line(checkpoint_create(first=True))
    sql("DELETE FROM consent_consentevent")
    sql("DELETE FROM consent_ledgercheckpoint")
    consent_grant(user=UserFactory(), purpose="location", method="dashboard")
    checkpoint_create(first=True)
    call_command("verify_consent_ledger")  # consistent with itself...
    capsys.readouterr()
    digest = kept.split()[1]
    err = verify(capsys, "--expect", digest)  # ...not with the copy kept outside
    assert f"the checkpoint head you kept ({digest}) is not among the signed checkpoints" in err


def test_a_kept_head_of_a_checkpoint_deleted_at_the_end_is_missed(capsys):
    some_entries()
    checkpoint_create(first=True)
    latest = checkpoint_create()
    sql("DELETE FROM consent_ledgercheckpoint WHERE id = %s", latest.pk)
    assert "is not among the signed checkpoints" in verify(capsys, "--expect", latest.digest)


def test_a_consent_pointed_at_another_account_breaks_the_ledger(capsys):
    reader, other = some_entries()
    event = ConsentEvent.objects.get(subject=reader)
    sql("UPDATE consent_consentevent SET subject_id = %s WHERE id = %s", other.pk, event.pk)
    report = ledger_verify(ConsentEvent)
    assert not report.ok and report.broken_at == event.pk
    assert "its account link does not match" in report.reason


def test_an_erased_readers_events_still_verify():
    reader, _ = some_entries()
    account_erase(user=reader)
    assert ConsentEvent.objects.filter(subject__isnull=True).exists()
    assert ledger_verify(ConsentEvent).ok and ledger_verify(AccessRecord).ok


def test_an_access_record_pointed_at_another_staff_member_breaks_the_log():
    some_entries()
    record = AccessRecord.objects.order_by("id").first()
    someone_else = staff("Privacy officers")
    sql("UPDATE consent_accessrecord SET staff_id = %s WHERE id = %s", someone_else.pk, record.pk)
    assert ledger_verify(AccessRecord).broken_at == record.pk


def test_the_heads_are_published_where_an_officer_can_copy_them(client, caplog):
    some_entries()
    made = checkpoint_create(first=True)
    with caplog.at_level(logging.INFO, logger="consent.tasks"):
        assert checkpoint_ledger_task.enqueue().return_value is True
    logged = LedgerCheckpoint.objects.order_by("-id").first()
    assert f"Ledger checkpoint signed: {published_line(logged)}" in caplog.text
    client.force_login(staff("Privacy officers"))
    listing = client.get("/admin/consent/ledgercheckpoint/").content.decode()
    assert f"sha256:{made.digest}" in listing and f"sha256:{logged.digest}" in listing
    verified = client.get("/admin/consent/consentevent/verify/", follow=True).content.decode()
    assert "2 signed checkpoint(s), chained" in verified and f"sha256:{logged.digest}" in verified


def test_requests_and_access_entries_count_as_log_entries():
    assert not DataRequest.objects.exists()
    some_entries(readers=1)
    made = checkpoint_create(first=True)
    assert (made.length, made.requests_length, made.access_length) == (1, 1, 1)
