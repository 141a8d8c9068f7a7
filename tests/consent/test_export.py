"""The export reads rows as plain values (consent.exporting) and still says, byte for byte,
what it said when it built a model instance for every row."""

import dataclasses
import json
import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consent import exporting, inventory, rights
from consent.audit import access_record_append
from consent.inventory import PersonalField
from consent.models import DataRequest
from consent.pseudonyms import pseudonym_for
from consent.services import consent_grant
from consent.views import readable_json
from newsapp.experiments import experiments_participation_set
from newsapp.models import (
    Article,
    ArticleFeedback,
    ReaderLocation,
    ReaderPreferences,
    ReadingEvent,
    Region,
    SavedArticle,
    Topic,
    TopicFollow,
)
from tests.consent.conftest import staff
from tests.factories import bulk_stories
from tests.privacy_app.models import HelpRequest

pytestmark = pytest.mark.django_db


def read_history(reader, count: int) -> None:
    """``count`` days of reading by ``reader``, who allowed it, one article each."""
    consent_grant(user=reader, purpose="personalize_history", method="dashboard")
    articles = bulk_stories(
        count,
        name="Read story — “quoted”, ünïcode",
        body="<p>Text.</p>",
        published_at=timezone.now() - timedelta(days=1),
    )
    today = timezone.localdate()
    pseudonym = pseudonym_for(reader.pk)
    ReadingEvent.objects.bulk_create(
        ReadingEvent(pseudonym=pseudonym, article=article, day=today - timedelta(days=n % 85))
        for n, article in enumerate(articles)
    )


@pytest.fixture
def seeded_reader(reader_with_data):
    """A reader with something in every category: ``reader_with_data`` plus reading
    history, a region, a look by staff, a choice about experiments, an earlier export, a
    confirmation e-mail, a question to the help desk (tests.privacy_app) and a change in
    the admin."""
    reader = reader_with_data
    read_history(reader, 40)
    consent_grant(user=reader, purpose="location", method="dashboard")
    region = Region.objects.create(name="Corran Bay", slug="corran-bay", latitude=1, longitude=2)
    ReaderLocation.objects.create(user=reader, region=region.slug)
    access_record_append(
        staff=staff("Privacy officers"), pseudonym=pseudonym_for(reader.pk), what="consents"
    )
    experiments_participation_set(user=reader, taking_part=False)
    rights.data_request_append(
        pseudonym=pseudonym_for(reader.pk), kind=DataRequest.Kind.EXPORT, summary={"feedback": 2}
    )
    EmailConfirmation.create(EmailAddress.objects.get(user=reader))
    HelpRequest.objects.create(user=reader, message="Where did my “tram” keyword go?\nThanks")
    LogEntry.objects.create(
        user=reader,
        content_type=ContentType.objects.get_for_model(Topic),
        object_id="1",
        object_repr="Science",
        action_flag=CHANGE,
        change_message="Changed the description.",
    )
    return reader


def export_row_by_row(user) -> dict:
    """The export as it was built before ``consent.exporting``: a model instance for every
    row, with the row each foreign key points at, each shown by ``Declaration.present``.
    Only the order of rows their model never ordered (now by primary key) is the new one."""
    document = {"schema": "newsapp.export/1", "exported_at": timezone.now().isoformat()}
    for category in inventory.categories():
        data = {}
        for declaration in inventory.declarations(category.code):
            rows = exporting.in_order(declaration.rows_to_show(user))
            values = [declaration.present(row) for row in rows]
            key = re.sub(r"\W+", "_", str(declaration.model_class._meta.verbose_name_plural))
            data[key] = (values[0] if values else None) if not declaration.many else values
        document[category.code] = {
            "title": category.title,
            "description": category.description,
            "purpose": category.why,
            "legal_basis": category.legal_basis,
            "retention": category.retention,
            "data": data,
        }
    return document


def test_the_export_says_byte_for_byte_what_reading_row_by_row_said(seeded_reader):
    with time_machine.travel(timezone.now(), tick=False):
        expected = readable_json(export_row_by_row(seeded_reader))  # logs nothing
        exported = readable_json(rights.data_export(user=seeded_reader))
    assert exported == expected
    document = json.loads(exported)
    # Every category holds the seeded reader's values, not empty lists that match.
    for category in inventory.categories():
        assert any(document[category.code]["data"].values()), category.code
    history = document["reading_history"]["data"]["reading_events"]
    assert len(history) == 40 and history[0]["article"].startswith("Read story")
    assert history[0]["pseudonym"] == pseudonym_for(seeded_reader.pk)
    assert document["location"]["data"]["reader_locations"]["region"] == "corran-bay"
    assert document["staff_access"]["data"]["staff_access_records"][0]["staff"] == "still active"


