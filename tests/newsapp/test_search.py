"""Search as a reader uses it, on SQLite (FTS5) and PostgreSQL (tsvector): the same tests,
the same results. Run the PostgreSQL half with DATABASE_URL set (see the README)."""

import html
import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from newsapp.models import Article, ReaderPreferences
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    found = re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())
    return [html.unescape(t) for t in found]


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def hours_ago(hours: float):
    return timezone.now() - timedelta(hours=hours)


def noon_days_ago(days: int):
    """Noon of a day some days back: its date is that day whatever the time now."""
    day = timezone.localdate() - timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def newsroom():
    transport = TopicFactory(name="Transport")
    energy = TopicFactory(name="Energy")
    gazette, courier = SourceFactory(name="Harbour Gazette"), SourceFactory(name="Courier")
    ArticleFactory(
        title="Tram extension opens to the harbour",
        summary="Five new stops and trams every six minutes.",
        body="<p>The <strong>tram</strong> line now reaches the harbour &amp; the ferry port.</p>",
        source=gazette,
        topics=[transport],
        published_at=hours_ago(5),
    )
    ArticleFactory(
        title="Council budget approved",
        summary="Spending on roads rises.",
        body="<p>The budget also keeps the night tram running until 2 a.m.</p>",
        source=courier,
        published_at=hours_ago(3),
    )
    ArticleFactory(
        title="Heat pumps double in a year",
        summary="Installers are short of engineers.",
        body="<p>Grants made heat pumps cheaper than gas boilers for most homes.</p>",
        source=courier,
        topics=[energy],
        published_at=hours_ago(30),
    )
    ArticleFactory(
        title="Gas boiler ban delayed",
        summary="Heat from gas stays legal for new homes until 2030.",
        body="<p>Ministers said pumps and heat networks need more time.</p>",
        source=gazette,
        topics=[energy],
        published_at=noon_days_ago(3),
    )
    ArticleFactory(
        title="Ferry timetable changes",
        summary="Winter sailings begin.",
        body="<p>The harbour ferry sails hourly from Monday.</p>",
        source=gazette,
        topics=[transport],
        published_at=hours_ago(70),
    )
    ArticleFactory(
        title="Tram drivers vote on pay",
        body="<p>A draft: not yet published.</p>",
        status=Article.Status.DRAFT,
        source=courier,
    )
    return {"transport": transport, "energy": energy, "gazette": gazette, "courier": courier}


def test_a_title_match_ranks_above_a_passing_mention(client, newsroom):
    shown = titles(search(client, q="tram"))
    assert shown == ["Tram extension opens to the harbour", "Council budget approved"]


def test_among_equal_matches_the_fresher_story_leads(client):
    for hours in (200, 2, 60):
        ArticleFactory(
            title=f"Lighthouse restored ({hours})",
            body="<p>The lighthouse shines again.</p>",
            published_at=hours_ago(hours),
        )
    assert titles(search(client, q="lighthouse")) == [
        "Lighthouse restored (2)",
        "Lighthouse restored (60)",
        "Lighthouse restored (200)",
    ]


def test_drafts_and_future_articles_are_never_found(client, newsroom):
    ArticleFactory(title="Tram strike next week", published_at=timezone.now() + timedelta(days=2))
    shown = titles(search(client, q="tram"))
    assert "Tram drivers vote on pay" not in shown and "Tram strike next week" not in shown


def test_words_are_stemmed_and_all_required(client, newsroom):
    assert titles(search(client, q="trams harbour")) == ["Tram extension opens to the harbour"]
    assert titles(search(client, q="tram ferry")) == ["Tram extension opens to the harbour"]
    assert titles(search(client, q="pumps engineers")) == ["Heat pumps double in a year"]


def test_phrases_exclusions_and_or(client, newsroom):
    assert titles(search(client, q='"heat pumps"')) == ["Heat pumps double in a year"]
    assert sorted(titles(search(client, q="heat -ministers"))) == ["Heat pumps double in a year"]
    assert sorted(titles(search(client, q="ferry or budget"))) == [
        "Council budget approved",
        "Ferry timetable changes",
        "Tram extension opens to the harbour",
    ]


