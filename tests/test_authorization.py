# ruff: noqa: E501  (the tables below are meant to be read across)
"""Who may open what: every URL of the site, for every role, as one table.

Six roles: anonymous, a reader who owns data, another reader, an editor, a privacy officer
and a superuser. Each role gets a fresh small world and walks every row of the tables
below in order (POSTs change things, so a row may rely on the rows above it); a test fails
with the list of every cell that did not match, not just the first.

Cells: a status code, or ``login`` for a redirect to a sign-in page. URLs and form data
carry ``{placeholders}`` filled from the world, always with the *reader's* ids: for
"another reader" those rows are attempts to reach someone else's data by id.

The admin table is checked against ``admin.site._registry``: a newly registered model,
or a new custom admin URL, fails here until someone writes down who may open it.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from consent import dp, inventory
from consent.audit import access_record_append
from consent.checkpoints import checkpoint_create
from consent.models import PrivacyNotice
from consent.pseudonyms import pseudonym_for
from consent.rights import data_request_append
from consent.services import consent_grant
from newsapp import experiments, exposure
from newsapp.digest import digest_set, unsubscribe_token
from newsapp.models import (
    Article,
    ArticleFeedback,
    Experiment,
    ExperimentArm,
    ExposureAudit,
    ReadingEvent,
    Region,
    SavedArticle,
    Story,
)
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader", "other_reader", "editor", "officer", "superuser")


def _rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines() if not line.startswith("#")]


# Reader and privacy pages. `data` is a query string ("-" for none). Staff are readers too
# (their own feed, dashboard and export). An admin app index with none of the staff
# member's models answers 404: Django does not say the app exists.
# method path                                         data                    anonymous reader other_reader editor officer superuser
SITE = _rows("""
GET  /                                                 -                       200   200   200   302   302   302
GET  /top/                                             -                       200   200   200   200   200   200
GET  /articles/{article}/                              -                       200   200   200   200   200   200
GET  /articles/{draft}/                                -                       404   404   404   200   404   200
GET  /articles/no-such-article/                        -                       404   404   404   404   404   404
GET  /topics/                                          -                       login 200   200   200   200   200
GET  /topics/{topic}/                                  -                       200   200   200   200   200   200
GET  /topics/no-such-topic/                            -                       404   404   404   404   404   404
GET  /healthz                                          -                       200   200   200   200   200   200
GET  /latest/                                          -                       200   200   200   200   200   200
GET  /search/?q=harbour&topic={topic}                  -                       200   200   200   200   200   200
GET  /feed/                                            -                       200   200   200   200   200   200
GET  /topics/{topic}/feed/                             -                       200   200   200   200   200   200
GET  /sources/{source}/feed/                           -                       200   200   200   200   200   200
GET  /sources/no-such-outlet/feed/                     -                       404   404   404   404   404   404
GET  /stories/{story}/                                 -                       200   200   200   200   200   200
GET  /stories/999999999/                               -                       404   404   404   404   404   404
GET  /articles/{article}/save/                         -                       login 405   405   405   405   405
POST /articles/{other_article}/save/                   -                       login 302   302   302   302   302
POST /articles/{draft}/save/                           -                       login 404   404   404   404   404
GET  /saved/                                           -                       login 200   200   200   200   200
GET  /digest/                                          -                       login 200   200   200   200   200
POST /digest/                                          frequency=hourly        login 200   200   200   200   200
GET  /digest/unsubscribe/{unsubscribe}/                -                       200   200   200   200   200   200
GET  /digest/unsubscribe/forged:token/                 -                       400   400   400   400   400   400
POST /privacy/items/newsapp.SavedArticle/{saved}/delete/ -                     login 302   302   302   302   302
GET  /articles/{article}/feedback/                     -                       login 405   405   405   405   405
POST /articles/{article}/feedback/                     kind=less               login 302   302   302   302   302
POST /articles/{draft}/feedback/                       kind=more               login 404   404   404   404   404
GET  /sources/{source}/mute/                           -                       login 405   405   405   405   405
POST /sources/{other_source}/mute/                     -                       login 302   302   302   302   302
POST /topics/                                          topics={topic}&keywords=harbour&preview=1 login 200 200 200 200 200
POST /topics/                                          topics={topic}&keywords=harbour  login 302 302 302 302 302
GET  /privacy/                                         -                       login 200   200   200   200   200
GET  /privacy/data/feedback/                           -                       login 200   200   200   200   200
GET  /privacy/data/staff-activity/                     -                       login 404   404   200   200   200
GET  /privacy/data/no-such-kind/                       -                       login 404   404   404   404   404
GET  /privacy/notice/                                  -                       200   200   200   200   200   200
GET  /privacy/export.json                              -                       login 200   200   200   200   200
POST /privacy/export.json                              -                       login 200   200   200   200   200
GET  /privacy/receipt/                                 -                       302   302   302   302   302   302
GET  /privacy/clear/                                   -                       login 405   405   405   405   405
POST /privacy/clear/                                   -                       login 302   302   302   302   302
GET  /privacy/receipt/                                 -                       302   200   200   200   200   200
GET  /privacy/consents/                                -                       login 405   405   405   405   405
POST /privacy/consents/                                purpose=location&granted=1 login 302 302 302 302 302
POST /privacy/consents/                                purpose=essential&granted=0 login 400 400 400 400 400
GET  /region/                                          -                       login 200   200   200   200   200
POST /region/                                          region={region}         login 302   302   302   302   302
POST /privacy/pause/                                   paused=0                login 302   302   302   302   302
POST /privacy/pause/                                   paused=maybe            login 400   400   400   400   400
GET  /experiments/choice/                              -                       login 405   405   405   405   405
POST /experiments/choice/                              taking_part=maybe       login 400   400   400   400   400
POST /experiments/choice/                              taking_part=1           login 302   302   302   302   302
GET  /privacy/review/                                  -                       login 200   200   200   200   200
POST /privacy/review/                                  consent_analytics=on    login 302   302   302   302   302
GET  /privacy/delete/                                  -                       login 200   200   200   200   200
POST /privacy/delete/                                  password=not-the-password login 200 200 200 200 200
POST /privacy/items/newsapp.ArticleFeedback/{feedback}/delete/ -               login 302   302   302   302   302
POST /privacy/items/newsapp.ReadingEvent/{reading}/delete/ -                   login 302   302   302   302   302
POST /privacy/items/accounts.User/{reader}/delete/     -                       login 302   302   302   302   302
GET  /accounts/login/                                  -                       200   302   302   302   302   302
GET  /accounts/signup/                                 -                       200   302   302   302   302   302
GET  /accounts/                                        -                       login 200   200   200   200   200
GET  /accounts/email/                                  -                       login 200   200   200   200   200
GET  /accounts/2fa/                                    -                       login 200   200   200   200   200
GET  /admin/                                           -                       login login login 200   200   200
GET  /admin/newsapp/                                   -                       login login login 200   200   200
GET  /admin/consent/                                   -                       login login login 200   200   200
GET  /admin/accounts/                                  -                       login login login 404   404   200
GET  /admin/password_change/                           -                       login login login 200   200   200
GET  /admin/autocomplete/?app_label=newsapp&model_name=article&field_name=source - login login login 200 403 200
""")

# The custom views of consent/admin.py, by URL name. Readers and anonymous: always `login`.
# name                                  method path                                          data                  editor officer superuser
CUSTOM_ADMIN = _rows("""
consent_consentevent_lookup             GET  /admin/consent/consentevent/lookup/               -                     403  200  200
consent_consentevent_lookup             POST /admin/consent/consentevent/lookup/               email={reader_email}  403  302  302
consent_consentevent_csv                GET  /admin/consent/consentevent/export.csv            -                     403  200  200
consent_consentevent_verify             GET  /admin/consent/consentevent/verify/               -                     403  302  302
consent_record_of_processing            GET  /admin/consent/consentevent/record-of-processing/ -                     403  200  200
consent_statisticrelease_release        GET  /admin/consent/statisticrelease/release/          -                     403  403  403
consent_statisticrelease_release        POST /admin/consent/statisticrelease/release/          statistic={statistic} 302  403  302
auth_user_password_change               GET  /admin/accounts/user/{reader}/password/           -                     403  403  200
newsapp_article_preview                 GET  /admin/newsapp/article/preview/                   -                     405  405  405
newsapp_article_preview                 POST /admin/newsapp/article/preview/                   body=<p>Hi</p>        200  403  200
newsapp_exposureaudit_run               GET  /admin/newsapp/exposureaudit/run/                 -                     403  403  403
newsapp_exposureaudit_run               POST /admin/newsapp/exposureaudit/run/                 -                     302  403  302
newsapp_experiment_results              GET  /admin/newsapp/experiment/{experiment}/results/   -                     200  200  200
newsapp_experiment_release              GET  /admin/newsapp/experiment/{experiment}/release/   -                     403  403  403
newsapp_experiment_release              POST /admin/newsapp/experiment/{experiment}/release/   -                     302  403  302
""")

# Every registered model's admin pages, as list / add / change / history / delete.
# Readers and anonymous get `login` on all of them. Read-only ledgers refuse add and
# delete even to superusers; a view-only permission opens the change page read-only.
# model                       editor              officer             superuser
ADMIN_MODELS = {
    row[0]: {"editor": row[1:6], "officer": row[6:11], "superuser": row[11:16]}
    for row in _rows("""
