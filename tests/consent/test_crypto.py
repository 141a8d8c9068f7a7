"""Encryption at rest: the AES-GCM primitives, EncryptedTextField and key rotation.

The field is exercised on a model that exists only for these tests (created and dropped
around each test) so the real news models can adopt it separately.
"""

import base64
import os
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, models

from consent import crypto
from consent.fields import EncryptedTextField, Sealed


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def keys(settings):
    """Two fresh keys, the first one encrypting."""
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), new_key()]
    return settings.FIELD_ENCRYPTION_KEYS


@pytest.fixture
def note_model(transactional_db, django_db_serialized_rollback):
    """A throwaway model with an encrypted column bound to its owner's id.

    SQLite cannot create a table inside the test transaction, so these tests commit and
    the rows from data migrations (staff groups) are restored afterwards.
    """

    class SecretNote(models.Model):  # noqa: DJ008
        owner_id = models.IntegerField()
        body = EncryptedTextField(bind_to="owner_id", blank=True, null=True)

        class Meta:
            app_label = "consent"
            db_table = "test_consent_secretnote"

    try:
        with connection.schema_editor() as editor:
            editor.create_model(SecretNote)
        yield SecretNote
        with connection.schema_editor() as editor:
            editor.delete_model(SecretNote)
    finally:
        del apps.all_models["consent"]["secretnote"]
        apps.clear_cache()


def raw_body(pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM test_consent_secretnote WHERE id = %s", [pk])
        return cursor.fetchone()[0]


# --- primitives -----------------------------------------------------------------------


def test_round_trip_with_fresh_nonce_and_key_id_derived_from_the_key(keys):
    first = crypto.encrypt("zeppelinology", aad=b"a")
    second = crypto.encrypt("zeppelinology", aad=b"a")
    assert first != second  # a fresh nonce for every write
    assert crypto.decrypt(first, aad=b"a") == "zeppelinology"
    prefix, kid, body = first.split(":")
    assert prefix == "enc1"
    assert kid == crypto.key_id(base64.urlsafe_b64decode(keys[0]))
    assert len(base64.urlsafe_b64decode(body + "==")) == 12 + len("zeppelinology") + 16


def test_wrong_associated_data_or_tampering_fails_loudly(keys):
    token = crypto.encrypt("my street", aad=b"consent.note.body|owner_id=1")
    with pytest.raises(crypto.DecryptionError, match="another column or row"):
        crypto.decrypt(token, aad=b"consent.note.body|owner_id=2")
    prefix, kid, body = token.split(":")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}:{kid}:{flipped}", aad=b"consent.note.body|owner_id=1")
    with pytest.raises(crypto.DecryptionError, match="not in the encrypted format"):
        crypto.decrypt("plain text", aad=b"x")


def test_an_old_key_still_decrypts_and_a_removed_key_is_named(settings, keys):
    token = crypto.encrypt("old secret", aad=b"x")
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), keys[0]]
    assert crypto.decrypt(token, aad=b"x") == "old secret"
    assert crypto.needs_rotation(token)
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    with pytest.raises(crypto.DecryptionError, match="not in DJANGO_FIELD_ENCRYPTION_KEYS"):
        crypto.decrypt(token, aad=b"x")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not base64 at all!!", "not urlsafe base64"),
        (base64.urlsafe_b64encode(b"too short").decode(), "needs exactly 32"),
        ("", "holds no key"),
    ],
)
def test_bad_keys_are_refused_with_a_clear_message(settings, value, message):
    settings.FIELD_ENCRYPTION_KEYS = [value] if value else []
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.encrypt("x", aad=b"x")


def test_a_repeated_key_is_refused(settings):
    key = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [key, key]
    with pytest.raises(ImproperlyConfigured, match="repeats an earlier key"):
        crypto.check_configuration()


# --- the model field -------------------------------------------------------------------


def test_field_round_trip_and_raw_row_holds_no_plaintext(keys, note_model):
    note = note_model.objects.create(owner_id=7, body="zeppelinology, tram")
    assert note.body == "zeppelinology, tram"  # the instance keeps the plaintext
    stored = raw_body(note.pk)
    assert "zeppelin" not in stored and "tram" not in stored
    assert stored.startswith(f"enc1:{crypto.current_key_id()}:")
    assert note_model.objects.get(pk=note.pk).body == "zeppelinology, tram"

    note.body = "harbour"
    note.save()
    rewritten = raw_body(note.pk)
    assert rewritten != stored and "harbour" not in rewritten
    assert note_model.objects.get(pk=note.pk).body == "harbour"


