from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from consent import inventory
from consent.inventory import Declaration, PersonalField
from consent.models import ConsentEvent, DataRequest, PrivacyNotice
from consent.selectors import consents_for_user
from newsapp import ranking
from newsapp.models import ArticleFeedback
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_dashboard_summarises_what_we_hold_and_when_it_next_goes(
    client, reader_with_data, django_assert_max_num_queries
):
    client.force_login(reader_with_data)
    ranking.build_now()  # as the task worker does: a page never builds the index
    # The registered sections included: "your feed and everyone's" ranks the reader's feed.
    with django_assert_max_num_queries(60):
        response = client.get("/privacy/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    for expected in (
        # Counts per kind of data, in words, each opening its own page.
        "Your settings and 2 topics you follow",
        "2 pieces of feedback",
        'href="/privacy/data/preferences/"',
        'href="/privacy/data/reading-history/"',
        "Nothing: you have not allowed it",  # reading history, never granted
        "Contract (GDPR Art. 6(1)(b))",
        "Consent (GDPR Art. 6(1)(a))",
        # The three rights: the download is a POST with its CSRF token.
        'action="/privacy/export.json"',
        "Clear recommendations",
        'href="/privacy/delete/"',
    ):
        assert expected in page, expected
    # Feedback is kept a year: the summary names the day the oldest goes.
    oldest = ArticleFeedback.objects.filter(user=reader_with_data).order_by("created_at").first()
    expires = (timezone.localtime(oldest.created_at) + timedelta(days=365)).date()
    assert f'datetime="{expires:%Y-%m-%d}"' in page
    # The flow and the bar chart of topic weights are plain HTML, no script.
    assert 'class="bars"' in page and "Climate" in page and "<script" not in page
    # The summary shows no item values: those live on each category's page.
    assert "Airships return to the northern coast" not in page


def test_each_category_page_lists_its_items_in_plain_words(client, reader_with_data):
    client.force_login(reader_with_data)
    preferences = client.get("/privacy/data/preferences/").content.decode()
    for expected in ("zeppelinology, tram", "Harbour Gazette", "Topics you follow", "Climate"):
        assert expected in preferences, expected
    feedback = client.get("/privacy/data/feedback/")
    page = feedback.content.decode()
    assert feedback.status_code == 200 and "no-store" in feedback["Cache-Control"]
    assert "Airships return to the northern coast" in page and "Less like this" in page
    item = ArticleFeedback.objects.filter(user=reader_with_data).first()
    expires = (timezone.localtime(item.created_at) + timedelta(days=365)).date()
    assert f'datetime="{expires:%Y-%m-%d}"' in page
    # Phones read each row as a card: every cell carries its column's name.
    assert 'data-label="Article"' in page and 'data-label="Deleted on"' in page
    # Consents: the purpose's title and where the reader answered, never a code.
    consents = client.get("/privacy/data/consents/").content.decode()
    assert "Count me in anonymous statistics" in consents and "When you signed up" in consents
    assert ">analytics<" not in consents and ">signup<" not in consents


def test_pseudonyms_are_said_in_words_and_shown_only_on_request(client, reader_with_data):
    from consent.pseudonyms import pseudonym_for

    client.force_login(reader_with_data)
    page = client.get("/privacy/data/consents/").content.decode()
    pseudonym = pseudonym_for(reader_with_data.pk)
    assert "<summary>Stored under a pseudonym</summary>" in page
    assert page.count(pseudonym) == 1  # once, inside the details element, not a column
    assert ">Pseudonym<" not in page


def test_a_reader_sees_no_staff_only_fields_and_staff_do(client, reader_with_data):
    client.force_login(reader_with_data)
    page = client.get("/privacy/data/account/").content.decode()
    assert "distinct.reader@example.org" in page
    for staff_only in ("Newsroom staff", "Extra staff permissions", "Staff roles"):
        assert staff_only not in page, staff_only
    editor = UserFactory(is_staff=True)
    client.force_login(editor)
    assert "Newsroom staff" in client.get("/privacy/data/account/").content.decode()


def test_an_unknown_category_or_one_for_staff_only_is_a_404_for_a_reader(client):
    client.force_login(UserFactory())
    assert client.get("/privacy/data/nonsense/").status_code == 404
    assert client.get("/privacy/data/staff-activity/").status_code == 404
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/privacy/data/staff-activity/").status_code == 200


