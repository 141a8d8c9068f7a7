import pytest

from consent import inventory
from consent.inventory import Declaration, PersonalField

pytestmark = pytest.mark.django_db

EXPORT_KEYS = {"account", "preferences", "consents", "feedback", "reading_history", "location"}


def test_every_field_of_every_model_reachable_from_the_user_is_declared():
    assert inventory.undeclared_fields() == []
    labels = {m._meta.label for m in inventory.personal_models()}
    # The walker reaches models that point at the user and models holding a pseudonym.
    assert {"accounts.User", "newsapp.TopicFollow", "account.EmailAddress"} <= labels
    assert {"consent.DataRequest", "consent.AccessRecord"} <= labels


def test_the_walker_names_a_field_nobody_declared(monkeypatch):
    registry = dict(inventory._declarations)
    original = registry["newsapp.articlefeedback"]
    registry["newsapp.articlefeedback"] = Declaration(
        model=original.model,
        category=original.category,
        fields={"article": PersonalField("Article")},
        not_personal={"user": "owner"},
    )
    monkeypatch.setattr(inventory, "_declarations", registry)
    assert inventory.undeclared_fields() == [
        "newsapp.ArticleFeedback.kind",
        "newsapp.ArticleFeedback.created_at",
    ]
    del registry["newsapp.articlefeedback"]
    missing = inventory.undeclared_fields()
    assert "newsapp.ArticleFeedback.user" in missing and len(missing) == 4


def test_categories_cover_the_export_contract_with_purpose_basis_and_retention():
    codes = {c.code for c in inventory.categories()}
    assert codes >= EXPORT_KEYS
    for category in inventory.categories():
        assert category.title and category.legal_basis and category.retention
    assert inventory.category("location").needs_consent
    assert not inventory.category("account").needs_consent
