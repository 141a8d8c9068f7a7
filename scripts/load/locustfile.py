"""Simulated signed-in readers for `make load` and `make outage` (run by locust, headless).

Kept out of pytest's collection on purpose: importing locust monkey-patches the standard
library with gevent. scripts/load/run_load.py and outage.py start it with the files that
scripts/load/seed_readers.py wrote.

Each simulated reader is one seeded reader with its own session, mixing the "For you"
feed, articles, topics, the privacy dashboard, the JSON export and consent changes. Every
request must answer as a signed-in reader's would (no redirect to sign-in, no error). Each
reader exports at most ``LOAD_MAX_EXPORTS`` times a run, well under the production limit
of ``PRIVACY_REQUESTS_PER_HOUR`` (10): the limit stays as it is and is not what we measure.

Requests go over plain HTTP with ``X-Forwarded-Proto: https`` (trusted by the production
settings), and the Secure ``__Host-`` cookies are sent by hand, since a client only sends
Secure cookies over TLS.
"""

import itertools
import json
import os
import random
import time
from pathlib import Path

from locust import HttpUser, between, events, task

DATA = json.loads(Path(os.environ["LOAD_READERS_FILE"]).read_text())
ARTICLES = DATA["articles"]
_readers = itertools.cycle(DATA["readers"])
MAX_EXPORTS = int(os.environ.get("LOAD_MAX_EXPORTS", "5"))
ACKS: list[dict] = []
_failures = open(os.environ["LOAD_FAILURES_FILE"], "w", buffering=1)  # noqa: SIM115


@events.request.add_listener
def record_failure(
    request_type, name, response_time, response_length, response=None, exception=None, **kwargs
):
    if exception is None:
        return
    body = response.text if response is not None and response.text else ""
    _failures.write(
        json.dumps(
            {
                "t": time.time(),
                "name": name,
                "status": getattr(response, "status_code", None),
                "styled_503": "Back in a moment" in body,
                "traceback": "Traceback" in body,
                "error": str(exception)[:200],
            }
        )
        + "\n"
    )


class Reader(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.reader = next(_readers)
        self.exports = 0
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "Cookie": f"__Host-sessionid={self.reader['session']}; "
                f"__Host-csrftoken={self.reader['csrf']}",
            }
        )

    def page(self, path, name, must_contain=None):
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} {response.error or ''}".strip())
            elif must_contain and must_contain not in response.text:
                response.failure(f"{path} did not show {must_contain!r}")
            else:
                response.success()

    @task(5)
    def feed(self):
        self.page("/", "/ (For you)", "Sign out")

    @task(5)
    def article(self):
        self.page(f"/articles/{random.choice(ARTICLES)}/", "/articles/<slug>/", "Sign out")

    @task(2)
    def topics(self):
        self.page("/topics/", "/topics/", "Sign out")

    @task(2)
    def dashboard(self):
        self.page("/privacy/", "/privacy/", "Sign out")

    @task(1)
    def export(self):
        if self.exports >= MAX_EXPORTS:
            return self.dashboard()
        self.exports += 1
        # A POST with the CSRF token, as the dashboard's button sends it (a GET only shows
        # the button).
        with self.client.post(
            "/privacy/export.json",
            data={"csrfmiddlewaretoken": self.reader["csrf"]},
            headers={"Origin": f"https://{self.host.split('://', 1)[1]}"},
            name="POST /privacy/export.json",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 200 and '"newsapp.export/1"' in response.text:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code} {response.error or ''}".strip())

    @task(1)
    def consent_change(self):
        granted = random.choice(("1", "0"))
        purpose = random.choice(("analytics", "personalize_history"))
        with self.client.post(
            "/privacy/consents/",
            data={
                "purpose": purpose,
                "granted": granted,
                "csrfmiddlewaretoken": self.reader["csrf"],
            },
            headers={"Origin": f"https://{self.host.split('://', 1)[1]}"},
            name="POST /privacy/consents/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and response.headers.get("Location") == "/privacy/":
                # Acknowledged to the reader: from here on it must be in the ledger.
                ACKS.append(
                    {
                        "t": time.time(),
                        "user_id": self.reader["user_id"],
                        "purpose": purpose,
                        "granted": granted == "1",
                    }
                )
                response.success()
            else:
                response.failure(f"HTTP {response.status_code} {response.error or ''}".strip())


@events.quitting.add_listener
def summarise(environment, **kwargs):
    total = environment.stats.total
    summary = {
        "users": environment.parsed_options.num_users if environment.parsed_options else None,
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": round(total.total_rps, 1),
        "p50_ms": total.get_response_time_percentile(0.50),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "max_ms": round(total.max_response_time),
        "acknowledged_consent_changes": len(ACKS),
    }
    with open(os.environ["LOAD_ACKS_FILE"], "w") as acks:
        acks.writelines(json.dumps(ack) + "\n" for ack in ACKS)
    with open(os.environ["LOAD_SUMMARY_FILE"], "w") as out:
        json.dump(summary, out)
