"""Importing feeds: formats, sanitising, deduplication, updates, backoff, the command, admin."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from newsapp.ingest import services
from newsapp.models import Article, Source
from tests.factories import UserFactory
from tests.newsapp.ingest_helpers import feed_bytes, serve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _allow_loopback(settings):
    settings.FEEDS_ALLOW_LOOPBACK = True


def make_source(url, **extra):
    return Source.objects.create(
        name=extra.pop("name", "Gazette"), slug=extra.pop("slug", "gazette"), feed_url=url, **extra
    )


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_feeds", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "titles"),
    [
        ("rss2.xml", {"Ferry timetable changes for the winter", "Library opens on Sundays"}),
        ("rss1.rdf", {"Tomato roots grow faster in cooler soil"}),
        (
            "atom.xml",
            {
                "New low-floor trams arrive",
                "Night trams will run on Saturdays during the festival weeks this summer.",
            },
        ),
        ("latin1.xml", {"Crème brûlée at the corner café"}),
    ],
)
def test_rss_rdf_and_atom_feeds_become_draft_articles(httpserver, name, titles):
    source = make_source(serve(httpserver, "/feed", name))
    report = services.feed_import(source=source)
    assert report.ok and report.new == len(titles)
    articles = Article.objects.filter(source=source)
    assert set(articles.values_list("title", flat=True)) == titles
    assert {a.status for a in articles} == {Article.Status.DRAFT}
    assert all(a.imported_at and a.content_hash for a in articles)


def test_imported_html_is_sanitised(httpserver):
    source = make_source(serve(httpserver, "/feed", "rss2.xml"))
    services.feed_import(source=source)
    body = Article.objects.get(guid="gazette-0001").body
    assert "forty minutes" in body and "Tickets stay the same price." in body
    for bad in ("<script", "onclick", "javascript:", "<iframe", "tracker.example"):
        assert bad not in body


def test_atom_titles_lose_their_markup_and_images_are_dropped(httpserver):
    source = make_source(serve(httpserver, "/feed", "atom.xml"))
    services.feed_import(source=source)
    article = Article.objects.get(title="New low-floor trams arrive")
    assert "pixel.example" not in article.body
    assert article.author == "C. Rail"
    assert article.original_url == "https://trams.example/low-floor"


def test_sources_set_to_publish_get_published_articles_with_the_feed_date(httpserver):
    source = make_source(serve(httpserver, "/feed", "rss2.xml"), publish_imported=True)
    services.feed_import(source=source)
    article = Article.objects.get(guid="gazette-0002")
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at.isoformat() == "2025-01-07T09:30:00+00:00"
    assert article in Article.objects.published()


def test_a_changed_entry_updates_its_article_instead_of_duplicating(httpserver):
    httpserver.expect_ordered_request("/feed").respond_with_data(feed_bytes("rss2.xml"))
    httpserver.expect_ordered_request("/feed").respond_with_data(feed_bytes("rss2-updated.xml"))
    source = make_source(httpserver.url_for("/feed"))
    services.feed_import(source=source)
    report = services.feed_import(source=source)
    assert (report.new, report.updated, report.skipped) == (1, 1, 1)
    assert Article.objects.filter(source=source).count() == 3
    ferry = Article.objects.get(guid="gazette-0001")
    assert ferry.title == "Ferry timetable changes for the winter (corrected)"
    assert "thirty minutes" in ferry.body
    source.refresh_from_db()
    assert (source.last_new, source.last_updated, source.last_skipped) == (1, 1, 1)


def test_entries_without_ids_are_matched_by_link_then_by_text(httpserver):
    source = make_source(serve(httpserver, "/feed", "no-ids.xml"))
    first = services.feed_import(source=source)
    second = services.feed_import(source=source)
    assert (first.new, first.failed) == (2, 1)
    assert (second.new, second.updated, second.skipped) == (0, 0, 2)
    assert Article.objects.filter(source=source).count() == 2
    source.refresh_from_db()
    assert (
        "1 entry could not be used: an entry has neither a title nor any text" in source.last_error
    )


def test_the_same_story_from_another_source_is_skipped(httpserver):
    url = serve(httpserver, "/feed", "rss2.xml")
    services.feed_import(source=make_source(url))
    mirror = make_source(url + "?mirror", name="Mirror", slug="mirror")
    httpserver.expect_request("/feed", query_string="mirror").respond_with_data(
        feed_bytes("rss2.xml")
    )
    report = services.feed_import(source=mirror)
    assert (report.new, report.skipped) == (0, 2)
    assert Article.objects.count() == 2


def test_broken_xml_is_imported_as_far_as_it_can_be_read(httpserver):
    source = make_source(serve(httpserver, "/feed", "broken.xml"))
    report = services.feed_import(source=source)
    assert report.ok and report.new == 1
    source.refresh_from_db()
    assert "damaged but was read anyway" in source.last_error
    assert Article.objects.get().title == "Council approves bike lanes & bus gates"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty document"),
        (b"   \n", "empty document"),
        (b"<html><body><h1>Home</h1></body></html>", "not"),
        (b"\x00\x01\x02binary", "not"),
    ],
)
def test_documents_that_are_not_feeds_are_refused_with_a_reason(httpserver, body, message):
    httpserver.expect_request("/feed").respond_with_data(body, content_type="text/html")
    source = make_source(httpserver.url_for("/feed"))
    report = services.feed_import(source=source)
    source.refresh_from_db()
    assert not report.ok
    assert source.last_status == Source.FetchStatus.FAILED
    assert message in source.last_error
    assert Article.objects.count() == 0


def test_conditional_get_uses_the_etag_and_last_modified(httpserver):
    httpserver.expect_ordered_request("/feed").respond_with_data(
        feed_bytes("rss2.xml"),
        headers={"ETag": '"v1"', "Last-Modified": "Tue, 07 Jan 2025 10:00:00 GMT"},
    )
    httpserver.expect_ordered_request(
        "/feed",
        headers={"If-None-Match": '"v1"', "If-Modified-Since": "Tue, 07 Jan 2025 10:00:00 GMT"},
    ).respond_with_data("", status=304)
    source = make_source(httpserver.url_for("/feed"))
    services.feed_import(source=source)
    report = services.feed_import(source=source)
    source.refresh_from_db()
    assert source.last_status == Source.FetchStatus.NOT_MODIFIED
    assert "not modified" in report.line()
    assert Article.objects.count() == 2


def test_failures_back_off_exponentially_and_success_resets(httpserver):
    httpserver.expect_request("/feed").respond_with_data("oops", status=503)
    source = make_source(httpserver.url_for("/feed"))
    start = timezone.now()
    with time_machine.travel(start, tick=False), pytest.raises(CommandError, match="Every feed"):
        run()
    source.refresh_from_db()
    assert "503" in source.last_error and "try again later" in source.last_error
    assert source.consecutive_failures == 1
    assert source.next_fetch_after == start + timedelta(minutes=15)

    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        out = run()
    assert "waiting Gazette" in out and "No feed is due" in out
    assert len(httpserver.log) == 1

    with (
        time_machine.travel(start + timedelta(minutes=16), tick=False),
        pytest.raises(CommandError),
    ):
        run()
    source.refresh_from_db()
    assert source.consecutive_failures == 2
    assert source.next_fetch_after == start + timedelta(minutes=16 + 30)

    httpserver.clear()
    serve(httpserver, "/feed", "rss2.xml")
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        run()
    source.refresh_from_db()
    assert (source.consecutive_failures, source.next_fetch_after, source.last_error) == (
        0,
        None,
        "",
    )


def test_entries_beyond_the_cap_are_left_out(httpserver, monkeypatch):
    monkeypatch.setattr(services, "MAX_ENTRIES", 1)
    source = make_source(serve(httpserver, "/feed", "rss2.xml"))
    report = services.feed_import(source=source)
    assert (report.new, report.skipped) == (1, 1)
    source.refresh_from_db()
    assert "Only the first 1 entries" in source.last_error


def test_command_prints_one_line_per_feed_and_fails_only_when_all_fail(httpserver):
    serve(httpserver, "/good", "rss2.xml")
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    make_source(httpserver.url_for("/good"))
    make_source(httpserver.url_for("/gone"), name="Gone", slug="gone")
    out = run()
    assert "ok Gazette" in out and "2 new, 0 updated, 0 skipped, 0 failed" in out
    assert "FAILED Gone" in out and "404" in out and "no feed at this address" in out
    with pytest.raises(CommandError, match="Every feed failed"):
        run("--source", str(Source.objects.get(slug="gone").pk))


def test_command_url_makes_a_source_named_after_the_feed(httpserver):
    out = run("--url", serve(httpserver, "/rdf", "rss1.rdf"))
    source = Source.objects.get()
    assert source.name == "Greenhouse Lab Notes" and source.site_url == "https://lab.example/"
    assert "ok Greenhouse Lab Notes" in out
    run("--url", httpserver.url_for("/rdf"))
    assert Source.objects.count() == 1 and Article.objects.count() == 1


def test_dry_run_stores_nothing(httpserver):
    out = run("--url", serve(httpserver, "/feed", "rss2.xml"), "--dry-run")
    assert "[dry run] ok" in out and "2 new" in out
    assert Source.objects.count() == 0 and Article.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "999"], "no source with id 999"),
        (["--url", "not a url"], "Not an http or https address"),
        (["--url", "ftp://example.com/feed"], "Not an http or https address"),
        (["--source", "1", "--url", "http://example.com/"], "either --source or --url"),
    ],
)
def test_command_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_editors_see_feed_state_and_fetch_now_from_the_admin(client, httpserver):
    source = make_source(serve(httpserver, "/feed", "rss2.xml"))
    broken = make_source("http://10.0.0.9/feed.xml", name="Intranet", slug="intranet")
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.post(
        "/admin/newsapp/source/",
        {"action": "fetch_now", "_selected_action": [source.pk, broken.pk]},
        follow=True,
    )
    assert "Fetched 2 feed(s)" in response.content.decode()
    page = client.get("/admin/newsapp/source/").content.decode()
    assert "2 / 0 / 0 / 0" in page
    assert "10.0.0.9, a private network address" in page
    assert "1 failure(s) in a row" in page

    # A feed the server says is gone (410) is switched off, and the list says so.
    httpserver.expect_request("/closed").respond_with_data("", status=410)
    make_source(httpserver.url_for("/closed"), name="Closed", slug="closed")
    client.post(
        "/admin/newsapp/source/",
        {"action": "fetch_now", "_selected_action": [Source.objects.get(slug="closed").pk]},
    )
    page = client.get("/admin/newsapp/source/").content.decode()
    assert "never (switched off)" in page and "answered 410" in page


def test_fetch_now_in_production_queues_the_fetch_for_the_worker(client, httpserver, settings):
    """Production settings use the django-tasks-db backend: the admin's request only queues
    the fetch; `manage.py db_worker` runs it."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    source = make_source(serve(httpserver, "/feed", "rss2.xml"))
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.post(
        "/admin/newsapp/source/",
        {"action": "fetch_now", "_selected_action": [source.pk]},
        follow=True,
    )
    assert "Queued 1 feed(s) for fetching" in response.content.decode()
    assert httpserver.log == []  # nothing fetched inside the web request
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "newsapp.tasks.import_feeds_now"

    # What `manage.py db_worker` does with a task it has claimed. (Its polling loop closes
    # database connections between tasks, which would end this test's transaction.)
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    worker.run_task(queued)
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert Article.objects.filter(source=source).count() == 2
