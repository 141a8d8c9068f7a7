import json

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client

from consent.models import ConsentEvent, DataRequest
from consent.pseudonyms import pseudonym_for
from consent.services import ledger_verify
from newsapp.models import ArticleFeedback, ReaderPreferences, TopicFollow
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_export_holds_every_category_with_the_readers_actual_values(client, reader_with_data):
    client.force_login(reader_with_data)
    response = client.post("/privacy/export.json")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    document = json.loads(response.content)
    assert document["schema"] == "newsapp.export/1"
    for key in (
        "account",
        "preferences",
        "consents",
        "feedback",
        "reading_history",
        "location",
        "saved",
        "digest",
    ):
        assert {"purpose", "legal_basis", "retention", "data"} <= set(document[key])
    assert document["account"]["data"]["users"]["email"] == "distinct.reader@example.org"
    assert "hash" in document["account"]["data"]["users"]["password"]  # described, not given
    assert "pbkdf2" not in response.content.decode() and "md5$" not in response.content.decode()
    preferences = document["preferences"]["data"]
    assert preferences["reader_preferences"]["keywords"] == "zeppelinology, tram"
    assert preferences["reader_preferences"]["muted_sources"] == ["Harbour Gazette"]
    assert {f["topic"]: f["weight"] for f in preferences["topic_follows"]} == {
        "Science": "Normal",
        "Climate": "More",
    }
    feedback = document["feedback"]["data"]["article_feedbacks"]
    assert {(f["article"], f["kind"]) for f in feedback} == {
        ("Airships return to the northern coast", "More like this"),
        ("Quarterly tram timetable", "Less like this"),
    }
    consents = document["consents"]["data"]["consent_events"]
    assert [(c["purpose"], c["granted"], c["method"]) for c in consents] == [
        ("analytics", True, "signup")
    ]
    assert DataRequest.objects.filter(
        subject_pseudonym=pseudonym_for(reader_with_data.pk), kind="export"
    ).exists()


def test_a_get_of_the_export_only_shows_the_button_and_spends_nothing(client, settings):
    """A link from another site (or a prefetch) reaches the export with a GET: it gets a
    page with a button, not the file, and neither the log nor the quota notices."""
    settings.PRIVACY_REQUESTS_PER_HOUR = 1
    reader = UserFactory()
    client.force_login(reader)
    for _ in range(3):
        page = client.get("/privacy/export.json")
        assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
        assert '<form method="post" action="/privacy/export.json"' in page.content.decode()
    assert not DataRequest.objects.exists()
    download = client.post("/privacy/export.json")  # the one export of the hour is still there
    assert download.status_code == 200 and json.loads(download.content)["schema"]


def test_a_cross_site_post_of_the_export_is_refused(reader_with_data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader_with_data)
    assert client.post("/privacy/export.json").status_code == 403
    assert not DataRequest.objects.exists()


def test_the_dashboard_downloads_with_a_post(client, reader_with_data):
    client.force_login(reader_with_data)
    page = client.get("/privacy/").content.decode()
    assert '<form method="post" action="/privacy/export.json"' in page
    assert 'href="/privacy/export.json" download' not in page


def test_export_queries_do_not_grow_with_the_amount_of_data(client, reader_with_data):
    client.force_login(reader_with_data)
    from django.test.utils import CaptureQueriesContext

    client.post("/privacy/export.json")  # first request of a session does one-off work
    with CaptureQueriesContext(connection) as few:
        client.post("/privacy/export.json")
    for _ in range(15):
        ArticleFeedback.objects.create(user=reader_with_data, article=ArticleFactory(), kind="more")
    with CaptureQueriesContext(connection) as many:
        client.post("/privacy/export.json")
    assert len(many) == len(few)


