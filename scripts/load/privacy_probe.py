"""Time the privacy dashboard and a heavy reader's export in-process, on PostgreSQL.

A probe, not a benchmark of the whole stack (``make bench-web`` is that): Django's test
client with the production settings (``DJANGO_DEBUG=0``, the database cache, persistent
connections), on a scratch database ``newsapp_privacy_probe`` with the demo newsroom,
a few thousand generated articles and a few readers, the first of them seeded like
``seed_readers.heavy_reader()`` (300 feedback marks, about 2,000 reading days). Prints
p50/p95 over ``--requests`` requests of each page (and the CPU time of this process
alone, which another job on the machine changes least) and its query count, and writes the
heavy reader's export to ``var/load/privacy_probe/`` (without its ``exported_at`` and its
log of requests, which grows with every export), so two runs can be compared byte for
byte.

    .venv/bin/python scripts/load/privacy_probe.py            # prepare, then measure
    .venv/bin/python scripts/load/privacy_probe.py --reuse    # measure again
    .venv/bin/python scripts/load/privacy_probe.py --reuse --code /tmp/old-checkout

``--code`` measures another checkout of the code (for example the commit before a change)
against the same database and keys. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATABASE = "newsapp_privacy_probe"
HERE = Path(__file__).resolve()
# A key of the comparison on the dashboard, cleared for the "first view" rows.
COMPARISON_KEYS = "%feed-vs-everyone:%"


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def outer(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(HERE.parent))
    import stack

    prepared = stack.VAR / f"{DATABASE}.prepared"
    if args.reuse and prepared.exists() and stack.database_exists(DATABASE):
        stack.say(f"reusing the prepared database {DATABASE}")
    else:
        prepared.unlink(missing_ok=True)
        stack.prepare(DATABASE, articles=args.articles, readers=args.readers)
        prepared.touch()
    code = Path(args.code).resolve() if args.code else stack.ROOT
    env = stack.django_env(DATABASE, DJANGO_ALLOWED_HOSTS="testserver")
    env["PYTHONPATH"] = str(code)
    out = stack.VAR / "privacy_probe"
    out.mkdir(parents=True, exist_ok=True)
    command = [stack.PYTHON, str(HERE), "--inner", "--code", str(code)]
    command += ["--requests", str(args.requests), "--label", args.label, "--out", str(out)]
    return subprocess.run(command, cwd=code, env=env, check=False).returncode


def inner(args: argparse.Namespace) -> int:
    sys.path.insert(0, args.code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsapp.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    seeded = json.loads((Path(args.out).parent / "readers.json").read_text())

    def signed_in(reader: dict) -> Client:
        # The session seed_readers made: signing in again changes the account's last
        # sign-in, which the export shows. Once that session has timed out, sign in.
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.cookies[settings.SESSION_COOKIE_NAME] = reader["session"]
        if client.get("/privacy/").status_code != 200:
            print(f"the seeded session of reader {reader['user_id']} has ended: signing in")
            client.force_login(get_user_model().objects.get(pk=reader["user_id"]))
        return client

    def forget(pattern: str):
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM newsapp_cache WHERE cache_key LIKE %s", [pattern])

        return run

    heavy_client, reader_client = signed_in(seeded["heavy"]), signed_in(seeded["readers"][1])
    allow_export = forget("%privacy-limit:%")  # the hourly limit, forgotten between exports
    cases = [
        ("/privacy/ (a reader)", lambda: reader_client.get("/privacy/"), None),
        ("/privacy/ (the heavy reader)", lambda: heavy_client.get("/privacy/"), None),
        (
            "/privacy/ (a reader, first view)",
            lambda: reader_client.get("/privacy/"),
            forget(COMPARISON_KEYS),
        ),
        (
            "export of the heavy reader",
            lambda: heavy_client.post("/privacy/export.json"),
            allow_export,
        ),
    ]
    results = {}
    for label, send, before in cases:
        if before:
            before()
        response = send()  # warm: the index, the caches, the connection
        assert response.status_code == 200, (label, response.status_code)
        if before:
            before()
        with CaptureQueriesContext(connection) as queries:
            send()
        # Read now: the captured list is a slice of a log the next request resets.
        count = len(queries)
        times, cpu = [], []
        for _ in range(args.requests):
            if before:
                before()
            started, used = time.perf_counter(), time.process_time()
            response = send()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        results[label] = {
            "p50": round(statistics.median(times), 1),
            "p95": round(percentile(times, 95), 1),
            # This process's CPU alone (PostgreSQL's is not in it): what a busy machine
            # changes least.
            "cpu_p50": round(statistics.median(cpu), 1),
            "queries": count,
        }
        if label.startswith("export"):
            text = response.content.decode()
            document = json.loads(text)
            # The moment of the export is the one value two runs may not share.
            text = text.replace(json.dumps(document["exported_at"]), '""', 1)
            # Each export logs itself: the log of requests grows from one run to the next.
            start = text.index('\n  "requests": {')
            text = text[:start] + text[text.index('\n  "', start + 1) :]
            (Path(args.out) / f"export-{args.label}.json").write_text(text)
            history = document["reading_history"]["data"].get("reading_events", [])
            results[label]["bytes"] = len(response.content)
            results[label]["reading_events"] = len(history)
    width = max(len(label) for label in results)
    print(f"\n{args.label}: {args.requests} requests each, one client, in-process")
    print(f"{'page':<{width}}  {'p50 ms':>7}  {'p95 ms':>7}  {'CPU p50':>7}  queries")
    for label, row in results.items():
        print(
            f"{label:<{width}}  {row['p50']:>7}  {row['p95']:>7}  {row['cpu_p50']:>7}  "
            f"{row['queries']:>7}"
        )
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores shared with other jobs)")
    print("PROBE" + json.dumps({"label": args.label, **results}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the prepared database")
    parser.add_argument("--code", help="the checkout to measure (default: this one)")
    parser.add_argument("--label", default="run", help="names the run and its export file")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    return inner(args) if args.inner else outer(args)


if __name__ == "__main__":
    sys.exit(main())
