import pytest

from consent.models import AppendOnlyError, ConsentEvent
from consent.selectors import consents_for_user
from consent.services import consent_grant, consent_withdraw, ledger_verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_grant_and_withdraw_chain_and_verify():
    reader = UserFactory()
    assert consents_for_user(user=reader) == {
        "personalize_history": False,
        "analytics": False,
        "location": False,
    }
    first = consent_grant(user=reader, purpose="analytics", method="dashboard")
    second = consent_withdraw(user=reader, purpose="analytics", method="dashboard").event
    assert second.prev_hash == first.hash
    assert consents_for_user(user=reader)["analytics"] is False
    assert ledger_verify().ok and ledger_verify().checked == 2


def test_ledger_refuses_edits_and_detects_tampering():
    reader = UserFactory()
    event = consent_grant(user=reader, purpose="location", method="signup")
    consent_grant(user=reader, purpose="analytics", method="signup")
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.all().delete()
    # A write that bypasses the ORM's guard is still detected.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE consent_consentevent SET granted = %s WHERE id = %s", [False, event.pk]
        )
    report = ledger_verify()
    assert not report.ok and report.broken_at == event.pk


def test_essential_is_not_a_consent_toggle():
    with pytest.raises(ValueError):
        consent_grant(user=UserFactory(), purpose="essential", method="dashboard")
