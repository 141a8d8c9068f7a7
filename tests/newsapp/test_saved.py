"""Saved for later: save and unsave from cards and the article page, the list, and the
saved articles as personal data (export, dashboard, erasure, consent-bound signal)."""

import html
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from consent.services import consent_grant
from newsapp.models import Article, ReadingEvent, SavedArticle
from newsapp.selectors import preferences_for_user
from tests.factories import PASSWORD, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    found = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())
    return [html.unescape(t) for t in found]


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def story():
    return ArticleFactory(title="Lighthouse keeper retires after forty years")


def save_url(article) -> str:
    return f"/articles/{article.slug}/save/"


def test_saving_without_script_comes_back_to_the_same_card(client, reader, story):
    response = client.post(save_url(story), {"next": "/top/?page=1"})
    assert response.status_code == 302
    assert response["Location"] == f"/top/?page=1#save-{story.pk}"
    assert SavedArticle.objects.filter(user=reader, article=story).exists()
    page = client.get("/top/").content.decode()
    form = page.split(f'id="save-{story.pk}"')[1].split("</form>")[0]
    assert 'aria-pressed="true"' in form and ">Saved</button>" in form
    assert "Saved for later: “Lighthouse keeper retires" in html.unescape(page)
    client.post(save_url(story), {"next": "/top/"})  # again: removed
    assert not SavedArticle.objects.filter(user=reader).exists()


def test_the_script_gets_json_and_the_page_loads_it_from_our_origin(client, reader, story):
    response = client.post(save_url(story), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "saved": True,
        "message": "Saved for later: “Lighthouse keeper retires after forty years”.",
    }
    assert (
        json.loads(client.post(save_url(story), HTTP_ACCEPT="application/json").content)["saved"]
        is False
    )
    page = client.get(story.get_absolute_url())
    body = page.content.decode()
    assert '<script src="/static/js/save.js" defer></script>' in body
    assert "<script>" not in body and "onclick" not in body  # no inline script
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert f'action="{save_url(story)}"' in body  # the article page has the button too


def test_saving_needs_a_signed_in_reader_a_post_and_a_published_article(client, story):
    assert client.post(save_url(story))["Location"].startswith("/accounts/login/")
    assert not SavedArticle.objects.exists()
    UserFactory()
    client.force_login(UserFactory())
    assert client.get(save_url(story)).status_code == 405
    draft = ArticleFactory(status=Article.Status.DRAFT)
    assert client.post(save_url(draft)).status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory())
    assert strict.post(save_url(story)).status_code == 403


def test_the_saved_list_is_newest_first_with_remove(client, reader):
    older = ArticleFactory(title="Harbour festival returns")
    newer = ArticleFactory(title="Ferry timetable changes")
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        SavedArticle.objects.create(user=reader, article=older)
    SavedArticle.objects.create(user=reader, article=newer)
    SavedArticle.objects.create(user=UserFactory(), article=ArticleFactory(title="Not mine"))
    response = client.get("/saved/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert titles(response) == ["Ferry timetable changes", "Harbour festival returns"]
    page = html.unescape(response.content.decode())
    assert (
        'Remove<span class="visually-hidden"> “Ferry timetable changes” from your saved '
        "articles</span>" in page
    )
    assert "data-remove-card" in page
    client.post(save_url(newer), {"next": "/saved/"})
    assert titles(client.get("/saved/")) == ["Harbour festival returns"]


def test_saved_articles_are_exported_listed_deletable_and_erased(client, reader, story):
    client.post(save_url(story))
    export = json.loads(client.post("/privacy/export.json").content)
    saved = export["saved"]
    assert saved["data"]["saved_articles"][0]["article"] == story.title
    assert saved["legal_basis"].startswith("Contract") and saved["retention"]
    dashboard = html.unescape(client.get("/privacy/").content.decode())
    assert "/privacy/data/saved/" in dashboard  # the summary links to the category's page
    page = html.unescape(client.get("/privacy/data/saved/").content.decode())
    assert story.title in page
    row = SavedArticle.objects.get(user=reader)
    assert f"/privacy/items/newsapp.SavedArticle/{row.pk}/delete/" in page
    client.post(f"/privacy/items/newsapp.SavedArticle/{row.pk}/delete/")
    assert not SavedArticle.objects.filter(user=reader).exists()
    client.post(save_url(story))
    client.post("/privacy/delete/", {"password": PASSWORD})
    assert not SavedArticle.objects.exists()


def test_saved_articles_shape_the_feed_only_under_the_history_consent(reader, story):
    SavedArticle.objects.create(user=reader, article=story)
    assert story.pk not in preferences_for_user(user=reader).profile().history
    consent_grant(user=reader, purpose="personalize_history", method="dashboard")
    # What the reader opens is kept from now on; saved articles count from then as well.
    other = ArticleFactory(title="Read yesterday")
    from consent.pseudonyms import pseudonym_for

    ReadingEvent.objects.create(
        pseudonym=pseudonym_for(reader.pk), article=other, day=timezone.localdate()
    )
    assert preferences_for_user(user=reader).profile().history == (other.pk, story.pk)