def test_export_signed_out_is_sent_to_sign_in_and_gives_nothing(client):
    response = client.post("/privacy/export.json")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_clear_deletes_feedback_keeps_topics_and_shows_a_receipt(client, reader_with_data):
    client.force_login(reader_with_data)
    response = client.post("/privacy/clear/", follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "What was deleted" in page and "Your feedback on articles" in page
    assert not ArticleFeedback.objects.filter(user=reader_with_data).exists()
    assert TopicFollow.objects.filter(user=reader_with_data).count() == 2
    assert ReaderPreferences.objects.get(user=reader_with_data).keywords == "zeppelinology, tram"
    request = DataRequest.objects.get(kind="clear")
    assert request.summary["deleted"]["Your feedback on articles"] == 2
    assert request.hash[:12] in page  # the receipt's reference finds the logged request
    # Submitting twice loses nothing more and still answers with a receipt.
    again = client.post("/privacy/clear/", follow=True)
    assert (
        again.status_code == 200 and TopicFollow.objects.filter(user=reader_with_data).count() == 2
    )


def test_the_clear_receipt_lists_only_what_was_cleared(client, reader_with_data):
    client.force_login(reader_with_data)
    page = client.post("/privacy/clear/", follow=True).content.decode()
    receipt = page[page.index("<h1>") : page.index("</table>")]
    # Feedback went; topics stayed (the box was not ticked), so they are not on the receipt.
    assert "Your feedback on articles" in receipt
    assert "The topics, keywords and mutes you chose" not in receipt
    assert "What you read" not in receipt  # nothing was held
    assert DataRequest.objects.get(kind="clear").summary["deleted"] == {
        "Your feedback on articles": 2
    }
    # A second clear has nothing left to delete and says so.
    again = client.post("/privacy/clear/", follow=True).content.decode()
    assert "There was nothing to delete" in again and "<table" not in again


def test_clear_with_reset_topics_also_resets_topics_and_keywords(client, reader_with_data):
    client.force_login(reader_with_data)
    client.post("/privacy/clear/", {"reset_topics": "on"})
    assert not TopicFollow.objects.filter(user=reader_with_data).exists()
    assert ReaderPreferences.objects.get(user=reader_with_data).keywords == ""


def test_clear_refuses_a_forged_post_and_a_get(reader_with_data):
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(reader_with_data)
    assert forged.post("/privacy/clear/").status_code == 403
    assert forged.get("/privacy/clear/").status_code == 405
    assert ArticleFeedback.objects.filter(user=reader_with_data).count() == 2


def test_wrong_password_deletes_nothing(client, reader_with_data):
    client.force_login(reader_with_data)
    response = client.post("/privacy/delete/", {"password": "not-it"})
    assert response.status_code == 200
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    assert ArticleFeedback.objects.filter(user=reader_with_data).count() == 2


def _text_columns():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def test_erasure_leaves_nothing_but_pseudonymised_ledger_rows(client, reader_with_data):
    reader = reader_with_data
    pseudonym = pseudonym_for(reader.pk)
    client.force_login(reader)
    response = client.post("/privacy/delete/", {"password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert "Your account no longer exists" in page and "no-store" in response["Cache-Control"]
    assert "Kept under a pseudonym only" in page
    assert not response.wsgi_request.user.is_authenticated

    needles = ["distinct.reader@example.org", "zeppelinology", str(reader.pk)]
    found = []
    with connection.cursor() as cursor:
        for model, field in _text_columns():
            table, column = model._meta.db_table, field.column
            cursor.execute(f'SELECT "{column}" FROM "{table}"')
            for (value,) in cursor.fetchall():
                text = value if isinstance(value, str) else json.dumps(value)
                found += [f"{table}.{column}" for needle in needles if needle in (text or "")]
    assert found == []
    assert ConsentEvent.objects.filter(subject_pseudonym=pseudonym, subject=None).count() == 1
    assert DataRequest.objects.filter(subject_pseudonym=pseudonym, kind="erase").exists()
    assert ledger_verify().ok
    login = client.post(
        "/accounts/login/", {"login": "distinct.reader@example.org", "password": PASSWORD}
    )
    assert not login.wsgi_request.user.is_authenticated


def test_erasure_ends_every_session_of_the_reader(reader_with_data):
    phone, laptop = Client(), Client()
    phone.force_login(reader_with_data)
    laptop.force_login(reader_with_data)
    laptop.post("/privacy/delete/", {"password": PASSWORD})
    response = phone.get("/privacy/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_deleting_one_feedback_item_and_not_another_readers(client, reader_with_data):
    other = UserFactory()
    theirs = ArticleFeedback.objects.create(user=other, article=ArticleFactory(), kind="more")
    mine = ArticleFeedback.objects.filter(user=reader_with_data).first()
    client.force_login(reader_with_data)
    response = client.post(f"/privacy/items/newsapp.ArticleFeedback/{mine.pk}/delete/", follow=True)
    assert "Deleted:" in response.content.decode()
    assert not ArticleFeedback.objects.filter(pk=mine.pk).exists()
    response = client.post(
        f"/privacy/items/newsapp.ArticleFeedback/{theirs.pk}/delete/", follow=True
    )
    assert "already gone" in response.content.decode()
    assert ArticleFeedback.objects.filter(pk=theirs.pk).exists()
    # Only declared, deletable items: the account row is not deletable this way.
    response = client.post(f"/privacy/items/accounts.User/{reader_with_data.pk}/delete/")
    assert reader_with_data.__class__.objects.filter(pk=reader_with_data.pk).exists()


@pytest.mark.shared_cache
def test_export_and_clear_are_limited_per_reader_with_a_429_that_says_when(
    client, reader_with_data, settings
):
    settings.PRIVACY_REQUESTS_PER_HOUR = 2
    client.force_login(reader_with_data)
    assert client.post("/privacy/export.json").status_code == 200
    assert client.post("/privacy/export.json").status_code == 200
    refused = client.post("/privacy/export.json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Please try again in" in refused.content.decode()
    # Another reader is not affected; clear has its own budget.
    other = UserFactory()
    client.force_login(other)
    assert client.post("/privacy/export.json").status_code == 200
    client.force_login(reader_with_data)
    assert client.post("/privacy/clear/").status_code == 302


def test_a_double_submitted_erasure_answers_clearly_and_erases_once(client, reader_with_data):
    client.force_login(reader_with_data)
    first = client.post("/privacy/delete/", {"password": PASSWORD})
    second = client.post("/privacy/delete/", {"password": PASSWORD})
    assert first.status_code == 302 and first["Location"] == "/privacy/receipt/"
    assert second.status_code == 302 and "/accounts/login/" in second["Location"]
    assert DataRequest.objects.filter(kind="erase").count() == 1
