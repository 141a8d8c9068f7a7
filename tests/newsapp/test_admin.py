import pytest
from django.contrib.auth.models import Group

from consent.models import ConsentEvent
from consent.services import consent_grant
from newsapp.models import Article
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow

pytestmark = pytest.mark.django_db


def staff(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_editor_publishes_and_a_reader_then_sees_the_article(client):
    topic = TopicFactory(name="Food", keywords="chef, harvest")
    ArticleFactory(title="Older story", body="<p>Chef news.</p>", topics=[topic])
    draft = ArticleFactory(
        title="Harvest festival opens",
        body="<p>Chefs celebrate the harvest.</p>",
        status=Article.Status.DRAFT,
        published_at=None,
        topics=[topic],
    )
    reader = UserFactory()
    follow(reader, topic)
    client.force_login(reader)
    assert "Harvest festival opens" not in client.get("/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404

    client.force_login(staff("Editors"))
    response = client.post(
        "/admin/newsapp/article/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED and draft.published_at is not None

    client.force_login(reader)
    assert "Harvest festival opens" in client.get("/").content.decode()


def test_editor_body_is_sanitised_on_save(client):
    client.force_login(staff("Editors"))
    response = client.post(
        "/admin/newsapp/article/add/",
        {
            "title": "Safe",
            "slug": "safe",
            "body": '<p onclick="x()">Hi<script>alert(1)</script></p>',
            "status": "draft",
        },
    )
    assert response.status_code == 302
    assert Article.objects.get(slug="safe").body == "<p>Hi</p>"


def test_editor_cannot_open_consent_records(client):
    consent_grant(user=UserFactory(), purpose="analytics", method="dashboard")
    client.force_login(staff("Editors"))
    assert client.get("/admin/consent/consentevent/").status_code == 403
    assert client.get("/admin/newsapp/article/").status_code == 200


def test_privacy_officer_reads_consent_but_changes_nothing(client):
    event = consent_grant(user=UserFactory(), purpose="analytics", method="dashboard")
    client.force_login(staff("Privacy officers"))
    assert client.get("/admin/consent/consentevent/").status_code == 200
    assert client.get(f"/admin/consent/consentevent/{event.pk}/change/").status_code == 200
    response = client.post(f"/admin/consent/consentevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ConsentEvent.objects.filter(pk=event.pk).exists()
    assert client.get("/admin/newsapp/article/").status_code == 403


def test_the_article_form_uses_native_labelled_controls(client, settings):
    """One labelled date-and-time input, a plain source select, a checkbox per topic: what a
    screen reader can name (Django's split, select2 and two-box widgets are not)."""
    settings.TIME_ZONE = "Europe/Berlin"
    science = TopicFactory(name="Science")
    source = SourceFactory(name="Gazette")
    client.force_login(staff("Editors"))
    page = client.get("/admin/newsapp/article/add/").content.decode()
    assert '<label for="id_published_at">' in page
    assert 'type="datetime-local" name="published_at"' in page and 'id="id_published_at"' in page
    assert '<label for="id_source">' in page and '<select name="source"' in page
    assert f'type="checkbox" name="topics" value="{science.pk}"' in page
    assert "select2" not in page and "SelectFilter" not in page

    response = client.post(
        "/admin/newsapp/article/add/",
        {
            "title": "Comet seen at dawn",
            "slug": "comet-seen-at-dawn",
            "body": "<p>A comet.</p>",
            "topics": [science.pk],
            "source": source.pk,
            "status": "published",
            "published_at": "2026-11-20T07:30",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="comet-seen-at-dawn")
    # Read in the site's time zone: 07:30 in Berlin is 06:30 UTC in November.
    assert article.published_at.isoformat() == "2026-11-20T06:30:00+00:00"
    assert list(article.topics.all()) == [science] and article.source == source
    change = client.get(f"/admin/newsapp/article/{article.pk}/change/").content.decode()
    assert 'value="2026-11-20T07:30"' in change


def test_a_malformed_publication_date_is_a_form_error(client):
    client.force_login(staff("Editors"))
    response = client.post(
        "/admin/newsapp/article/add/",
        {"title": "Bad date", "slug": "bad-date", "status": "draft", "published_at": "soon"},
    )
    assert response.status_code == 200
    assert "Enter a valid date/time." in response.content.decode()
    assert not Article.objects.filter(slug="bad-date").exists()


def test_admin_search_boxes_have_a_visible_label(client):
    client.force_login(staff("Privacy officers"))
    page = client.get("/admin/consent/consentevent/").content.decode()
    assert 'alt=""> Search consent events</label>' in page
    assert 'id="searchbar" aria-describedby="searchbar_helptext"' in page
