"""The production-shaped stack the load, outage and restore scripts run against.

gunicorn with ``DJANGO_DEBUG=0`` on a scratch PostgreSQL database (never ``test``), keys
generated once into ``var/load/keys.json`` (so the restore drill can decrypt what the load
run encrypted), static files collected for whitenoise's manifest storage.

Plain HTTP on localhost stands in for TLS: every request carries
``X-Forwarded-Proto: https``, which the production settings already trust
(``SECURE_PROXY_SSL_HEADER``), so the SSL redirect, Secure ``__Host-`` cookies, HSTS and
the CSRF origin check all stay exactly as in production. No setting is weakened for the
load run.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "load"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
FORWARDED = {"X-Forwarded-Proto": "https"}


def say(message: str) -> None:
    print(f"== {message}", flush=True)


def pg_cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def pg_ready() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", PG["host"], "-p", PG["port"]], check=False
        ).returncode
        == 0
    )


def pg_ctl(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_cluster(), "main", action], check=True
    )


def ensure_postgres() -> None:
    """Start PostgreSQL if it is stopped (CI machines and an interrupted outage run)."""
    if pg_ready():
        return
    say("PostgreSQL is not running: starting it")
    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl("start")
    for _ in range(60):
        if pg_ready():
            return
        time.sleep(0.5)
    raise SystemExit("PostgreSQL did not start")


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        [
            "psql",
            "-h",
            PG["host"],
            "-p",
            PG["port"],
            "-U",
            PG["user"],
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-Atqc",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def recreate_database(name: str) -> None:
    if name in {"test", "postgres", "root", "template0", "template1"}:
        raise SystemExit(f"refusing to drop the database {name!r}")
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')


def database_url(name: str) -> str:
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def keys() -> dict[str, str]:
    """Production secrets for the scratch stack, made once and kept in var/load/."""
    path = VAR / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    VAR.mkdir(parents=True, exist_ok=True)
    values = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_PSEUDONYM_KEY": _key(),
        "DJANGO_FIELD_ENCRYPTION_KEYS": f"{_key()},{_key()}",
        "DJANGO_LEDGER_SIGNING_KEY": _key(),
    }
    path.touch(mode=0o600)
    path.write_text(json.dumps(values, indent=2))
    return values


def django_env(database: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        **keys(),
        "DJANGO_SETTINGS_MODULE": "newsapp.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url(database),
        # Persistent, health-checked connections, as production runs them.
        "DJANGO_CONN_MAX_AGE": "60",
        "NEWSAPP_INDEX_DIR": str(VAR / "index" / database),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("REDIS_URL", None)  # the shared cache is the load database itself
    return env


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def database_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"


def prepare(
    database: str, *, articles: int, readers: int, sentences: list[str] | None = None
) -> dict[str, str]:
    """A fresh scratch database with the demo data, generated articles and readers;
    ``sentences`` are corpora whose real prose is mixed into the generated articles."""
    ensure_postgres()
    started = time.monotonic()
    say(f"fresh database {database}: demo data + {articles} articles + {readers} readers")
    recreate_database(database)
    env = django_env(database)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "load_demo", quiet=True)
    prose = [arg for path in sentences or () for arg in ("--prose", path)]
    manage(env, "generate_articles", str(articles), "--verbosity", "0", *prose)
    subprocess.run(
        [PYTHON, str(ROOT / "scripts" / "load" / "seed_readers.py"), str(readers)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # Statistics for the planner after the bulk load, as autovacuum would give them some
    # minutes later: without them it takes a 100,000-row table for an empty one.
    psql("VACUUM ANALYZE", database)
    # As an operator does once at installation: sign the ledger's first checkpoint, so the
    # daily verification (and check_ledger after the run) has a signed head to start from.
    manage(env, "verify_consent_ledger", "--checkpoint", "--first", quiet=True)
    say(f"prepared in {time.monotonic() - started:.0f} s")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(
    port: int,
    path: str,
    *,
    cookie: str = "",
    timeout: float = 10,
    form: dict[str, str] | None = None,
) -> tuple[int, str, dict[str, str]]:
    """A GET, or with ``form`` a POST of it from this origin (as a browser sends it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = dict(FORWARDED)
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{port}"
        connection.request("POST" if form is not None else "GET", path, body, headers=headers)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, body, dict(response.getheaders())
    finally:
        connection.close()


class Gunicorn:
    """gunicorn in the background; ended by its own pid, never by name."""

    def __init__(self, env: dict[str, str], *, workers: int = 3, threads: int = 6) -> None:
        self.env, self.workers, self.threads = env, workers, threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = VAR / "gunicorn.log"

    def __enter__(self) -> Gunicorn:
        VAR.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "newsapp.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(self.threads),
                "--timeout",
                "60",
                "--graceful-timeout",
                "10",
                "--backlog",
                "256",
                # Longer than a reader's pause between requests, as behind a load
                # balancer: otherwise gunicorn closes an idle keep-alive connection just
                # as the client sends on it, and the request fails with no answer.
                "--keep-alive",
                "75",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for _ in range(240):
            if self.process.poll() is not None:
                sys.stdout.write(self.log.read_text()[-3000:])
                raise SystemExit("gunicorn exited during start-up")
            with contextlib.suppress(OSError):
                if request(self.port, "/healthz", timeout=2)[0] == 200:
                    say(
                        f"gunicorn on 127.0.0.1:{self.port}: {self.workers} workers x "
                        f"{self.threads} threads (pid {self.process.pid})"
                    )
                    return self
            time.sleep(0.5)
        raise SystemExit("gunicorn did not answer /healthz")

    def worker_pids(self) -> set[int]:
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    children.add(int(stat.parent.name))
        return children

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class TaskWorker:
    """The production task worker, ``manage.py db_worker`` (django-tasks-db), beside
    gunicorn: index refreshes, feed fetches, topic suggestions and purges queued by the
    app run here, never in a web request. Ended by its own pid, never by name."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen | None = None
        self.log = VAR / "db_worker.log"

    def __enter__(self) -> TaskWorker:
        VAR.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "1"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        say(f"task worker: manage.py db_worker (pid {self.process.pid})")
        return self

    def results(self) -> dict[str, int]:
        """How many queued tasks ended in each state (the queue's own table)."""
        code = (
            "import json; from django.db.models import Count; "
            "from django_tasks_db.models import DBTaskResult; "
            "print(json.dumps(dict(DBTaskResult.objects.values_list('status')"
            ".annotate(n=Count('id')).order_by())))"
        )
        out = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        lines = out.strip().splitlines()
        return json.loads(lines[-1]) if lines else {}

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_locust(
    port: int, *, users: int, seconds: int, label: str, extra_env: dict[str, str] | None = None
) -> int:
    env = {
        **os.environ,
        "LOAD_READERS_FILE": str(VAR / "readers.json"),
        "LOAD_ACKS_FILE": str(VAR / f"{label}-acks.jsonl"),
        "LOAD_FAILURES_FILE": str(VAR / f"{label}-failures.jsonl"),
        "LOAD_SUMMARY_FILE": str(VAR / f"{label}-summary.json"),
        **(extra_env or {}),
    }
    return subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "scripts" / "load" / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--host",
            f"http://127.0.0.1:{port}",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(VAR / label),
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=False,
    ).returncode
