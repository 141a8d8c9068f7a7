"""Request bodies and stored article bodies have a size limit, and say so when it is hit."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from newsapp.models import Article
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_huge_multipart_upload_is_refused_unread_with_a_413(client):
    upload = SimpleUploadedFile("big.bin", b"\0" * (2 * 1024 * 1024 + 1))
    response = client.post(
        "/accounts/login/", {"login": "someone@example.org", "password": "x", "file": upload}
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "larger than 2 MB" in page and "/static/css/site.css" in page
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_an_ordinary_form_is_not_affected(client):
    response = client.post("/accounts/login/", {"login": "someone@example.org", "password": "x"})
    assert response.status_code == 200  # the form's own answer


def test_the_admin_refuses_an_article_body_over_the_cap(client):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    body = "<p>" + "word " * 20_000 + "</p>"  # 100,007 characters
    response = client.post(
        "/admin/newsapp/article/add/",
        {"title": "Long read", "slug": "long-read", "body": body, "status": "draft"},
    )
    assert response.status_code == 200
    assert "an article can have at most 100,000" in response.content.decode()
    assert not Article.objects.exists()
