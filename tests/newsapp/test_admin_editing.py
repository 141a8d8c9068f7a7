"""The newsroom as an editor finds it: its own name, a live sanitised preview of the body,
and an article marked published that really is published."""

import json

import pytest
from django.test import Client

from newsapp.models import Article
from tests.factories import ArticleFactory, UserFactory
from tests.newsapp.test_admin import staff

pytestmark = pytest.mark.django_db


def test_the_admin_is_titled_for_the_newsroom(client):
    client.force_login(staff("Editors"))
    page = client.get("/admin/").content.decode()
    assert "Plainsight newsroom" in page and "<title>Newsroom and privacy records" in page
    assert "Django administration" not in page and "Django site admin" not in page


def test_an_article_published_without_a_date_is_published_now_and_listed(client):
    """Bug: saved as published with an empty "published at", it appeared in no list."""
    client.force_login(staff("Editors"))
    response = client.post(
        "/admin/newsapp/article/add/",
        {
            "title": "Bridge reopens",
            "slug": "bridge-reopens",
            "body": "<p>Open.</p>",
            "status": "published",
            "published_at": "",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="bridge-reopens")
    assert article.published_at is not None
    assert Article.objects.published().filter(pk=article.pk).exists()
    client.force_login(UserFactory())
    assert "Bridge reopens" in client.get("/top/").content.decode()


def test_a_draft_keeps_its_empty_date(client):
    client.force_login(staff("Editors"))
    client.post(
        "/admin/newsapp/article/add/",
        {"title": "Draft", "slug": "draft", "body": "<p>Soon.</p>", "status": "draft"},
    )
    assert Article.objects.get(slug="draft").published_at is None


def test_the_body_field_shows_its_sanitised_preview_with_the_page(client):
    article = ArticleFactory(body="<p>Tide <strong>tables</strong></p>")
    client.force_login(staff("Editors"))
    page = client.get(f"/admin/newsapp/article/{article.pk}/change/").content.decode()
    assert 'data-preview-url="/admin/newsapp/article/preview/"' in page
    assert '<div class="body-preview" id="id_body-preview"' in page
    assert "<p>Tide <strong>tables</strong></p></div>" in page
    assert "js/body-preview.js" in page and "<script>" not in page  # no inline script


def test_the_live_preview_is_cleaned_like_the_saved_body(client):
    client.force_login(staff("Editors"))
    response = client.post(
        "/admin/newsapp/article/preview/",
        {"body": '<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:x">y</a></p>'},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = json.loads(response.content)["html"]
    assert "script" not in html and "onclick" not in html and "javascript" not in html
    assert html.startswith("<p>Hi")


def test_the_preview_is_for_editors_only_and_needs_the_csrf_token():
    officer = Client()
    officer.force_login(staff("Privacy officers"))
    assert officer.post("/admin/newsapp/article/preview/", {"body": "x"}).status_code == 403
    reader = Client()
    reader.force_login(UserFactory())
    response = reader.post("/admin/newsapp/article/preview/", {"body": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(staff("Editors"))
    assert forged.post("/admin/newsapp/article/preview/", {"body": "x"}).status_code == 403
