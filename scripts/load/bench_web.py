"""`make bench-web`: whole pages at newsroom scale, beside a bare view, in one run.

What it measures (a benchmark, never a timed test): the production stack of ``stack.py``
(gunicorn 3 workers x 6 threads, ``DJANGO_DEBUG=0``, PostgreSQL) over the demo newsroom plus
100,000 generated articles of real prose (sentences of the shared corpora when they are
there) and 10,000 signed-in readers.

1. One client at a time, ``--requests`` requests a page: p50 and p95 of each page, and the
   SQL queries the page runs (counted in-process with the same settings and database).
2. Closed loop, no think-time: wrk with ``--connections`` connections for ``--seconds`` s on
   ``/healthz`` (a bare view through the same middleware: the framework's limit on this
   machine), on ``/top/`` and on the signed-in ``/`` (For you), and each as a share of
   ``/healthz`` measured in the same run.
3. Worker memory: RSS and PSS (shared pages counted once) of each gunicorn worker.

The table goes to stdout and into ``docs/benchmarks.md`` between the ``bench-web`` markers.
``--reuse`` keeps a database prepared by an earlier run (preparing 100k/10k takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import stack

ROOT = stack.ROOT
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- bench-web:start -->", "<!-- bench-web:end -->"
# The shared corpora sit beside the checkout (/work/shared) or above a worktree of it.
SHARED = next(
    (p / "shared" / "datasets" for p in ROOT.parents if (p / "shared" / "datasets").is_dir()),
    ROOT.parent / "shared" / "datasets",
)

# page label -> (path or a callable on the fixture, signed in?, target p95 in ms)
FRESH_FEED = "/ (For you), each reader's first"
# Each worker's resident memory, the index's mapped pages included (counted in full by
# every worker that touched them: PSS beside it counts a shared page once).
RSS_TARGET_MB = 250
TARGETS_MS = {
    "/healthz": None,
    "/top/ (anonymous)": 15,
    "/latest/ (anonymous)": 15,
    "/ (For you)": 15,
    FRESH_FEED: None,  # shown beside the kept page: what a reader's first visit costs
    "/articles/<slug>/": 15,
    "/topics/<slug>/": 15,
    "/topics/": 25,
    "/privacy/": 25,
    "export of a heavy reader": 100,
}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    stack.say("wrk is missing: installing Debian's package")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "/usr/bin/wrk"


def fixture(env: dict[str, str]) -> dict:
    """A signed-in reader's cookie, a heavy reader's, an article and a topic slug."""
    readers = json.loads((stack.VAR / "readers.json").read_text())
    code = (
        "import json; from newsapp.models import Article, Topic\n"
        "a = Article.objects.published().order_by('-published_at')"
        ".values_list('slug', flat=True)[500]\n"
        "t = Topic.objects.order_by('name').values_list('slug', flat=True).first()\n"
        "print(json.dumps({'article': a, 'topic': t}))"
    )
    out = subprocess.run(
        [stack.PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    heavy = readers.get("heavy") or readers["readers"][0]
    reader = readers["readers"][1] if len(readers["readers"]) > 1 else heavy
    return {
        **found,
        "cookie": _cookie(reader),
        "heavy_cookie": _cookie(heavy),
        "csrf": heavy["csrf"],
        # Readers who have not asked for a page in this run: their pages are made anew.
        "fresh_cookies": [_cookie(r) for r in readers["readers"][2:500]],
    }


def _cookie(reader: dict) -> str:
    return f"__Host-sessionid={reader['session']}; __Host-csrftoken={reader['csrf']}"


def pages(fx: dict) -> list[tuple[str, str, str, dict | None]]:
    """(label, path, cookie, form) of every page measured; a form is POSTed. A list of
    cookies is one reader after another, a new one for each request."""
    return [
        ("/healthz", "/healthz", "", None),
        ("/top/ (anonymous)", "/top/", "", None),
        ("/latest/ (anonymous)", "/latest/", "", None),
        ("/ (For you)", "/", fx["cookie"], None),
        # The same page for readers whose page is not kept: the first of a visit.
        (FRESH_FEED, "/", fx["fresh_cookies"], None),
        ("/articles/<slug>/", f"/articles/{fx['article']}/", fx["cookie"], None),
        ("/topics/<slug>/", f"/topics/{fx['topic']}/", fx["cookie"], None),
        ("/topics/", "/topics/", fx["cookie"], None),
        ("/privacy/", "/privacy/", fx["cookie"], None),
        # The export is the POST of its page's button (a GET only shows the button).
        (
            "export of a heavy reader",
            "/privacy/export.json",
            fx["heavy_cookie"],
            {"csrfmiddlewaretoken": fx["csrf"]},
        ),
    ]


def time_page(
    port: int, path: str, cookie: str | list[str], n: int, form=None, before=None
) -> tuple[int, list[float]]:
    """``before`` runs ahead of each request, outside the timing; a list of cookies is
    taken one after another (a warm-up with the first, then one per request)."""
    cookies = iter(cookie if isinstance(cookie, list) else [cookie] * (n + 1))
    if before:
        before()
    status, _, _ = stack.request(port, path, cookie=next(cookies), form=form)  # warm
    times = []
    for _ in range(n):
        if before:
            before()
        each = next(cookies)
        started = time.perf_counter()
        status, _, _ = stack.request(port, path, cookie=each, form=form)
        times.append((time.perf_counter() - started) * 1000)
    return status, times


class ExportAllowance:
    """The export is limited to ``PRIVACY_REQUESTS_PER_HOUR`` (10) per reader, and the limit
    stays as it is: the benchmark forgets the count between two timed exports instead (the
    shared cache is the scratch database's table), so every one measures a real export."""

    def __init__(self, database: str) -> None:
        import psycopg

        self.connection = psycopg.connect(stack.database_url(database), autocommit=True)

    def __call__(self) -> None:
        self.connection.execute(
            "DELETE FROM newsapp_cache WHERE cache_key LIKE %s", ("%privacy-limit:%",)
        )


def count_queries(env: dict[str, str], measured: list) -> dict[str, int]:
    """Queries per page, through Django's test client in-process on the same database."""
    few = [(label, path, c[:2] if isinstance(c, list) else c, f) for label, path, c, f in measured]
    code = f"""
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
counts = {{}}
for label, path, cookie, form in {few!r}:
    # A list of cookies: warmed by one reader, counted for the next (a page made anew).
    warm, cookie = (cookie[0], cookie[1]) if isinstance(cookie, list) else (cookie, cookie)
    def send(cookie):
        client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_COOKIE=cookie)
        return client.post(path, form) if form is not None else client.get(path)
    send(warm)  # warm, like the timed run
    # A kept page twice, the fewer counted: pages are kept per minute, and one that the
    # minute's turn fell between would be counted as made anew.
    for _ in range(1 if warm != cookie else 2):
        with CaptureQueriesContext(connection) as ctx:
            send(cookie)
        found = len(ctx.captured_queries)
        counts[label] = min(found, counts.get(label, found))
print("QUERIES" + json.dumps(counts))
"""
    out = subprocess.run(
        [stack.PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1"},
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("QUERIES")), "QUERIES{}")
    return json.loads(line[len("QUERIES") :])


def wrk(binary: str, port: int, path: str, cookie: str, *, connections: int, seconds: int) -> dict:
    args = [binary, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    args += ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "non_2xx": int(non_2xx.group(1)) if non_2xx else 0, "errors": errors}


def memory(server: stack.Gunicorn) -> list[tuple[int, int, int]]:
    """(pid, RSS MB, PSS MB) of each worker."""
    rows = []
    for pid in sorted(server.worker_pids()):
        status = Path(f"/proc/{pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024
        pss = rss
        rollup = Path(f"/proc/{pid}/smaps_rollup")
        if rollup.exists():
            found = re.search(r"^Pss:\s+(\d+)", rollup.read_text(), re.M)
            pss = int(found.group(1)) // 1024 if found else rss
        rows.append((pid, rss, pss))
    return rows


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60, help="per page, one client")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--database", default="newsapp_bench")
    parser.add_argument("--reuse", action="store_true", help="keep an already prepared database")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()

    binary = ensure_wrk()
    prepared = stack.VAR / f"{args.database}.prepared"
    if args.reuse and prepared.exists() and stack.database_exists(args.database):
        stack.say(f"reusing the prepared database {args.database}")
        env = stack.django_env(args.database)
        stack.manage(env, "migrate", "--noinput", "--verbosity", "0")  # the code's schema
    else:
        sentences = [str(p) for p in sorted(SHARED.glob("*.jsonl.gz"))]
        env = stack.prepare(
            args.database, articles=args.articles, readers=args.readers, sentences=sentences
        )
        prepared.write_text(f"{args.articles} {args.readers}\n")

    fx = fixture(env)
    measured = pages(fx)
    rows = []
    allowance = ExportAllowance(args.database)
    with stack.Gunicorn(env) as server, stack.TaskWorker(env):
        for label, path, cookie, form in measured:
            before = allowance if path.startswith("/privacy/export") else None
            status, times = time_page(server.port, path, cookie, args.requests, form, before)
            rows.append((label, status, statistics.median(times), percentile(times, 95)))
            stack.say(f"{label}: HTTP {status}, p50 {rows[-1][2]:.1f} ms, p95 {rows[-1][3]:.1f} ms")
        loops = {}
        for label, path, cookie, _ in (measured[0], measured[1], measured[3]):
            loops[label] = wrk(
                binary,
                server.port,
                path,
                cookie,
                connections=args.connections,
                seconds=args.seconds,
            )
            stack.say(f"wrk {label}: {loops[label]['rps']:.0f} req/s")
        workers = memory(server)
    queries = count_queries(env, measured)

    limit = loops["/healthz"]["rps"] or 1
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}): {args.articles:,} generated articles + demo, "
        f"{args.readers:,} readers, PostgreSQL, gunicorn 3 workers x 6 threads, production "
        f"settings; one client, {args.requests} requests a page; wrk {args.connections} "
        f"connections x {args.seconds} s.",
        "",
        "| page | HTTP | p50 ms | p95 ms | target p95 | queries |",
        "|---|---|---|---|---|---|",
    ]
    failed = []
    for label, status, p50, p95 in rows:
        target = TARGETS_MS.get(label)
        ok = target is None or (p95 <= target and status == 200)
        if not ok:
            failed.append(label)
        lines.append(
            f"| `{label}` | {status} | {p50:.1f} | {p95:.1f} | "
            f"{'' if target is None else f'≤ {target}'}{'' if ok else ' **missed**'} | "
            f"{queries.get(label, '?')} |"
        )
    lines += ["", "| closed loop (wrk) | req/s | share of `/healthz` | target |"]
    lines += ["|---|---|---|---|"]
    for label, goal in (("/healthz", None), ("/top/ (anonymous)", 0.5), ("/ (For you)", 0.3)):
        share = loops[label]["rps"] / limit
        ok = goal is None or share >= goal
        if not ok:
            failed.append(f"{label} throughput")
        bad = loops[label]["non_2xx"]
        lines.append(
            f"| `{label}` | {loops[label]['rps']:.0f}{f' ({bad} non-2xx)' if bad else ''} | "
            f"{share:.0%} | {'' if goal is None else f'≥ {goal:.0%}'}"
            f"{'' if ok else ' **missed**'} |"
        )
    lines += ["", "| worker | RSS MB | PSS MB (shared pages counted once) | target RSS |"]
    lines += ["|---|---|---|---|"]
    for pid, rss, pss in workers:
        ok = rss <= RSS_TARGET_MB
        if not ok:
            failed.append(f"worker {pid} RSS")
        lines.append(f"| {pid} | {rss} | {pss} | ≤ {RSS_TARGET_MB}{'' if ok else ' **missed**'} |")
    table = "\n".join(lines)
    print("\n" + table + "\n")
    if not args.no_write:
        write_doc(table)
    if failed:
        print("BENCH-WEB: targets missed: " + ", ".join(failed))
        return 1
    print("BENCH-WEB: every target met")
    return 0


def write_doc(table: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n## Whole pages at scale (`make bench-web`)\n\n" + block + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
