"""Private mode on the server: the pack is public and the same for everyone, holds no
reader's data, and the two moves between an account and the browser are transactional
POSTs for signed-in readers only."""

import json
import logging

import pytest

from newsapp import private_pack
from newsapp.models import ArticleFeedback, ReaderPreferences, TopicFollow
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow


@pytest.fixture
def newsroom(db):
    private_pack.reset_cache()
    science = TopicFactory(name="Science", keywords="telescope, physics")
    sport = TopicFactory(name="Sport", keywords="league, goal")
    gazette = SourceFactory(name="Harbour Gazette")
    articles = [
        ArticleFactory(
            title=f"Telescope finds comet {n}",
            summary="The telescope team.",
            topics=[science],
            source=gazette,
        )
        for n in range(3)
    ] + [
        ArticleFactory(title=f"Late goal wins the league {n}", summary="A goal.", topics=[sport])
        for n in range(3)
    ]
    yield {"science": science, "sport": sport, "gazette": gazette, "articles": articles}
    private_pack.reset_cache()


def pack_url(client) -> str:
    page = client.get("/private/").content.decode()
    start = page.index('data-pack-url="') + len('data-pack-url="')
    return page[start : page.index('"', start)]


def test_pack_is_public_versioned_and_answers_if_none_match(client, newsroom):
    url = pack_url(client)
    assert url.startswith("/private/pack/index-") and url.endswith(".json")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    old = client.get("/private/pack/index-0-old.json")
    assert old.status_code == 302 and old["Location"] == url


def test_pack_is_the_same_for_every_reader_and_holds_nothing_of_theirs(client, newsroom):
    reader = UserFactory(email="reader@example.org")
    follow(reader, newsroom["science"])
    ReaderPreferences.objects.create(user=reader, keywords="secretword")
    anonymous = client.get(pack_url(client))
    client.force_login(reader)
    signed_in = client.get(pack_url(client))
    assert anonymous.content == signed_in.content
    assert "public" in signed_in["Cache-Control"]  # not turned private, no-store
    body = signed_in.content.decode()
    assert "reader@example.org" not in body and "secretword" not in body
    data = json.loads(body)
    assert set(data["ids"]) == {a.pk for a in newsroom["articles"]}
    assert data["topics"] == ["science", "sport"]


def test_pack_is_gzipped_when_asked(client, newsroom):
    response = client.get(pack_url(client), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_private_page_says_it_needs_script_and_links_to_the_server_feed(client, newsroom):
    page = client.get("/private/").content.decode()
    assert "<noscript>" in page and 'href="/top/"' in page
    assert "Nothing about you leaves this device" in page
    assert "<script>" not in page  # only external scripts (CSP: no inline script)


def test_private_mode_logs_nothing_that_varies_by_reader(client, newsroom, caplog):
    """Two readers' private-mode sessions (the page, then the pack) write the same log
    lines: the server is told nothing that tells them apart."""
    url = pack_url(client)  # the index is built before anything is recorded

    def session() -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            pages = [client.get("/private/"), client.get(url)]
        assert [p.status_code for p in pages] == [200, 200]
        return [f"{r.name} {r.levelname} {r.getMessage()}" for r in caplog.records]

    first = session()
    second = session()
    assert first == second
    assert not any("?" in line for line in first)


def test_move_to_private_hands_over_and_deletes_in_one_step(client, newsroom):
    reader = UserFactory()
    follow(reader, newsroom["science"])
    ReaderPreferences.objects.create(user=reader, keywords="comet, tram")
    ArticleFeedback.objects.create(user=reader, article=newsroom["articles"][0], kind="more")
    client.force_login(reader)
    response = client.post("/private/from-account/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="private-incoming"' in page and "comet" in page
    assert not TopicFollow.objects.filter(user=reader).exists()
    assert not ArticleFeedback.objects.filter(user=reader).exists()
    assert ReaderPreferences.objects.get(user=reader).keywords == ""
    assert (
        response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]
    )


def test_move_to_account_stores_the_private_profile(client, newsroom):
    reader = UserFactory()
    client.force_login(reader)
    profile = {
        "schema": "newsapp.private-profile/1",
        "topics": {"sport": 3, "gone": 2},
        "keywords": ["tram"],
        "muted_topics": ["science"],
        "muted_sources": [],
        "liked": [newsroom["articles"][3].pk],
        "disliked": [],
        "explore": False,
    }
    response = client.post("/private/to-account/", {"profile": json.dumps(profile)})
    assert response.status_code == 302 and response["Location"] == "/private/moved/"
    assert [(f.topic.slug, f.weight) for f in TopicFollow.objects.filter(user=reader)] == [
        ("sport", 3)
    ]
    preferences = ReaderPreferences.objects.get(user=reader)
    assert preferences.keyword_list == ["tram"] and not preferences.explore
    assert ArticleFeedback.objects.get(user=reader).kind == "more"


def test_move_to_account_refuses_what_is_not_a_profile(client, newsroom):
    reader = UserFactory()
    client.force_login(reader)
    response = client.post("/private/to-account/", {"profile": '{"topics": {"sport": 9}}'})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not TopicFollow.objects.filter(user=reader).exists()


@pytest.mark.parametrize("path", ["/private/from-account/", "/private/to-account/"])
def test_moves_need_a_signed_in_reader_and_a_post_with_csrf(client, newsroom, path):
    assert client.post(path).status_code == 302  # to the sign-in page
    reader = UserFactory()
    client.force_login(reader)
    assert client.get(path).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(path).status_code == 403