auth.Group                    403 403 403 403 403  403 403 403 403 403  200 200 200 200 200
accounts.User                 403 403 403 403 403  403 403 403 403 403  200 200 200 200 200
account.EmailAddress          403 403 403 403 403  403 403 403 403 403  200 200 200 200 200
mfa.Authenticator             403 403 403 403 403  403 403 403 403 403  200 403 200 200 200
consent.ConsentEvent          403 403 403 403 403  200 403 200 200 403  200 403 200 200 403
consent.DataRequest           403 403 403 403 403  200 403 200 200 403  200 403 200 200 403
consent.AccessRecord          403 403 403 403 403  200 403 200 200 403  200 403 200 200 403
consent.LedgerCheckpoint      403 403 403 403 403  200 403 200 200 403  200 403 200 200 403
consent.PrivacyNotice         403 403 403 403 403  200 403 200 200 403  200 200 200 200 403
consent.StatisticRelease      200 403 200 200 403  200 403 200 200 403  200 403 200 200 403
newsapp.Article               200 200 200 200 200  403 403 403 403 403  200 200 200 200 200
newsapp.Topic                 200 200 200 200 200  403 403 403 403 403  200 200 200 200 200
newsapp.Source                200 200 200 200 200  403 403 403 403 403  200 200 200 200 200
newsapp.ExposureAudit         200 403 200 200 403  200 403 200 200 403  200 403 200 200 403
newsapp.Experiment            200 200 200 200 200  200 403 200 200 403  200 200 200 200 200
newsapp.ExperimentChoice      403 403 403 403 403  200 403 200 200 403  200 403 200 200 403
""")
}
ADMIN_PAGES = ("", "add/", "{pk}/change/", "{pk}/history/", "{pk}/delete/")
STANDARD_ADMIN_URLS = ("changelist", "add", "history", "delete", "change")


@dataclass
class World:
    reader: object
    other: object
    editor: object
    officer: object
    superuser: object
    ids: dict


def _staff(group: str, **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def build_world() -> World:
    """One of everything the tables name, owned by `reader` where it is personal."""
    # Published before anyone joined, so nobody is sent to the re-consent prompt.
    PrivacyNotice.objects.create(
        version="1", title="Notice", body="Plain words.", material=True,
        published_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    reader = UserFactory(email="owner.reader@example.org")
    other = UserFactory(email="other.reader@example.org")
    science, climate = TopicFactory(name="Science"), TopicFactory(name="Climate")
    gazette, courier = SourceFactory(name="Gazette"), SourceFactory(name="Courier")
    story = Story.objects.create()
    article = ArticleFactory(title="Harbour reopens", topics=[science], source=gazette, story=story)
    other_article = ArticleFactory(
        title="Harbour reopens, by the Courier", source=courier, story=story
    )
    draft = ArticleFactory(title="Unpublished draft", status=Article.Status.DRAFT)
    for user in (reader, other):
        follow(user, science)
    feedback = ArticleFeedback.objects.create(user=reader, article=article, kind="more")
    saved = SavedArticle.objects.create(user=reader, article=article)
    unsubscribe = unsubscribe_token(digest_set(user=reader, frequency="weekly"))
    consent_grant(user=reader, purpose="personalize_history", method="signup")
    reading = ReadingEvent.objects.create(
        pseudonym=pseudonym_for(reader.pk), article=article, day=timezone.localdate()
    )
    region, _ = Region.objects.get_or_create(
        slug="north-coast", defaults={"name": "North coast", "latitude": 55, "longitude": -2}
    )
    editor = _staff("Editors")
    officer = _staff("Privacy officers")
    superuser = _staff("", is_superuser=True)
    data_request_append(pseudonym=pseudonym_for(reader.pk), kind="export", summary={})
    access_record_append(staff=superuser, pseudonym=pseudonym_for(reader.pk), what="test")
    checkpoint_create(first=True)
    statistic = dp.statistics()[0].code
    release = dp.statistic_release(code=statistic, staff_label="setup")
    # An audit read from an existing release (no second spend of the day's budget).
    ExposureAudit.objects.create(
        window_days=7, page_size=20, sample_limit=10, seed=1,
        supply=exposure.supply_in_window().as_json(), release=release,
    )  # fmt: skip
    upcoming = Experiment.objects.create(
        name="Fresher first", description="Plain words.",
        starts_on=timezone.localdate() + timedelta(days=1),
        ends_on=timezone.localdate() + timedelta(days=8),
    )  # fmt: skip
    for position, name in enumerate("AB"):
        ExperimentArm.objects.create(
            experiment=upcoming, name=name, position=position, description=f"Version {name}."
        )
    experiments.experiments_participation_set(user=reader, taking_part=False)
    ids = {
        "article": article.slug,
        "draft": draft.slug,
        "topic": science.slug,
        "other_topic": climate.slug,
        "source": gazette.slug,
        "other_source": courier.slug,
        "feedback": feedback.pk,
        "saved": saved.pk,
        "unsubscribe": unsubscribe,
        "story": story.pk,
        "other_article": other_article.slug,
        "reading": reading.pk,
        "region": region.slug,
        "reader": reader.pk,
        "reader_email": reader.email,
        "statistic": statistic,
        "experiment": upcoming.pk,
    }
    return World(reader, other, editor, officer, superuser, ids)


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = {
        "anonymous": None,
        "reader": world.reader,
        "other_reader": world.other,
        "editor": world.editor,
        "officer": world.officer,
        "superuser": world.superuser,
    }[role]
    if user is not None:
        client.force_login(user)
    return client


# A random code drawn anew at any write of the reader's rows, an officer's look included
# (its access record is the reader's): it tells kept pages to be made again, and holds
# nothing another request could have changed.
DRAWN_ANEW = {"consent.ReaderVersion"}


def holdings(user) -> dict[str, list[str]]:
    """Everything the data inventory says we hold about `user`, as its dashboard shows it."""
    return {
        d.model: sorted(repr(d.present(row)) for row in d.rows_to_show(user))
        for d in inventory.declarations()
        if d.model not in DRAWN_ANEW
    }


def visit(client: Client, method: str, path: str, data: str, ids: dict):
    path = path.format(**ids)
    payload = dict(parse_qsl(data.format(**ids))) if data != "-" else {}
    return client.post(path, payload) if method == "POST" else client.get(path)


def outcome(response) -> str:
    if response.status_code == 302 and "login" in response.get("Location", ""):
        return "login"
    return str(response.status_code)


def admin_cells(world: World, role: str):
    """(method, path, data, expected) for every admin page of every registered model."""
    for model in admin.site._registry:
        label = model._meta.label
        assert label in ADMIN_MODELS, f"{label} is in the admin: add it to ADMIN_MODELS"
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"build_world() must create a {label}"
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        expected = ADMIN_MODELS[label].get(role, ["login"] * len(ADMIN_PAGES))
        for page, status in zip(ADMIN_PAGES, expected, strict=True):
            yield "GET", base + page.format(pk=obj.pk), "-", status


def test_every_custom_admin_url_has_a_row():
    named = set()
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        standard = {prefix + page for page in STANDARD_ADMIN_URLS}
        named |= {p.name for p in model_admin.urls if p.name and p.name not in standard}
    assert named == {row[0] for row in CUSTOM_ADMIN}


@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(role):
    world = build_world()
    column = ROLES.index(role)
    cells = [(m, p, d, expected[column]) for m, p, d, *expected in SITE]
    for _name, method, path, data, *expected in CUSTOM_ADMIN:
        staff_column = ("editor", "officer", "superuser").index(role) if column >= 3 else None
        cells.append(
            (method, path, data, "login" if staff_column is None else expected[staff_column])
        )
    cells.extend(admin_cells(world, role))

    watched = holdings(world.reader)
    client = client_for(world, role)
    wrong = []
    for method, path, data, expected in cells:
        got = outcome(visit(client, method, path, data, world.ids))
        if got != expected:
            wrong.append(
                f"{method} {path.format(**world.ids)} [{data}]: expected {expected}, got {got}"
            )
    assert wrong == [], f"{role}:\n" + "\n".join(wrong)

    if role in ("anonymous", "other_reader", "editor", "officer"):
        # However they tried, with the reader's own ids, nothing of the reader's changed;
        # only the officer's look-up by e-mail joined the staff access log the reader sees.
        after = holdings(world.reader)
        log_before, log_after = (
            watched.pop("consent.AccessRecord"),
            after.pop("consent.AccessRecord"),
        )
        assert after == watched
        assert len(log_after) == len(log_before) + (role == "officer")


def test_a_reader_cannot_reach_another_readers_data_by_changing_an_id():
    world = build_world()
    reader, ids = world.reader, world.ids
    watched = holdings(reader)
    client = client_for(world, "other_reader")
    owner_fields = {"user": reader.pk, "user_id": reader.pk, "pk": reader.pk, "id": reader.pk}

    for model, pk in (
        ("newsapp.ArticleFeedback", ids["feedback"]),
        ("newsapp.ReadingEvent", ids["reading"]),
    ):
        response = client.post(f"/privacy/items/{model}/{pk}/delete/", follow=True)
        assert "That item was already gone; nothing else was changed." in response.content.decode()
    # Every form, with the reader's id slipped in under every name a view might trust.
    for path, data in (
        ("/topics/", {"topics": ids["topic"], "keywords": "intrusion"}),
        (f"/articles/{ids['article']}/feedback/", {"kind": "less"}),
        (f"/sources/{ids['source']}/mute/", {}),
        ("/privacy/consents/", {"purpose": "personalize_history", "granted": "0"}),
        ("/privacy/pause/", {"paused": "1"}),
        ("/privacy/review/", {}),
        ("/privacy/clear/", {"reset_topics": "on"}),
        ("/region/", {"region": ids["region"]}),
        ("/privacy/delete/", {"password": "a-long-test-password"}),
    ):
        assert client.post(path, {**data, **owner_fields}).status_code < 500, path
    assert holdings(reader) == watched

    # The other reader's own view of "their data" holds nothing of the reader's.
    # (The other reader erased their own account above: that is all the password did.)
    assert not type(reader).objects.filter(pk=world.other.pk).exists()
    intruder = UserFactory(email="intruder@example.org")
    client.force_login(intruder)
    for path in ("/privacy/", "/privacy/export.json", f"/privacy/?user={reader.pk}"):
        page = client.get(path).content.decode()
        assert reader.email not in page and pseudonym_for(reader.pk) not in page, path

    # The owner, by contrast, can delete the item the others could not.
    client = client_for(world, "reader")
    client.post(f"/privacy/items/newsapp.ArticleFeedback/{ids['feedback']}/delete/")
    assert not ArticleFeedback.objects.filter(pk=ids["feedback"]).exists()
