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


def _article_form(**extra):
    return {
        "title": "Ferry returns to the harbour",
        "slug": "ferry-returns",
        "body": "<p>The ferry is back.</p>",
        "status": "published",
        "published_at": "2026-11-20T07:30",
        **extra,
    }


def test_an_editor_uploads_a_lead_picture_with_alt_text_and_sees_it_in_the_list(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.newsapp.images import SVG_WITH_SCRIPT, has_gps, photo

    client.force_login(staff("Editors"))
    upload = SimpleUploadedFile("ferry.jpg", photo(1400, 900), content_type="image/jpeg")
    response = client.post("/admin/newsapp/article/add/", _article_form(picture=upload))
    assert response.status_code == 200  # no description: refused, nothing saved
    assert "Describe what the picture shows" in response.content.decode()
    assert not Article.objects.exists()

    svg = SimpleUploadedFile("x.svg", SVG_WITH_SCRIPT, content_type="image/svg+xml")
    response = client.post(
        "/admin/newsapp/article/add/", _article_form(picture=svg, image_alt="Red square")
    )
    assert "This file cannot be used: it is an SVG or HTML document" in response.content.decode()

    upload = SimpleUploadedFile("ferry.jpg", photo(1400, 900), content_type="image/jpeg")
    response = client.post(
        "/admin/newsapp/article/add/",
        _article_form(
            picture=upload, image_alt="The ferry at the quay", image_credit="Harbour Photos"
        ),
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="ferry-returns")
    picture = article.lead_image
    assert picture.widths == (320, 640, 1024) and picture.credit == "Harbour Photos"
    assert not has_gps(client.get(picture.url(1024)).getvalue())
    listing = client.get("/admin/newsapp/article/").content.decode()
    assert f'<img src="{picture.src}" width="80" height="51" alt=""' in listing
    assert "Ferry returns to the harbour" in listing

    # The description cannot be emptied while there is a picture; removing both works.
    change = f"/admin/newsapp/article/{article.pk}/change/"
    response = client.post(change, _article_form(image_alt=""))
    assert "Describe what the picture shows" in response.content.decode()
    response = client.post(change, _article_form(image_alt="", remove_picture="on"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.lead_image is None