def test_empty_and_null_values_and_bulk_create(keys, note_model):
    empty = note_model.objects.create(owner_id=1, body="")
    null = note_model.objects.create(owner_id=1, body=None)
    assert raw_body(empty.pk) == "" and raw_body(null.pk) is None
    note_model.objects.bulk_create([note_model(owner_id=2, body="bulk secret")])
    bulk = note_model.objects.get(owner_id=2)
    assert "bulk" not in raw_body(bulk.pk)
    assert bulk.body == "bulk secret"


def test_ciphertext_moved_to_another_readers_row_fails_loudly(keys, note_model):
    mine = note_model.objects.create(owner_id=1, body="my secret")
    theirs = note_model.objects.create(owner_id=2, body="their secret")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE test_consent_secretnote SET body = %s WHERE id = %s",
            [raw_body(mine.pk), theirs.pk],
        )
    with pytest.raises(crypto.DecryptionError):
        _ = note_model.objects.get(pk=theirs.pk).body


def test_writes_that_cannot_bind_a_row_are_refused(keys, note_model):
    note = note_model.objects.create(owner_id=1, body="x")
    with pytest.raises(TypeError, match="is encrypted"):
        note_model.objects.filter(pk=note.pk).update(body="plain")
    with pytest.raises(TypeError, match="is encrypted"):
        list(note_model.objects.filter(body="x"))
    assert isinstance(note_model.objects.values_list("body", flat=True).get(), Sealed)
    with pytest.raises(ValueError, match="not set yet"):
        note_model(owner_id=None, body="x").save()


# --- rotation -----------------------------------------------------------------------------


def test_rotation_re_encrypts_everything_and_reads_it_all_back(settings, keys, note_model):
    texts = {owner: f"note of reader {owner}" for owner in range(1, 8)}
    for owner, text in texts.items():
        note_model.objects.create(owner_id=owner, body=text)
    note_model.objects.create(owner_id=99, body="")
    old_id = crypto.current_key_id()

    newest = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [newest, *keys]
    out = StringIO()
    call_command("rotate_encryption_keys", "--dry-run", stdout=out, stderr=StringIO())
    assert "consent.SecretNote.body: 7 to re-encrypt" in out.getvalue()
    assert all(raw_body(n.pk).split(":")[1] == old_id for n in note_model.objects.all()[:7])

    out = StringIO()
    call_command("rotate_encryption_keys", "--batch-size", "3", stdout=out, stderr=StringIO())
    assert "consent.SecretNote.body: 7 re-encrypted" in out.getvalue()

    # The old keys can go now: everything reads back under the newest key alone.
    settings.FIELD_ENCRYPTION_KEYS = [newest]
    assert {n.owner_id: n.body for n in note_model.objects.exclude(owner_id=99)} == texts
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=StringIO())
    assert "consent.SecretNote.body: 0 re-encrypted" in out.getvalue()  # resumable: no-op


def test_interrupted_rotation_resumes_where_it_stopped(settings, keys, note_model, monkeypatch):
    for owner in range(1, 6):
        note_model.objects.create(owner_id=owner, body=f"text {owner}")
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), *keys]

    calls = {"n": 0}
    real_reencrypt = crypto.reencrypt

    def failing_reencrypt(token, *, aad):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real_reencrypt(token, aad=aad)

    monkeypatch.setattr(crypto, "reencrypt", failing_reencrypt)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_encryption_keys", "--batch-size", "2", stdout=StringIO())
    current = crypto.current_key_id()
    rotated = [n for n in note_model.objects.all() if raw_body(n.pk).split(":")[1] == current]
    assert len(rotated) == 2  # the first batch committed, the second rolled back

    monkeypatch.setattr(crypto, "reencrypt", real_reencrypt)
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=StringIO())
    assert "consent.SecretNote.body: 3 re-encrypted" in out.getvalue()
    assert [n.body for n in note_model.objects.order_by("owner_id")] == [
        f"text {owner}" for owner in range(1, 6)
    ]
