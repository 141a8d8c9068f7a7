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


def test_every_cookie_the_site_sets_is_declared_and_listed_in_the_notice(client):
    """A reader signs up, signs in, uses forms and changes the display: every cookie any
    response sets is one an app declared, and the notice names each."""
    from consent.cookies import cookies
    from tests.factories import PASSWORD, UserFactory

    declared = {cookie.name for cookie in cookies()}
    seen: set[str] = set()
    reader = UserFactory()
    responses = [
        client.get("/accounts/login/"),
        client.post("/accounts/login/", {"login": reader.email, "password": PASSWORD}),
        client.get("/"),
        client.get("/privacy/"),
        client.post("/display/", {"theme": "dark", "text": "large", "next": "/"}),
        client.get("/topics/"),
    ]
    for response in responses:
        seen |= set(response.cookies)
    assert seen, "the journey set no cookie at all: the test would prove nothing"
    assert seen <= declared, f"undeclared cookies: {seen - declared}"
    notice = client.get("/privacy/notice/").content.decode()
    for cookie in cookies():
        assert cookie.title in notice and cookie.name in notice


def test_a_related_row_named_by_a_column_it_does_not_have_is_a_problem(monkeypatch):
    registry = dict(inventory._declarations)
    original = registry["newsapp.readingevent"]
    registry["newsapp.readingevent"] = Declaration(
        model=original.model,
        category=original.category,
        subject=original.subject,
        retention_anchor=original.retention_anchor,
        fields={
            **original.fields,
            "article": PersonalField("Article you opened", named_by="headline"),
            "day": PersonalField("Day", named_by="title"),
        },
    )
    monkeypatch.setattr(inventory, "_declarations", registry)
    assert inventory.problems() == [
        "newsapp.ReadingEvent.article is named by 'headline', which newsapp.Article does not have.",
        "newsapp.ReadingEvent.day names a related row but is no foreign key.",
    ]