def test_filters_by_topic_outlet_and_dates(client, newsroom):
    assert titles(search(client, q="heat", topic="energy", source="harbour-gazette")) == [
        "Gas boiler ban delayed"
    ]
    today = timezone.localdate()
    three_days_ago = today - timedelta(days=3)  # the boiler's day; the pumps came later
    recent = titles(search(client, q="harbour", **{"from": str(today - timedelta(days=1))}))
    assert "Ferry timetable changes" not in recent and recent
    old = titles(search(client, q="heat", to=str(three_days_ago)))
    assert old == ["Gas boiler ban delayed"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "tram", "topic": "no-such-topic"}, "Choose a topic from the list."),
        ({"q": "tram", "source": "nowhere"}, "Choose an outlet from the list."),
        ({"q": "tram", "from": "yesterday"}, "Enter a date like 2026-03-31."),
        ({"q": "tram", "from": "2026-05-02", "to": "2026-05-01"}, "swap them"),
    ],
)
def test_a_bad_filter_is_explained_not_a_500(client, newsroom, params, message):
    response = search(client, **params)
    assert message in html.unescape(response.content.decode()) and titles(response) == []


def test_snippets_mark_the_matched_words_and_escape_the_text(client):
    ArticleFactory(
        title="Harbour wall repaired",
        summary="A <script>alert(1)</script> summary.",
        body="<p>Engineers said the sea wall &amp; the old pier survived the storm surge.</p>",
    )
    page = search(client, q="storm surge").content.decode()
    snippet = re.search(r'<p class="card-snippet">(.*?)</p>', page, re.S).group(1)
    assert "<mark>storm</mark> <mark>surge</mark>" in snippet
    assert "sea wall &amp; the old pier" in snippet  # the entity decoded, then escaped once
    assert "<script>" not in page.split("<main")[1]


def test_an_empty_query_shows_only_the_form(client, newsroom):
    for params in ({}, {"q": ""}, {"q": "   "}, {"topic": "energy"}):
        response = search(client, **params)
        body = response.content.decode()
        assert 'name="q"' in body and "result" not in body.split("</form>")[1]
        assert titles(response) == []


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("tram " * 199 + "trams", "Your search is 1,000 characters long. Keep it under 200"),
        ('"heat pumps', "A quotation mark is not closed."),
        ('tram "heat pumps" "', "A quotation mark is not closed."),
        ("the of and", "only very common words"),
        ("-gas", "not only what to leave out"),
        ("-gas -heat", "not only what to leave out"),
        ("tram or -gas", "Each side of “or” needs a word to look for"),
        ("!!! ??? ...", "Type at least one word"),
    ],
)
def test_hostile_queries_get_a_clear_message(client, newsroom, q, message):
    response = search(client, q=q)
    assert message in html.unescape(response.content.decode())
    assert 'aria-invalid="true"' in response.content.decode() and titles(response) == []


@pytest.mark.parametrize(
    "q",
    [
        "tram\x00harbour",
        "tram AND NOT harbour",
        "title:tram",
        "tram*",
        "NEAR(tram harbour)",
        "^tram",
        "tram'; DROP TABLE newsapp_article; --",
        "tram & | ! <-> :*",
        "(tram",
        "{tram}",
        "tram \u202e\u0644\u0627 🙂",
    ],
)
def test_query_syntax_of_either_engine_is_only_text(client, newsroom, q):
    response = search(client, q=q)
    shown = titles(response)
    assert set(shown) <= {"Tram extension opens to the harbour", "Council budget approved"}
    assert Article.objects.count() == 6


def test_muted_topics_and_outlets_stay_out_of_search(client, newsroom):
    reader = UserFactory()
    preferences = ReaderPreferences.objects.create(user=reader)
    preferences.muted_sources.add(newsroom["gazette"])
    client.force_login(reader)
    assert titles(search(client, q="tram")) == ["Council budget approved"]
    preferences.muted_sources.clear()
    preferences.muted_topics.add(newsroom["transport"])
    assert titles(search(client, q="tram")) == ["Council budget approved"]


