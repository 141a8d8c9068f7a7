import pytest
from django.contrib.auth.models import Group

from consent.models import ConsentEvent
from consent.services import consent_grant
from newsapp.models import Article
from tests.factories import ArticleFactory, TopicFactory, UserFactory, follow

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