def test_the_rows_that_grow_with_the_years_are_read_as_values_not_instances():
    declared = {d.model: exporting.reads_as_values(d) for d in inventory.declarations()}
    for model in (
        "newsapp.ReadingEvent",
        "newsapp.ArticleFeedback",
        "newsapp.SavedArticle",
        "newsapp.TopicFollow",
        "consent.ConsentEvent",
        "consent.DataRequest",
    ):
        assert declared[model], model
    # Many-to-many fields and encrypted text need the row: one row each, as instances.
    for model in ("accounts.User", "newsapp.ReaderPreferences", "newsapp.ReaderLocation"):
        assert not declared[model], model


def test_an_article_is_named_by_its_title_in_the_same_query_as_the_rows(seeded_reader):
    declaration = inventory.declaration_for(ReadingEvent)
    with CaptureQueriesContext(connection) as queries:
        rows = exporting.exported_rows(declaration, seeded_reader)
    assert len(queries) == 1 and len(rows) == 40
    titles = dict(Article.objects.values_list("pk", "title"))
    read = ReadingEvent.objects.filter(pseudonym=pseudonym_for(seeded_reader.pk))
    assert [row["article"] for row in rows] == [
        titles[pk] for pk in read.order_by("-day", "-id").values_list("article_id", flat=True)
    ]


def test_export_queries_stay_the_same_from_50_to_500_reading_events(
    client, reader_with_data, django_assert_max_num_queries
):
    client.force_login(reader_with_data)
    read_history(reader_with_data, 50)
    client.post("/privacy/export.json")  # the session's first request does one-off work
    with CaptureQueriesContext(connection) as few:
        assert client.post("/privacy/export.json").status_code == 200
    read_history(reader_with_data, 450)
    for article in Article.objects.filter(slug__startswith="read-story-")[:60]:
        ArticleFeedback.objects.create(user=reader_with_data, article=article, kind="less")
        SavedArticle.objects.create(user=reader_with_data, article=article)
    TopicFollow.objects.create(user=reader_with_data, topic=Topic.objects.create(name="Rail"))
    ReaderPreferences.objects.get(user=reader_with_data).muted_topics.add(
        Topic.objects.get(name="Rail")
    )
    with django_assert_max_num_queries(len(few)):
        response = client.post("/privacy/export.json")
    history = json.loads(response.content)["reading_history"]["data"]["reading_events"]
    assert len(history) == 500
    # One query per declaration and per many-to-many field, a few for the hourly limit,
    # the session and the logged request, and the reader's data version drawn anew (the
    # logged request is theirs): pinned, so a query per row cannot come back.
    declarations = len(inventory.declarations())
    assert len(few) <= declarations + 21


def test_the_export_itself_reads_a_query_or_two_per_declaration(
    seeded_reader, django_assert_max_num_queries
):
    read_history(seeded_reader, 300)
    many_to_many = sum(
        bool(d.model_class._meta.get_field(name).many_to_many)
        for d in inventory.declarations()
        for name in d.fields
    )
    # The rows of each declaration, each many-to-many field, the staff account a look
    # names, the transaction's savepoint and its release, the logged request (the chain's
    # lock, its head and the insert) and the reader's data version it draws anew.
    pinned = len(inventory.declarations()) + many_to_many + 1 + 2 + 3 + 1
    with django_assert_max_num_queries(pinned):
        rights.data_export(user=seeded_reader)


def test_a_presented_field_gets_the_stored_value_as_it_did_with_instances(seeded_reader):
    original = inventory.declaration_for(ReadingEvent)
    declaration = dataclasses.replace(
        original,
        fields={
            "article": PersonalField("Article", named_by="title", present=str.upper),
            "day": PersonalField("Day", present=lambda day: f"{day:%A %d %B}"),
            "pseudonym": PersonalField("Pseudonym", present=len),
        },
    )
    rows = exporting.exported_rows(declaration, seeded_reader)
    instances = exporting.in_order(declaration.rows_to_show(seeded_reader))
    assert rows == [declaration.present(row) for row in instances]
    assert rows[0]["pseudonym"] == 64 and rows[0]["article"].startswith("READ STORY")
