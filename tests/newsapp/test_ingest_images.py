"""Lead pictures of imported entries: fetched by the server from a local test server, checked
and re-encoded with Pillow, stored in a few widths and served from this site only; a bad
picture is skipped with a note in the source's feed state, never a 500."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from newsapp.ingest import images, services
from newsapp.models import Article, Source, rendition_name
from tests.factories import UserFactory
from tests.newsapp.images import SVG_WITH_SCRIPT, has_gps, photo, png_claiming

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _allow_loopback(settings):
    settings.FEEDS_ALLOW_LOOPBACK = True


def feed_with_pictures(httpserver, pictures: dict[str, str]) -> str:
    """An RSS feed with one entry per picture path, each as media:content with a caption."""
    items = "".join(
        f"""<item><title>{title}</title><link>https://news.example/{n}</link><guid>e{n}</guid>
        <description>&lt;p&gt;Story {n} about the harbour and its ferries.&lt;/p&gt;</description>
        <media:content url="{httpserver.url_for(path)}" medium="image" width="1200">
          <media:description>Caption of {title}</media:description>
          <media:credit role="photographer">Ann Lens</media:credit>
        </media:content></item>"""
        for n, (title, path) in enumerate(pictures.items())
    )
    body = f"""<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
    <channel><title>Harbour</title><link>https://news.example/</link>{items}</channel></rss>"""
    httpserver.expect_request("/feed").respond_with_data(body, content_type="application/rss+xml")
    return httpserver.url_for("/feed")


