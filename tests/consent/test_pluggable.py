"""An app joins the privacy layer by declaring only.

``tests/privacy_app`` (installed by tests/settings.py, never in production) holds one model
with a personal field and declares, in its own ``privacy.py``, one purpose and one
category. Nothing in ``consent`` names it, yet the reader finds it on the dashboard, in the
export and the erasure receipt, the purge deletes it on time, and the privacy officer's
record of processing lists it.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from consent import inventory, purposes
from consent.inventory import Category
from consent.models import ConsentEvent, DataRequest
from consent.purposes import Purpose
from tests.consent.conftest import staff
from tests.factories import PASSWORD, UserFactory
from tests.privacy_app.models import HelpRequest

pytestmark = pytest.mark.django_db

CONSENT_SOURCES = [
    *Path("consent").rglob("*.py"),
    *Path("templates/consent").rglob("*.html"),
    *Path("templates/admin/consent").rglob("*.html"),
]


# Words of the news domain; "newsapp" is allowed only as the project's infrastructure.
NEWS_WORDS = re.compile(
    r"\b(topics?|articles?|feeds?|feedback|keywords?|reading|regions?|location|newsroom"
    r"|editors?|stor(y|ies)|headlines?|outlets?)\b|newsapp(?!\.core\b)",
    re.IGNORECASE,
)


@pytest.fixture
def asker(db):
    reader = UserFactory(email="asker@example.org")
    HelpRequest.objects.create(user=reader, message="How do I change my e-mail address?")
    return reader


def test_nothing_in_the_privacy_layer_names_the_test_app():
    assert CONSENT_SOURCES
    for path in CONSENT_SOURCES:
        text = path.read_text(encoding="utf-8")
        for name in ("privacy_app", "HelpRequest", "help_desk", "help desk", "help_requests"):
            assert name not in text, (path, name)


def test_the_privacy_layer_says_nothing_of_news():
    found = []
    for path in CONSENT_SOURCES:
        if "migrations" in path.parts:
            continue  # history: what the models were, and cannot be rewritten
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{path}:{number}: {m.group(0)}" for m in NEWS_WORDS.finditer(line)]
    assert found == []


def test_the_walker_finds_the_new_model_and_its_declaration_covers_it():
    assert "privacy_app.HelpRequest" in {m._meta.label for m in inventory.personal_models()}
    assert inventory.declaration_for(HelpRequest) is not None
    assert inventory.undeclared_fields() == []


def test_the_dashboard_shows_the_new_purpose_category_and_values(client, asker):
    client.force_login(asker)
    page = client.get("/privacy/").content.decode()
    request = HelpRequest.objects.get()
    expires = (timezone.localtime(request.sent_at) + timedelta(days=180)).date()
    for expected in (
        # The purpose, always on, with its reason.
        "Answering your questions",
        "Always on because we need your question to answer it.",
        "Legitimate interest (GDPR Art. 6(1)(f))",
        # The category, counted in words (its model's names), and when the next item goes.
        "Your questions to the help desk",
        "1 help request",
        f'datetime="{expires:%Y-%m-%d}"',
        'href="/privacy/data/help-requests/"',
    ):
        assert expected in page, expected
    # Its own page: the retention in words from the one number, and the value held.
    page = client.get("/privacy/data/help-requests/").content.decode()
    for expected in (
        "180 days after you sent it, then deleted.",
        "How do I change my e-mail address?",
        f'datetime="{expires:%Y-%m-%d}"',
    ):
        assert expected in page, expected
    # Each question can be deleted alone, like any other listed item.
    response = client.post(
        f"/privacy/items/privacy_app.HelpRequest/{request.pk}/delete/", follow=True
    )
    assert "Deleted: Question sent" in response.content.decode()
    assert not HelpRequest.objects.exists()


def test_the_notice_names_the_new_purpose_and_category(client):
    page = client.get("/privacy/notice/").content.decode()
    assert "Answering your questions" in page and "Your questions to the help desk" in page


def test_the_export_holds_the_new_category_with_its_legal_frame(client, asker):
    client.force_login(asker)
    document = json.loads(client.post("/privacy/export.json").content)
    section = document["help_requests"]
    assert section["title"] == "Your questions to the help desk"
    assert section["purpose"] == "So that we can answer you."
    assert section["legal_basis"] == "Legitimate interest (GDPR Art. 6(1)(f))"
    assert section["retention"] == "180 days after you sent it, then deleted."
    [held] = section["data"]["help_requests"]
    assert held["message"] == "How do I change my e-mail address?"
    logged = DataRequest.objects.get(kind="export")
    assert logged.summary["help_requests"] == 1


def test_erasure_deletes_it_and_the_receipt_says_so(client, asker):
    other = UserFactory()
    HelpRequest.objects.create(user=other, message="Someone else's question")
    client.force_login(asker)
    page = client.post("/privacy/delete/", {"password": PASSWORD}, follow=True).content.decode()
    assert "Your questions to the help desk" in page
    assert list(HelpRequest.objects.values_list("message", flat=True)) == [
        "Someone else's question"
    ]
    erased = DataRequest.objects.get(kind="erase")
    assert erased.summary["Your questions to the help desk"] == 1


def test_the_delete_page_lists_it_among_what_goes(client, asker):
    client.force_login(asker)
    page = client.get("/privacy/delete/").content.decode()
    assert "<li>Your questions to the help desk</li>" in page
    assert "<li>Your consent history</li>" not in page  # kept as proof, under a pseudonym


def test_the_purge_deletes_it_after_its_declared_retention(asker, capsys):
    old = HelpRequest.objects.create(
        user=asker, message="An old question", sent_at=timezone.now() - timedelta(days=181)
    )
    call_command("purge_expired_data", "--dry-run")
    assert "Your questions to the help desk: 1 would be deleted" in capsys.readouterr().out
    assert HelpRequest.objects.filter(pk=old.pk).exists()
    call_command("purge_expired_data")
    assert not HelpRequest.objects.filter(pk=old.pk).exists()
    assert HelpRequest.objects.filter(user=asker).count() == 1


def test_the_record_of_processing_lists_it(client):
    client.force_login(staff("Privacy officers"))
    text = client.get("/admin/consent/consentevent/record-of-processing/").content.decode()
    for expected in (
        "Your questions to the help desk",
        "<code>help_requests</code>",
        "Answering your questions: So that we can answer you.",
        "Your question <small>(help requests)</small>",
        "180 days after you sent it, then deleted.",
    ):
        assert expected in text, expected


def test_a_plugged_in_purpose_that_needs_consent_is_asked_recorded_and_withdrawn(
    client, asker, monkeypatch
):
    """The same app, had it asked for consent: the sign-up form, the dashboard toggle and
    the withdrawal that deletes what was collected all follow from the declaration."""
    registered = dict(purposes._purposes)
    registered["help_desk"] = Purpose(
        code="help_desk",
        title="Keep my questions to improve the help pages",
        data="The questions you send us.",
        why="So the help pages answer what readers ask.",
        legal_basis="Consent (GDPR Art. 6(1)(a))",
    )
    monkeypatch.setattr(purposes, "_purposes", registered)
    assert 'name="consent_help_desk"' in client.get("/accounts/signup/").content.decode()

    client.force_login(asker)
    page = client.get("/privacy/").content.decode()
    assert '<h3 id="allow-help_desk">Keep my questions to improve the help pages</h3>' in page
    assert 'aria-labelledby="allow-help_desk"' in page
    client.post("/privacy/consents/", {"purpose": "help_desk", "granted": "1"})
    response = client.post(
        "/privacy/consents/", {"purpose": "help_desk", "granted": "0"}, follow=True
    )
    assert "your questions to the help desk: 1 item" in response.content.decode()
    assert not HelpRequest.objects.exists()
    assert list(ConsentEvent.objects.values_list("purpose", "granted")) == [
        ("help_desk", True),
        ("help_desk", False),
    ]


def test_a_category_for_staff_only_is_left_out_for_readers(client):
    client.force_login(UserFactory())
    assert "(staff only)" not in client.get("/privacy/").content.decode()
    client.force_login(staff("Editors"))
    assert "(staff only)" in client.get("/privacy/").content.decode()


def test_the_inventory_holds_together_and_check_names_what_does_not(monkeypatch):
    assert inventory.problems() == []
    categories = dict(inventory._categories)
    categories["help_requests"] = Category(
        code="help_requests", title="Questions", purpose="nobody_registered_this", description="-"
    )
    monkeypatch.setattr(inventory, "_categories", categories)
    assert inventory.problems() == [
        "Category 'help_requests' names the purpose 'nobody_registered_this', which no app "
        "registers."
    ]
    with pytest.raises(Exception, match=r"consent\.E001"):
        call_command("check")
