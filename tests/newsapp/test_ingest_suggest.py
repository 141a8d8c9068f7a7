"""Topic suggestions: the recommender proposes, with a confidence; editors accept in bulk."""

import pytest
from django.contrib.auth.models import Group

from newsapp.ingest import services
from newsapp.models import Article, Source, TopicSuggestion
from newsapp.recommender import Document, build_index
from newsapp.recommender.suggest import suggest_topics
from tests.factories import ArticleFactory, TopicFactory, UserFactory
from tests.newsapp.ingest_helpers import serve

SPORT = [
    "The striker scored twice as the football club won the league match",
    "A late goal settled the cup final for the home football side",
    "The goalkeeper saved a penalty and the league leaders drew the match",
    "Fans cheered the football team after the derby match ended in a win",
    "The coach praised the defence after a goal-less league draw",
    "The midfielder signed for the football club before the season match",
]
SCIENCE = [
    "Astronomers observed a distant galaxy with the new space telescope",
    "The telescope measured light from a star orbiting a black hole",
    "Physicists recorded particles in the laboratory detector experiment",
    "A chemistry laboratory found a molecule that stores solar energy",
    "Biologists sequenced the genome of a deep-sea microbe in the laboratory",
    "The space probe sent images of a comet to the research team",
]


def corpus():
    docs = [
        Document(id=f"s{i}", title=t, text=t, topics=frozenset({"sport"}))
        for i, t in enumerate(SPORT)
    ] + [
        Document(id=f"c{i}", title=t, text=t, topics=frozenset({"science"}))
        for i, t in enumerate(SCIENCE)
    ]
    keywords = {"sport": ["football", "match", "goal"], "science": ["telescope", "laboratory"]}
    return docs, build_index(docs, topic_keywords=keywords)


def test_clear_articles_get_their_topic_with_high_confidence_and_nonsense_gets_none():
    docs, index = corpus()
    results = suggest_topics(
        index,
        [
            "The football match ended with a goal in the final minute of the league game",
            "The telescope in the laboratory photographed a galaxy and a star",
            "zxqv wplk",
            "",
        ],
        reference=docs,
    )
    sport, science, nonsense, empty = results
    assert sport[0][0] == "sport" and sport[0][1] >= 0.5
    assert science[0][0] == "science" and science[0][1] >= 0.5
    assert "science" not in dict(sport) and "sport" not in dict(science)
    assert nonsense == [] and empty == []
    assert all(0.0 <= c <= 1.0 for row in results for _, c in row)


def test_without_topics_there_is_nothing_to_suggest():
    index = build_index([Document(id=1, title="A story", text="Some words here")])
    assert suggest_topics(index, ["Some words"]) == [[]]


@pytest.mark.django_db
def test_imported_articles_get_suggestions_editors_see_and_accept(
    client, httpserver, settings, django_capture_on_commit_callbacks
):
    settings.FEEDS_ALLOW_LOOPBACK = True
    transport = TopicFactory(name="Transport", slug="transport", keywords="tram, ferry, bus, rail")
    science = TopicFactory(name="Science", slug="science", keywords="laboratory, telescope")
    for text in [
        "Tram line extended to the harbour",
        "More trams in service on the river line",
        "Rail strike ends after talks",
        "New bus lanes speed up the trams",
        "Night trams and ferry services next month",
        "Rail and tram passengers get one ticket",
    ]:
        ArticleFactory(
            title=text, body=f"<p>{text}. Passengers on the line.</p>", topics=[transport]
        )
    for text in SCIENCE:
        ArticleFactory(title=text, body=f"<p>{text}.</p>", topics=[science])
    source = Source.objects.create(
        name="Tram Watch", slug="tram-watch", feed_url=serve(httpserver, "/feed", "atom.xml")
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.feeds_import(sources=[source])

    tram = Article.objects.get(title="New low-floor trams arrive")
    suggestion = TopicSuggestion.objects.get(article=tram)
    assert suggestion.topic == transport and suggestion.confidence >= 0.3

    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    listing = client.get("/admin/newsapp/article/?suggested=yes").content.decode()
    assert f"Transport ({suggestion.confidence:.0%})" in listing
    detail = client.get(f"/admin/newsapp/article/{tram.pk}/change/").content.decode()
    assert "Suggested topics" in detail and f"{suggestion.confidence:.0%}" in detail

    response = client.post(
        "/admin/newsapp/article/",
        {"action": "accept_suggestions", "_selected_action": [tram.pk]},
        follow=True,
    )
    assert "Added 1 suggested topic(s)" in response.content.decode()
    assert list(tram.topics.all()) == [transport]
    assert not TopicSuggestion.objects.filter(article=tram).exists()