def test_every_write_path_keeps_the_index_current(client):
    source = SourceFactory()
    created = Article.objects.create(
        title="Orchard harvest",
        slug="orchard",
        body="<p>Apples.</p>",
        source=source,
        status=Article.Status.PUBLISHED,
        published_at=hours_ago(1),
    )
    assert titles(search(client, q="orchard")) == ["Orchard harvest"]
    created.title = "Vineyard harvest"
    created.save()
    assert titles(search(client, q="orchard")) == [] and titles(search(client, q="vineyard"))
    Article.objects.filter(pk=created.pk).update(summary="Pears from the glasshouse.")
    assert titles(search(client, q="glasshouse")) == ["Vineyard harvest"]
    [bulk] = Article.objects.bulk_create(
        [
            Article(
                title="Marathon results",
                slug="marathon",
                body="<p>Runners.</p>",
                status=Article.Status.PUBLISHED,
                published_at=hours_ago(1),
            )
        ]
    )
    assert titles(search(client, q="runners")) == ["Marathon results"]
    bulk.body = "<p>Cyclists.</p>"
    Article.objects.bulk_update([bulk], ["body"])
    assert titles(search(client, q="runners")) == [] and titles(search(client, q="cyclists"))
    Article.objects.filter(pk=bulk.pk).update(status=Article.Status.DRAFT)
    assert titles(search(client, q="cyclists")) == []
    Article.objects.filter(pk=created.pk).delete()
    assert titles(search(client, q="vineyard")) == []


def test_results_page_keeping_the_query_and_filters(client):
    for n in range(25):
        ArticleFactory(title=f"Regatta report {n}", published_at=hours_ago(n + 1))
    first = search(client, q="regatta", source="")
    assert "25 results" in first.content.decode() and len(titles(first)) == 20
    assert 'href="?q=regatta&amp;source=&amp;page=2"' in first.content.decode()
    second = search(client, q="regatta", source="", page=2)
    assert titles(second) == [f"Regatta report {n}" for n in range(20, 25)]
    assert titles(search(client, q="regatta", page="999")) == titles(second)  # the last page
    assert titles(search(client, q="regatta", page="x")) == titles(first)


def test_the_page_says_queries_are_not_kept_and_no_cache_keeps_it(client, newsroom):
    response = search(client, q="tram")
    assert "We keep no record of what you search for" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # an anonymous search sets no cookie


def test_a_search_page_costs_a_fixed_number_of_queries(client, newsroom, django_assert_num_queries):
    for n in range(30):
        ArticleFactory(title=f"Harbour news {n}", topics=[newsroom["transport"]])
    search(client, q="news")  # where the newest-first windows start is read once a while
    # The newest matches (also the count), one page of articles, and elsewhere than on
    # PostgreSQL (where each row names its topics' ids) their topics; the snippets are cut
    # from the page's own text, the filter form's topics and outlets remembered.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        search(client, q="harbour")


def test_a_result_card_lists_its_topics_and_one_made_since(client, newsroom):
    ArticleFactory(title="Harbour dredging starts", topics=[newsroom["transport"]])
    page = html.unescape(client.get("/search/", {"q": "dredging"}).content.decode())
    assert re.search(r'href="/topics/transport/">Transport</a>', page)
    ArticleFactory(title="Harbour dredging ends", topics=[TopicFactory(name="Dredging works")])
    page = html.unescape(client.get("/search/", {"q": "dredging ends"}).content.decode())
    assert "Harbour dredging ends" in page and ">Dredging works</a>" in page


def test_a_new_topic_joins_the_search_filters_within_two_minutes(client, newsroom):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert "Fisheries" not in client.get("/search/").content.decode()
        TopicFactory(name="Fisheries")
        clock.shift(timedelta(minutes=2, seconds=1))
        assert '<option value="fisheries"' in client.get("/search/").content.decode()


