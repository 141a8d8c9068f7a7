"""Logs as an operator reads them: one JSON object per line, each with the request id,
and nothing personal (no e-mail, nothing a reader typed) whatever the input."""

import io
import json
import logging

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import path

from consent.pseudonyms import pseudonym_for
from newsapp.core.logs import JsonFormatter
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _broken_view(request):
    raise ValueError("boom for someone@example.com who typed tram, chess")


urlpatterns = [path("broken/", _broken_view)]


@pytest.fixture
def log_output():
    """What the configured JSON handler writes (settings.LOGGING), as a function."""
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)
    )
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer.getvalue
    handler.setStream(previous)


def entries(raw: str) -> list[dict]:
    """Every line must be one whole JSON object; a forged or split line fails here."""
    return [json.loads(line) for line in raw.splitlines()]


def test_a_request_error_is_one_json_line_with_the_callers_request_id(client, log_output):
    response = client.get("/articles/no-such-story/", HTTP_X_REQUEST_ID="lb-7f3a9c01")
    assert response.status_code == 404 and response["X-Request-ID"] == "lb-7f3a9c01"
    [entry] = entries(log_output())
    assert entry["logger"] == "django.request" and entry["level"] == "WARNING"
    assert entry["status_code"] == 404 and entry["request_id"] == "lb-7f3a9c01"


def test_a_request_id_is_made_when_none_or_a_hostile_one_is_given(client, log_output):
    first = client.get("/articles/missing/")
    second = client.get("/articles/missing/", HTTP_X_REQUEST_ID='x\r\n{"level": "forged"}')
    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids) and ids[0] != ids[1]
    assert [e["request_id"] for e in entries(log_output())] == ids


def test_a_failed_sign_in_is_logged_without_the_email(client, log_output):
    reader = UserFactory(email="careful.reader@example.org")
    response = client.post(
        "/accounts/login/",
        {"login": reader.email, "password": "wrong-password"},
        HTTP_X_REQUEST_ID="req-failed-login",
    )
    assert response.status_code == 200
    raw = log_output()
    logged = entries(raw)
    assert {"event": "auth.login_failed", "request_id": "req-failed-login"}.items() <= next(
        e for e in logged if e.get("event") == "auth.login_failed"
    ).items()
    assert "careful.reader" not in raw and "example.org" not in raw
    assert pseudonym_for(reader.pk) not in raw  # a failure names nobody
    assert [e.get("outcome") for e in logged if e.get("event") == "auth.login_failed"] == [
        "wrong_credentials"
    ]


def test_cr_lf_in_a_username_cannot_forge_a_log_line(client, log_output):
    forged = 'x@example.com\r\n{"event": "auth.login", "user": "forged"}\n\u2028second'
    response = client.post("/accounts/login/", {"login": forged, "password": "whatever-it-is"})
    assert response.status_code == 200  # refused: not an e-mail address
    client.get("/articles/" + forged.replace("\n", "%0A").replace("\r", "%0D") + "/")
    # And straight through the logger, as any future message quoting input would.
    logging.getLogger("newsapp.security").warning("Rejected login %s", forged)
    raw = log_output()
    logged = entries(raw)  # parses only if every line is exactly one record
    assert len(raw.splitlines()) == len(logged) == 3
    # The refused sign-in is one record of our own, naming nobody and quoting nothing.
    assert [(e.get("event"), e.get("outcome"), e.get("user")) for e in logged if "event" in e] == [
        ("auth.login_failed", "refused_before_check", None)
    ]
    assert not [e for e in logged if e.get("user") == "forged" or e.get("event") == "auth.login"]
    assert "\u2028" not in raw and "\r" not in raw and "example.com" not in raw


def test_sign_in_and_sign_out_are_logged_under_the_pseudonym(client, log_output):
    reader = UserFactory(email="named.reader@example.org")
    signed_in = client.post("/accounts/login/", {"login": reader.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    signed_out = client.post("/accounts/logout/")
    assert signed_out.status_code == 302
    raw = log_output()
    events = [e for e in entries(raw) if "event" in e]
    assert [(e["event"], e["user"]) for e in events] == [
        ("auth.login", pseudonym_for(reader.pk)),
        ("auth.logout", pseudonym_for(reader.pk)),
    ]
    assert [e["request_id"] for e in events] == [
        signed_in["X-Request-ID"],
        signed_out["X-Request-ID"],
    ]
    assert "named.reader" not in raw


def test_sign_up_is_logged_without_the_email(client, log_output):
    response = client.post(
        "/accounts/signup/",
        {"email": "brand.new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    raw = log_output()
    assert [e["event"] for e in entries(raw) if "event" in e] == ["auth.signup"]
    assert "brand.new" not in raw


def test_csrf_failures_and_permission_denials_are_logged(log_output):
    reader = UserFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    refused = strict.post("/privacy/clear/", HTTP_X_REQUEST_ID="req-csrf-0001")
    assert refused.status_code == 403
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    staff = Client()
    staff.force_login(editor)
    assert staff.get("/admin/accounts/user/").status_code == 403
    logged = entries(log_output())
    csrf, denied = (e for e in logged if e.get("status_code") == 403)
    assert csrf["logger"] == "django.security.csrf" and csrf["request_id"] == "req-csrf-0001"
    assert denied["logger"] == "django.request" and "Permission denied" in denied["message"]


def test_a_server_error_logs_where_not_what(settings, log_output):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    raw = log_output()
    [entry] = entries(raw)
    assert entry["level"] == "ERROR" and entry["exception"] == "ValueError"
    assert entry["request_id"] == response["X-Request-ID"]
    assert any("_broken_view" in frame for frame in entry["frames"])
    assert "someone@example.com" not in raw and "tram" not in raw


def test_no_query_string_reaches_the_log(client, log_output):
    """What a reader searched for or filtered by stays out, whatever logs the request line:
    the development server's access line, a 404, a redirect target."""
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /search/?q=my+illness&topic=health HTTP/1.1", "200", "5120"
    )
    client.get("/articles/no-such-story/?q=my+illness")
    logging.getLogger("newsapp").warning(
        "Redirected to https://news.example.org/topics/?welcome=1&q=my+illness"
    )
    logged = entries(log_output())
    assert [e["message"] for e in logged] == [
        '"GET /search/ HTTP/1.1" 200 5120',
        "Not Found: /articles/no-such-story/",
        "Redirected to https://news.example.org/topics/",
    ]
    assert "illness" not in log_output()