def test_deleting_one_item_returns_to_its_category(client, reader_with_data):
    client.force_login(reader_with_data)
    item = ArticleFeedback.objects.filter(user=reader_with_data).first()
    response = client.post(f"/privacy/items/newsapp.ArticleFeedback/{item.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/privacy/data/feedback/"
    assert not ArticleFeedback.objects.filter(pk=item.pk).exists()


def test_dashboard_requires_sign_in(client):
    response = client.get("/privacy/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_optional_purposes_are_off_until_granted_and_withdrawal_is_recorded(client):
    reader = UserFactory()
    client.force_login(reader)
    page = client.get("/privacy/").content.decode()
    assert page.count('role="switch" aria-checked="false"') == 3 and "Always on" in page
    assert 'aria-checked="true"' not in page
    client.post("/privacy/consents/", {"purpose": "location", "granted": "1"})
    assert consents_for_user(user=reader)["location"] is True
    response = client.post(
        "/privacy/consents/", {"purpose": "location", "granted": "0"}, follow=True
    )
    assert "Withdrawn" in response.content.decode()
    assert consents_for_user(user=reader)["location"] is False
    methods = list(ConsentEvent.objects.values_list("purpose", "granted", "method"))
    assert methods == [("location", True, "dashboard"), ("location", False, "dashboard")]


@pytest.mark.parametrize("purpose", ["essential", "nonsense", ""])
def test_toggling_an_unknown_or_essential_purpose_is_a_clear_400(client, purpose):
    client.force_login(UserFactory())
    response = client.post("/privacy/consents/", {"purpose": purpose, "granted": "0"})
    assert response.status_code == 400
    assert "nothing was changed" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_withdrawing_deletes_the_data_collected_under_the_purpose(client, monkeypatch):
    # Stand-in data for a consent-based category until reading history lands.
    registry = dict(inventory._declarations)
    registry["tests.history"] = Declaration(
        model="newsapp.ArticleFeedback",
        category="reading_history",
        fields={"article": PersonalField("Article")},
    )
    monkeypatch.setattr(inventory, "_declarations", registry)
    reader, other = UserFactory(), UserFactory()
    from tests.factories import ArticleFactory

    ArticleFeedback.objects.create(user=reader, article=ArticleFactory(), kind="more")
    ArticleFeedback.objects.create(user=other, article=ArticleFactory(), kind="more")
    client.force_login(reader)
    client.post("/privacy/consents/", {"purpose": "personalize_history", "granted": "1"})
    response = client.post(
        "/privacy/consents/", {"purpose": "personalize_history", "granted": "0"}, follow=True
    )
    assert "what you read: 1 item" in response.content.decode()
    assert not ArticleFeedback.objects.filter(user=reader).exists()
    assert ArticleFeedback.objects.filter(user=other).exists()


def test_pausing_personalization_is_recorded_and_reversible(client, reader_with_data):
    client.force_login(reader_with_data)
    response = client.post("/privacy/pause/", {"paused": "1"}, follow=True)
    page = response.content.decode()
    assert "Personalization is paused" in page
    # One banner says so; the page itself shows the paused state, not a second banner.
    assert page.count('class="message ') == 1
    assert DataRequest.objects.filter(kind="object").count() == 1
    client.post("/privacy/pause/", {"paused": "0"})
    page = client.get("/privacy/").content.decode()
    assert "Personalization is paused" not in page and "Pause personalization" in page
    assert client.post("/privacy/pause/", {"paused": "maybe"}).status_code == 400


def test_signup_asks_for_optional_consents_unticked_and_records_the_answer(client):
    page = client.get("/accounts/signup/").content.decode()
    assert 'name="consent_analytics"' in page and "checked" not in page
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": "a-long-signup-pass-9",
            "password2": "a-long-signup-pass-9",
            "consent_location": "on",
        },
    )
    events = {e.purpose: (e.granted, e.method) for e in ConsentEvent.objects.all()}
    assert events == {
        "location": (True, "signup"),
        "analytics": (False, "signup"),
        "personalize_history": (False, "signup"),
    }


def test_a_material_notice_asks_readers_again_and_records_the_new_version(client):
    reader = UserFactory(date_joined=timezone.now() - timedelta(days=30))
    PrivacyNotice.objects.create(
        version="1.0", title="v1", body="b", published_at=timezone.now() - timedelta(days=60)
    )
    PrivacyNotice.objects.create(version="1.1", title="Small fix", body="b", material=False)
    client.force_login(reader)
    assert client.get("/top/").status_code == 200  # not material: nobody is asked

    PrivacyNotice.objects.create(version="2.0", title="New purposes", body="b", material=True)
    client.force_login(reader)  # next visit
    response = client.get("/top/")
    assert response.status_code == 302
    assert response["Location"] == "/privacy/review/?next=%2Ftop%2F"
    form = client.get(response["Location"]).content.decode()
    assert "Our privacy notice changed" in form and "checked" not in form
    response = client.post("/privacy/review/", {"consent_analytics": "on", "next": "/top/"})
    assert response["Location"] == "/top/"
    assert client.get("/top/").status_code == 200
    answers = ConsentEvent.objects.filter(method="prompt")
    assert {(e.purpose, e.granted, e.notice_version) for e in answers} == {
        ("analytics", True, "2.0"),
        ("location", False, "2.0"),
        ("personalize_history", False, "2.0"),
    }
    # An unsafe "next" is ignored.
    response = client.post("/privacy/review/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_notice_page_shows_the_current_version_in_plain_language(client):
    PrivacyNotice.objects.create(version="3.1", title="How we treat your data", body="Plain words.")
    page = client.get("/privacy/notice/").content.decode()
    assert "How we treat your data" in page and "Version 3.1" in page
    assert "Use what I read to improve my feed" in page


def test_delete_page_asks_for_the_password(client):
    client.force_login(UserFactory())
    page = client.get("/privacy/delete/").content.decode()
    assert 'name="password"' in page and 'autocomplete="current-password"' in page
    assert PASSWORD  # the factory password is what the erasure tests submit


def test_purge_command_removes_feedback_older_than_its_retention(reader_with_data, capsys):
    old = ArticleFeedback.objects.filter(user=reader_with_data).first()
    ArticleFeedback.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=366)
    )
    call_command("purge_expired_data", "--dry-run")
    assert ArticleFeedback.objects.filter(pk=old.pk).exists()
    assert "Your feedback on articles: 1 would be deleted" in capsys.readouterr().out
    call_command("purge_expired_data")
    assert not ArticleFeedback.objects.filter(pk=old.pk).exists()
    assert ArticleFeedback.objects.filter(user=reader_with_data).count() == 1
    call_command("purge_expired_data")
    assert "Your feedback on articles: 0 deleted" in capsys.readouterr().out