def test_searching_the_newest_first_finds_what_searching_everything_finds(monkeypatch):
    """The windows of newest articles are a shortcut, never a different answer: whether a
    window holds enough matches, too few, or started before the latest articles came in."""
    from newsapp.search import results
    from newsapp.search.query import parse

    ports = TopicFactory(name="Ports")
    for n in range(60):
        # Every third story is about the harbour, and the newest ten are not; every fifth
        # one is filed under Ports, the newest twenty not.
        about = "harbour" if n % 3 == 0 and n >= 10 else "weather"
        topics = [ports] if n % 5 == 0 and n >= 20 else []
        ArticleFactory(
            title=f"{about.title()} story {n}", published_at=hours_ago(n + 1), topics=topics
        )

    def newest(query: str, topic=None) -> list[str]:
        page = results.search_page(
            query=parse(query), filters=results.Filters(topic=topic), page_number=1
        )
        return [result.article.title for result in page.object_list]

    def every_answer() -> dict:
        asked = ("harbour", "weather", "story", "harbour or weather")
        return {
            **{q: newest(q) for q in asked},
            **{f"{q} (Ports)": newest(q, topic=ports) for q in asked},
        }

    monkeypatch.setattr(results, "MAX_RESULTS", 8)
    monkeypatch.setattr(results, "WINDOWS", (100_000,))  # one window: everything
    results._window_starts.clear()
    expected = every_answer()
    assert len(expected["harbour"]) == 8
    assert len(expected["story (Ports)"]) == 8
    assert all(int(t.split()[-1]) % 5 == 0 for t in expected["story (Ports)"])
    for windows in ((5, 20), (12, 30, 45), (3,)):
        monkeypatch.setattr(results, "WINDOWS", windows)
        results._window_starts.clear()
        assert every_answer() == expected, windows
    # Newer articles after the windows were read: still the newest matches.
    ArticleFactory(title="Harbour story late", published_at=hours_ago(0.1))
    assert newest("harbour")[0] == "Harbour story late"


def test_a_topic_filter_follows_every_change_of_an_articles_topics():
    """However the links change (added, replaced, removed, the topic deleted), the topic
    filter finds what the article is filed under at once (on PostgreSQL through the ids
    the database keeps on each article)."""
    from newsapp.search import results
    from newsapp.search.query import parse

    ports, tides, weather = (TopicFactory(name=n) for n in ("Ports", "Tides", "Weather"))
    article = ArticleFactory(title="Lighthouse keepers meet")
    ArticleFactory(title="Lighthouse for sale", topics=[weather])

    def found(topic) -> list[str]:
        page = results.search_page(
            query=parse("lighthouse"), filters=results.Filters(topic=topic), page_number=1
        )
        return [result.article.title for result in page.object_list]

    assert found(ports) == []
    article.topics.add(ports, tides)
    assert found(ports) == found(tides) == ["Lighthouse keepers meet"]
    article.topics.set([tides, weather])
    assert found(ports) == []
    assert sorted(found(weather)) == ["Lighthouse for sale", "Lighthouse keepers meet"]
    article.topics.remove(weather)
    assert found(weather) == ["Lighthouse for sale"]
    tides.delete()
    article.topics.add(ports)
    assert found(ports) == ["Lighthouse keepers meet"]
    article.topics.clear()
    assert found(ports) == []


@pytest.fixture
def every_log_line(caplog, settings):
    """All records at every level, as the configured JSON handler writes them too, with
    debug on (Django then hands each SQL statement, with its values, to its logger)."""
    import io
    import logging

    from django.db import connection

    from newsapp.core.logs import JsonFormatter

    handlers = logging.getLogger().handlers
    handler = next(h for h in handlers if isinstance(h.formatter, JsonFormatter))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    connection.force_debug_cursor = True
    # Each record's message and arguments; the request object a record carries is not
    # written by any handler (newsapp.core.logs.JsonFormatter takes only its method).
    yield (
        lambda: (
            buffer.getvalue()
            + "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
        )
    )
    connection.force_debug_cursor = False
    root.setLevel(level)
    handler.setStream(previous)


