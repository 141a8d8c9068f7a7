"""`make outage`: stop PostgreSQL for 10 s under load and prove the app rides it out.

While locust's signed-in readers run against gunicorn, PostgreSQL is stopped (fast
shutdown: open connections are cut mid-request) and started again 10 s later. Checked:
- during the outage every page answers 503 with the site's own page and no traceback,
  and /healthz answers 503 (probed twice a second, anonymous and signed in);
- afterwards /healthz and the pages answer 200 again with the same gunicorn master and
  workers (no restart), and locust sees no failure after recovery;
- every request that failed, failed as the styled 503 (no 500, no dropped connection);
- every consent change acknowledged to a reader is in the ledger, which still verifies.
PostgreSQL is started again whatever happens (finally, and on SIGTERM/SIGINT).
"""

import argparse
import json
import signal
import subprocess
import sys
import time

import stack
from check_ledger import check_acknowledged

PROBES = [
    ("anonymous", "/top/"),
    ("anonymous", "/"),
    ("anonymous", "/articles/{slug}/"),
    ("signed-in", "/"),
    ("signed-in", "/privacy/"),
    ("signed-in", "/topics/"),
]


def probe(port: int, readers: dict, who: str, path: str) -> tuple[int, str]:
    reader = readers["readers"][0]
    cookie = f"__Host-sessionid={reader['session']}" if who == "signed-in" else ""
    try:
        status, body, _ = stack.request(
            port, path.format(slug=readers["articles"][0]), cookie=cookie, timeout=15
        )
    except OSError as error:
        return 0, f"connection error: {error}"
    return status, body


def styled_503(status: int, body: str) -> bool:
    return status == 503 and "Back in a moment" in body and "Traceback" not in body


def _stop(signum, frame):
    raise SystemExit(f"interrupted by signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="CI scale: 10 readers.")
    parser.add_argument("--users", type=int)
    parser.add_argument("--articles", type=int)
    parser.add_argument("--outage", type=int, default=10, help="Seconds PostgreSQL is down.")
    parser.add_argument("--database", default="newsapp_load")
    args = parser.parse_args()
    users = args.users or (10 if args.small else 50)
    articles = args.articles if args.articles is not None else (1000 if args.small else 10000)
    warm, recovery = (8, 12) if args.small else (15, 20)
    signal.signal(signal.SIGTERM, _stop)
    problems: list[str] = []

    env = stack.prepare(args.database, articles=articles, readers=users)
    readers = json.loads((stack.VAR / "readers.json").read_text())
    started = time.time()
    try:
        with stack.Gunicorn(env) as server:
            master, workers = server.process.pid, server.worker_pids()
            seconds = warm + args.outage + recovery + 5
            stack.say(f"locust: {users} signed-in readers for {seconds} s")
            locust = subprocess.Popen(
                [
                    stack.PYTHON,
                    "-c",
                    "import sys, stack; sys.exit(stack.run_locust("
                    f"{server.port}, users={users}, seconds={seconds}, label='outage'))",
                ],
                cwd=stack.ROOT / "scripts" / "load",
            )
            time.sleep(warm)

            stack.say(f"stopping PostgreSQL for {args.outage} s")
            down_at = time.time()
            stack.pg_ctl("stop")
            stopped_at = time.time()
            seen: dict[str, list[int]] = {}
            while time.time() - stopped_at < args.outage:
                for who, path in [*PROBES, ("anonymous", "/healthz")]:
                    status, body = probe(server.port, readers, who, path)
                    seen.setdefault(f"{who} {path}", []).append(status)
                    good = status == 503 if path == "/healthz" else styled_503(status, body)
                    if not good:
                        problems.append(f"during the outage {who} {path} answered {status}")
                time.sleep(0.5)
            stack.say("starting PostgreSQL")
            stack.pg_ctl("start")
            up_at = time.time()
            while time.time() - up_at < 60:
                if probe(server.port, readers, "anonymous", "/healthz")[0] == 200:
                    break
                time.sleep(0.2)
            recovered_at = time.time()
            after = {
                f"{who} {path}": probe(server.port, readers, who, path)[0] for who, path in PROBES
            }
            locust_code = locust.wait()
            same = server.process.poll() is None and server.worker_pids() == workers
            if not same:
                problems.append("gunicorn restarted a process (master or workers changed)")
            if any(status != 200 for status in after.values()):
                problems.append(f"after recovery: {after}")
    finally:
        stack.ensure_postgres()

    failures = [
        json.loads(line) for line in (stack.VAR / "outage-failures.jsonl").read_text().splitlines()
    ]
    window = (down_at - 1, recovered_at + 2)
    outside = [f for f in failures if not window[0] <= f["t"] <= window[1]]
    unstyled = [f for f in failures if f["status"] != 503 or not f["styled_503"] or f["traceback"]]
    if outside:
        problems.append(f"{len(outside)} failures outside the outage window, e.g. {outside[0]}")
    if unstyled:
        problems.append(f"{len(unstyled)} failures not the styled 503, e.g. {unstyled[0]}")
    acks = [json.loads(x) for x in (stack.VAR / "outage-acks.jsonl").read_text().splitlines()]
    before = sum(1 for a in acks if a["t"] < down_at)
    ledger_ok = check_acknowledged(env, stack.VAR / "outage-acks.jsonl", since=started)
    if not ledger_ok:
        problems.append("an acknowledged consent change is missing, or the ledger is broken")
    summary = json.loads((stack.VAR / "outage-summary.json").read_text())

    print(f"\nOUTAGE RESULT: {users} readers, PostgreSQL down {up_at - stopped_at:.1f} s")
    for name, statuses in seen.items():
        counts = {s: statuses.count(s) for s in sorted(set(statuses))}
        print(f"  during the outage  {name:<28} {counts}")
    print(f"  /healthz 200 again {recovered_at - up_at:.1f} s after PostgreSQL started")
    for name, status in after.items():
        print(f"  after recovery     {name:<28} {status}")
    print(
        f"  gunicorn: same master (pid {master}) and {len(workers)} workers, no restart: "
        f"{'yes' if same else 'NO'}"
    )
    print(
        f"  locust: {summary['requests']} requests, {summary['failures']} failed, all of "
        f"them styled 503s inside the outage: {'yes' if not outside and not unstyled else 'NO'}"
        f" (exit {locust_code})"
    )
    print(
        f"  consent changes acknowledged: {len(acks)} ({before} before the outage), "
        f"all in the ledger after it: {'yes' if ledger_ok else 'NO'}"
    )
    if problems:
        print("OUTAGE FAILED:\n  " + "\n  ".join(problems[:20]))
        return 1
    print("OUTAGE PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
