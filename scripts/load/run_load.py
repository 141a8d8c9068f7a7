"""`make load`: 50 signed-in readers against gunicorn + PostgreSQL for 60 s, zero errors.

A fresh scratch database (``newsapp_load``) gets the demo data, generated articles and
seeded readers; gunicorn serves it with production settings; locust drives it headless.
Prints p50/p95/p99 and requests per second; exits non-zero on any failed request or on an
acknowledged consent change missing from the ledger. ``--small`` is the CI scale.
"""

import argparse
import json
import sys
import time

import stack
from check_ledger import check_acknowledged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="CI scale: 10 readers, 15 s.")
    parser.add_argument("--users", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--articles", type=int)
    parser.add_argument("--database", default="newsapp_load")
    args = parser.parse_args()
    users = args.users or (10 if args.small else 50)
    seconds = args.seconds or (15 if args.small else 60)
    articles = args.articles if args.articles is not None else (1000 if args.small else 10000)

    env = stack.prepare(args.database, articles=articles, readers=users)
    started = time.time()
    with stack.Gunicorn(env) as server, stack.TaskWorker(env) as worker:
        stack.say(f"locust: {users} signed-in readers for {seconds} s")
        code = stack.run_locust(server.port, users=users, seconds=seconds, label="load")
        tasks = worker.results()
    summary = json.loads((stack.VAR / "load-summary.json").read_text())
    ledger_ok = check_acknowledged(env, stack.VAR / "load-acks.jsonl", since=started)
    print(
        f"\nLOAD RESULT: {users} readers, {seconds} s, {articles} generated articles + demo\n"
        f"  requests {summary['requests']}, failures {summary['failures']}, "
        f"{summary['rps']} requests/s\n"
        f"  p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
        f"p99 {summary['p99_ms']} ms, max {summary['max_ms']} ms\n"
        f"  consent changes acknowledged {summary['acknowledged_consent_changes']}, "
        f"all in the ledger: {'yes' if ledger_ok else 'NO'}\n"
        f"  task worker (db_worker): {tasks or 'no task queued'}"
    )
    failed_tasks = tasks.get("FAILED", 0)
    if code != 0 or summary["failures"] or not ledger_ok or failed_tasks:
        print("LOAD FAILED")
        return 1
    print("LOAD PASSED: zero errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
