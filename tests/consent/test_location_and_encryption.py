from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from consent.services import consent_grant
from newsapp.models import ReaderLocation, ReaderPreferences, Region
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbour():
    Region.objects.create(name="Harbourside", slug="harbourside", latitude=54.6, longitude=-3.5)
    return Region.objects.create(name="Upland", slug="upland", latitude=55.0, longitude=-2.1)


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}"')
        return [row[0] for row in cursor.fetchall()]


def test_a_region_needs_the_location_consent(client, harbour):
    reader = UserFactory()
    client.force_login(reader)
    page = client.get("/region/").content.decode()
    assert "Local news is off" in page and "We hold no region for you" in page
    response = client.post("/region/", {"region": "upland"}, follow=True)
    assert "Allow “Local news for my region” first" in response.content.decode()
    assert not ReaderLocation.objects.exists()


def test_the_region_is_stored_encrypted_shown_to_its_owner_and_deleted_on_withdrawal(
    client, harbour
):
    reader = UserFactory()
    consent_grant(user=reader, purpose="location", method="dashboard")
    client.force_login(reader)
    page = client.get("/region/").content.decode()
    # The browser gets the regions' centres to suggest one itself; no coordinates come back.
    assert 'data-lat="55.0"' in page and "js/region.js" in page
    client.post("/region/", {"region": "upland"})
    assert ReaderLocation.objects.get(user=reader).region == "upland"
    stored = _raw("newsapp_readerlocation", "region")
    assert stored and "upland" not in stored[0] and stored[0].startswith("enc")
    page = client.get("/privacy/data/location/").content.decode()
    # The region's name, never its slug, and the way to change it.
    region = Region.objects.get(slug="upland")
    assert region.name in page and ">upland<" not in page and "/region/" in page
    client.post("/privacy/consents/", {"purpose": "location", "granted": "0"})
    assert not ReaderLocation.objects.exists()


def test_the_region_is_forgotten_after_30_days_without_a_visit(client, harbour):
    reader = UserFactory()
    consent_grant(user=reader, purpose="location", method="dashboard")
    client.force_login(reader)
    client.post("/region/", {"region": "upland"})
    with time_machine.travel(timezone.now() + timedelta(days=20)):
        client.force_login(reader)  # a visit moves the 30 days on
        call_command("purge_expired_data")
    assert ReaderLocation.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(days=51)):
        call_command("purge_expired_data")
    assert not ReaderLocation.objects.exists()


def test_typed_keywords_are_encrypted_at_rest_and_read_back(client):
    reader = UserFactory()
    ReaderPreferences.objects.create(user=reader, keywords="zeppelin, heat pumps")
    stored = _raw("newsapp_readerpreferences", "keywords")
    assert "zeppelin" not in stored[0] and "heat pumps" not in stored[0]
    assert ReaderPreferences.objects.get(user=reader).keyword_list == ["zeppelin", "heat pumps"]
    client.force_login(reader)
    assert "zeppelin, heat pumps" in client.get("/privacy/data/preferences/").content.decode()


def test_keywords_survive_key_rotation(settings, capsys):
    from consent import crypto

    reader = UserFactory()
    ReaderPreferences.objects.create(user=reader, keywords="lighthouses")
    old_keys = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = ["bmV3LWtleS1mb3ItdGhlLXJvdGF0aW9uLXRlc3QtMzI=", *old_keys]
    crypto_cache = getattr(crypto.keyring, "cache_clear", None)
    if crypto_cache:
        crypto_cache()
    call_command("rotate_encryption_keys")
    stored = _raw("newsapp_readerpreferences", "keywords")[0]
    assert crypto.key_id_of(stored) == crypto.current_key_id()
    assert ReaderPreferences.objects.get(user=reader).keywords == "lighthouses"


def test_a_local_story_is_explained_in_the_feed_and_history_is_recorded_on_reading(client, harbour):
    from newsapp.models import Article, ReadingEvent
    from tests.factories import ArticleFactory, TopicFactory, follow

    food = TopicFactory(name="Food", keywords="chef, recipe, harvest")
    for i in range(6):
        ArticleFactory(
            title=f"Chef story {i}", body="<p>A chef cooks the harvest.</p>", topics=[food]
        )
    local = ArticleFactory(
        title="Upland chef opens a harvest kitchen", body="<p>Chef and harvest.</p>", topics=[food]
    )
    Article.objects.filter(pk=local.pk).update(region=harbour)
    reader = UserFactory()
    follow(reader, food)
    consent_grant(user=reader, purpose="location", method="dashboard")
    consent_grant(user=reader, purpose="personalize_history", method="dashboard")
    client.force_login(reader)
    client.post("/region/", {"region": "upland"})
    feed = client.get("/").content.decode()
    assert "About your region" in feed
    client.get(local.get_absolute_url())
    assert ReadingEvent.objects.filter(article=local).count() == 1


def _dumpdata(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("dumpdata", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dumpdata_never_writes_encrypted_keywords_or_regions_by_default(harbour):
    reader = UserFactory()
    ReaderPreferences.objects.create(user=reader, keywords="zeppelin")
    ReaderLocation.objects.create(user=reader, region="upland")

    for args in ((), ("newsapp",)):
        dumped, note = _dumpdata(*args)
        assert "zeppelin" not in dumped and '"newsapp.readerlocation"' not in dumped
        assert "Harbourside" in dumped  # everything else is still there
        assert "Left out newsapp.ReaderLocation, newsapp.ReaderPreferences" in note

    dumped, note = _dumpdata("newsapp.Region")
    assert "Upland" in dumped and note == ""

    with pytest.raises(CommandError, match="ReaderPreferences holds encrypted personal data"):
        _dumpdata("newsapp.readerpreferences")

    dumped, note = _dumpdata("newsapp.ReaderPreferences", "--decrypted")
    assert "zeppelin" in dumped and "in plaintext" in note