def test_no_search_query_reaches_any_log_line(client, newsroom, every_log_line):
    secret = "zanzibarquokka"
    client.get("/search/", {"q": f"tram {secret}"})
    client.get("/search/", {"q": f'"{secret}'})
    client.get("/search/", {"q": f"{secret} " * 250})
    client.get("/search/", {"q": secret, "topic": "nope", "from": "never"})
    client.get("/search/", {"q": f"tram -{secret}", "page": "999"})
    assert client.post(f"/search/?q={secret}").status_code == 405
    assert client.get(f"/search/missing/?q={secret}").status_code == 404
    raw = every_log_line()
    assert "Method Not Allowed" in raw and "Not Found" in raw  # the logs do run
    assert secret not in raw and "quokka" not in raw


def test_queries_are_not_stored_anywhere(client, newsroom, django_assert_max_num_queries):
    """Searching writes nothing: no history, no session, no cache entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": "harbour ferry"})
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
    ]
    assert writes == []


def test_a_snippet_marks_every_inflection_and_shows_far_apart_matches_as_two_passages():
    from newsapp.search.query import parse
    from newsapp.search.snippets import Highlighter

    filler = " ".join(f"word{n}" for n in range(60))
    body = f"<p>New trams arrived.</p><p>{filler}</p><p>Fares & tickets stay the same.</p>"
    snippet = Highlighter(parse("tram fare")).snippet("The city council met.", body)
    first, second = snippet.split(" … ")
    assert "<mark>trams</mark>" in first and "<mark>Fares</mark> &amp; tickets" in second
    # Only the title matched: the card still shows the opening of the story, unmarked.
    opening = Highlighter(parse("harbour")).snippet("Quiet week. Nothing new.", "<p>Rain.</p>")
    assert opening == "Quiet week. Nothing new. Rain" and "<mark>" not in opening


def test_accented_words_and_curly_quotes_are_marked_as_whole_words():
    """Text with letters beyond ASCII is split as words of any script; text whose only
    non-ASCII characters are punctuation takes the ASCII path and marks the same words."""
    from newsapp.search.query import parse
    from newsapp.search.snippets import Highlighter

    apostrophe, dash = "\u2019", "\u2014"
    accented = Highlighter(parse("café")).snippet("", f"<p>The café{apostrophe}s owner, José.</p>")
    assert accented == f"The <mark>café</mark>{apostrophe}s owner, José"
    text = f"<p>The shop{apostrophe}s owner {dash} reopened_today.</p>"
    plain = Highlighter(parse("owner")).snippet("", text)
    assert plain == f"The shop{apostrophe}s <mark>owner</mark> {dash} reopened_today"
    assert Highlighter(parse("today")).snippet("", text).endswith("reopened_<mark>today</mark>")


def test_snippets_stay_right_when_threads_share_a_small_memory_of_stems(monkeypatch):
    """The stems remembered across pages are one process-wide memory, emptied when full;
    a page being cut while another thread empties it still marks the right words."""
    import threading

    from newsapp.search import snippets
    from newsapp.search.query import parse

    texts = [f"Trams {n} tramways tram word{n} other{n} and more words {n}" for n in range(60)]
    expected = [snippets.Highlighter(parse("tram")).snippet(t, "") for t in texts]
    monkeypatch.setattr(snippets, "ROOTS_KEPT", 8)
    snippets._ROOTS.clear()
    results: list[list] = []

    def cut() -> None:
        got = []
        for _ in range(20):
            highlighter = snippets.Highlighter(parse("tram"))
            got.append([highlighter.snippet(t, "") for t in texts])
        results.append(got)

    threads = [threading.Thread(target=cut) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4  # no thread died
    assert all(page == expected for got in results for page in got)
    assert "<mark>Trams</mark>" in expected[0]
