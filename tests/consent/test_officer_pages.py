"""The privacy officer's and the editors' statistics pages, as they found them: the record of
processing names the real controller, the search help reads to its end, and each release
button releases."""

from html.parser import HTMLParser

import pytest

from consent.models import StatisticRelease
from tests.consent.conftest import staff
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


class FormNesting(HTMLParser):
    """Records every <form> opened inside another: browsers drop the inner one, and its
    button then submits the outer form."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.nested: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            name = dict(attrs).get("id") or dict(attrs).get("action") or "?"
            if self.open:
                self.nested.append((self.open[-1], name))
            self.open.append(name)

    def handle_endtag(self, tag):
        if tag == "form" and self.open:
            self.open.pop()


def test_every_release_button_sits_in_its_own_form(client):
    """Bug: "Release fresh figures" for followers per topic did nothing; its form was inside
    the admin's changelist form."""
    TopicFactory(name="Science")
    client.force_login(staff("Editors"))
    page = client.get("/admin/consent/statisticrelease/").content.decode()
    parser = FormNesting()
    parser.feed(page)
    assert parser.nested == []
    assert page.count('action="/admin/consent/statisticrelease/release/"') == 2
    # The first panel's button posts its own statistic.
    first = page.index('action="/admin/consent/statisticrelease/release/"')
    assert 'name="statistic" value="followers_per_topic"' in page[first : first + 400]
    response = client.post(
        "/admin/consent/statisticrelease/release/",
        {"statistic": "followers_per_topic"},
        follow=True,
    )
    assert "Released “Followers per topic”" in response.content.decode()
    assert StatisticRelease.objects.filter(statistic="followers_per_topic").count() == 1


def test_the_record_of_processing_names_the_configured_controller(client, settings):
    settings.CONTROLLER_NAME = "Harbour Media Ltd"
    settings.CONTROLLER_CONTACT = "privacy@harbour.example"
    client.force_login(staff("Privacy officers"))
    page = client.get("/admin/consent/consentevent/record-of-processing/").content.decode()
    assert "<strong>Controller:</strong> Harbour Media Ltd, privacy@harbour.example." in page
    assert "Django administration" not in page.split("<strong>Controller:</strong>")[1][:200]


def test_the_record_of_processing_files_each_category_under_its_own_purpose(client):
    """Bug: the consent history, requests and staff access were prefixed with the account's
    purpose ("Your account and the topics you chose: To prove what you allowed…")."""
    client.force_login(staff("Privacy officers"))
    page = client.get("/admin/consent/consentevent/record-of-processing/").content.decode()
    assert (
        '<td data-label="Purpose">To prove what you allowed, when, and under which notice.</td>'
        in page
    )
    assert "Your account and the topics you chose: To prove" not in page
    # A category without its own reason still names the purpose it serves.
    assert "Use what I read to improve my feed: So that articles like the ones" in page


def test_the_consent_events_search_help_reads_to_its_end(client):
    """Bug: the help text stopped at "To find a reader by e-mail, use"."""
    client.force_login(staff("Privacy officers"))
    page = client.get("/admin/consent/consentevent/").content.decode()
    assert (
        "A full pseudonym or event hash. To find a reader by e-mail, use “Look up a reader "
        "by e-mail” above.</div>"
    ) in page