def run_import(httpserver, pictures, django_capture_on_commit_callbacks) -> Source:
    source = Source.objects.create(
        name="Harbour Gazette",
        slug="harbour-gazette",
        feed_url=feed_with_pictures(httpserver, pictures),
        publish_imported=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        [report] = services.feeds_import(sources=[source])
    assert report.ok, report.error
    source.refresh_from_db()
    return source


def test_a_good_picture_is_stored_in_three_widths_as_webp_without_exif_or_gps(
    httpserver, django_capture_on_commit_callbacks, client
):
    original = photo(1600, 1000)
    assert has_gps(original)  # the camera's position is in the file we are sent
    httpserver.expect_request("/good.jpg").respond_with_data(original, content_type="image/jpeg")
    source = run_import(
        httpserver, {"Ferry at dawn": "/good.jpg"}, django_capture_on_commit_callbacks
    )

    article = Article.objects.get(title="Ferry at dawn")
    picture = article.lead_image
    assert picture is not None and source.last_error == ""
    assert picture.widths == (320, 640, 1024)
    assert (picture.width, picture.height) == (1024, 640)
    assert picture.alt == "Caption of Ferry at dawn" and picture.credit == "Ann Lens"
    assert article.image_url == httpserver.url_for("/good.jpg")
    for width in picture.widths:
        data = default_storage.open(rendition_name(picture.stem, width)).read()
        with Image.open(io.BytesIO(data)) as stored:
            assert stored.format == "WEBP" and stored.width == width
            assert not stored.getexif() and not has_gps(data)
            assert not {"exif", "xmp", "icc_profile"} & set(stored.info)

    # Served from this site, cached for good; the page names only our own addresses.
    response = client.get(picture.src)
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'srcset="{picture.srcset}"' in page
    assert 'width="1024" height="640"' in page and "Ann Lens" in page
    assert httpserver.url_for("/") not in page.replace(article.original_url, "")
    assert all(src.startswith("/media/") for src in re.findall(r'<img[^>]* src="([^"]+)"', page))


def test_the_feed_card_shows_the_small_rendition_lazily_with_its_size(
    httpserver, django_capture_on_commit_callbacks, client
):
    pictures = {f"Harbour story {n}": f"/p{n}.jpg" for n in range(4)}
    for path in pictures.values():
        httpserver.expect_request(path).respond_with_data(
            photo(900, 600), content_type="image/jpeg"
        )
    run_import(httpserver, pictures, django_capture_on_commit_callbacks)
    client.force_login(UserFactory())
    page = client.get("/top/").content.decode()
    tags = re.findall(r"<img [^>]*>", page)
    assert len(tags) == 4
    for n, tag in enumerate(tags):
        assert 'width="320" height="213"' in tag and "srcset=" in tag and "sizes=" in tag
        assert ('loading="lazy"' in tag) == (n >= 2)  # the first cards are above the fold


@pytest.mark.parametrize(
    ("data", "content_type", "reason"),
    [
        (SVG_WITH_SCRIPT, "image/svg+xml", "SVG is refused because it can carry script"),
        (SVG_WITH_SCRIPT, "image/png", "SVG pictures are refused because they can carry script"),
        (b"<html><body>Not found, sorry</body></html>", "text/html", "sent text/html"),
        (b"%PDF-1.4 not a picture at all", "image/jpeg", "not a picture in a format we accept"),
        (photo()[:600], "image/jpeg", "the file is damaged"),
        (png_claiming(60_000, 60_000), "image/png", "decompression bomb"),
        (photo(40, 40), "image/jpeg", "too small for a lead picture"),
    ],
    ids=["svg-with-script", "svg-disguised-as-png", "html", "non-image", "broken", "bomb", "tiny"],
)
def test_a_bad_picture_is_skipped_with_a_note_and_the_story_still_reads(
    httpserver, django_capture_on_commit_callbacks, client, data, content_type, reason
):
    httpserver.expect_request("/bad").respond_with_data(data, content_type=content_type)
    httpserver.expect_request("/fine.jpg").respond_with_data(photo(), content_type="image/jpeg")
    source = run_import(
        httpserver,
        {"Bad picture story": "/bad", "Fine picture story": "/fine.jpg"},
        django_capture_on_commit_callbacks,
    )
    bad = Article.objects.get(title="Bad picture story")
    assert bad.lead_image is None and not bad.image
    assert Article.objects.get(title="Fine picture story").lead_image is not None
    assert "The picture of “Bad picture story” was skipped" in source.last_error
    assert reason in source.last_error
    assert source.last_status == Source.FetchStatus.OK
    assert client.get(bad.get_absolute_url()).status_code == 200
    assert client.get("/top/").status_code == 200
    assert default_storage.listdir("images")[0]  # only the fine one's files


def test_a_huge_picture_is_not_even_downloaded_in_full(
    httpserver, django_capture_on_commit_callbacks, settings
):
    settings.IMAGES_MAX_BYTES = 50 * 1024
    huge = photo(3000, 2000) + b"\0" * (200 * 1024)
    httpserver.expect_request("/huge.jpg").respond_with_data(huge, content_type="image/jpeg")
    source = run_import(
        httpserver, {"Huge picture": "/huge.jpg"}, django_capture_on_commit_callbacks
    )
    assert Article.objects.get(title="Huge picture").lead_image is None
    assert (
        "the picture is" in source.last_error and "more than the 50 KB limit" in source.last_error
    )


def test_a_picture_on_a_private_address_is_refused(
    httpserver, django_capture_on_commit_callbacks, settings
):
    source = Source.objects.create(
        name="Intranet", slug="intranet", feed_url=httpserver.url_for("/feed")
    )
    article = Article.objects.create(
        title="Inside job",
        slug="inside-job",
        body="<p>x</p>",
        source=source,
        image_url="http://10.0.0.7/secret.png",
    )
    assert images.lead_images_import(article_ids=[article.pk]) == 0
    source.refresh_from_db()
    assert "a private network address" in source.last_error


def test_the_first_img_of_the_content_and_an_enclosure_are_used_too(httpserver):
    from newsapp.ingest.parse import parse

    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Inline</title><link>https://n.example/a/</link><guid>a</guid>
      <description>&lt;p&gt;Text &lt;img src="pics/tram.jpg" alt="A green tram"&gt;&lt;/p&gt;
      </description></item>
    <item><title>Enclosed</title><link>https://n.example/b</link><guid>b</guid>
      <description>Text</description>
      <enclosure url="{httpserver.url_for("/e.jpg")}" type="image/jpeg" length="10"/></item>
    <item><title>Scripted</title><link>https://n.example/c</link><guid>c</guid>
      <description>&lt;img src="javascript:alert(1)"&gt;</description></item>
    </channel></rss>""".encode()
    inline, enclosed, scripted = parse(feed).entries
    assert (inline.image_url, inline.image_alt) == (
        "https://n.example/a/pics/tram.jpg",
        "A green tram",
    )
    assert enclosed.image_url == httpserver.url_for("/e.jpg")
    assert scripted.image_url == ""


def test_a_picture_without_a_description_gets_one_an_editor_can_improve(
    httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/p.jpg").respond_with_data(photo(), content_type="image/jpeg")
    source = Source.objects.create(name="Plain", slug="plain", feed_url=httpserver.url_for("/f"))
    article = Article.objects.create(
        title="Quay repairs begin",
        slug="quay",
        body="<p>x</p>",
        source=source,
        image_url=httpserver.url_for("/p.jpg"),
    )
    assert images.lead_images_import(article_ids=[article.pk]) == 1
    article.refresh_from_db()
    assert article.image_alt == "Picture for “Quay repairs begin”"
    assert article.image_credit == "Plain"


def test_pictures_do_not_make_the_recommender_refit():
    from newsapp import ranking

    source = Source.objects.create(name="Plain", slug="plain")
    article = Article.objects.create(
        title="Quay repairs begin",
        slug="quay",
        body="<p>x</p>",
        source=source,
        status=Article.Status.PUBLISHED,
        published_at="2026-01-01T10:00:00Z",
    )
    before = ranking.version_row().version
    images.lead_image_set(article=article, renditions=images.process(photo()), alt="A quay")
    assert ranking.version_row().version == before
