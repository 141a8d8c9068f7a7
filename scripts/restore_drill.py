"""`make restore-drill`: prove a backup of the PostgreSQL database can be restored.

Dumps the load-test database (``newsapp_load``; made fresh with demo data, articles and
readers if it is not there), restores the dump into a scratch database, and checks the
copy: ``migrate --check`` (no migration missing), the row count of every table equal to
the original's, a sample of encrypted values (reader keywords, regions, MFA secrets)
decrypting with the keys to the same plaintext as in the original, and the consent
ledger's hash chain verifying. Prints the time each step took and the total.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))

import stack

SAMPLE = """
import hashlib, json
from allauth.mfa.models import Authenticator
from accounts.adapters import MFAAdapter
from newsapp.models import ReaderLocation, ReaderPreferences

def digest(values):
    return {"count": len(values), "sha256": hashlib.sha256("\\n".join(values).encode()).hexdigest()}

keywords = [p.keywords for p in ReaderPreferences.objects.exclude(keywords="").order_by("pk")[:50]]
regions = [r.region for r in ReaderLocation.objects.order_by("pk")[:50]]
secrets = [
    MFAAdapter().decrypt(a.data["secret"])
    for a in Authenticator.objects.filter(type="totp").order_by("pk")[:50]
]
print(json.dumps({
    "ReaderPreferences.keywords": digest(keywords),
    "ReaderLocation.region": digest(regions),
    "MFA TOTP secrets": digest(secrets),
}))
"""


def row_counts(database: str) -> dict[str, int]:
    tables = stack.psql(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
        database,
    ).split()
    query = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)
    rows = stack.psql(query, database).splitlines()
    return {name: int(count) for name, count in (row.split("|") for row in rows)}


def decrypted_sample(env: dict[str, str]) -> dict:
    done = subprocess.run(
        [stack.PYTHON, "-c", "import django; django.setup()\n" + SAMPLE],
        cwd=stack.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class Steps:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.times: list[tuple[str, float]] = []

    def run(self, name: str, action):
        began = time.monotonic()
        result = action()
        self.times.append((name, time.monotonic() - began))
        stack.say(f"{name}: {self.times[-1][1]:.1f} s")
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", default="newsapp_load")
    parser.add_argument("--target", default="newsapp_restore_drill")
    args = parser.parse_args()
    stack.ensure_postgres()
    exists = stack.psql(f"SELECT 1 FROM pg_database WHERE datname = '{args.source}'")
    if not exists.strip() or not (stack.VAR / "keys.json").exists():
        stack.prepare(args.source, articles=1000, readers=10)
    source_env, target_env = stack.django_env(args.source), stack.django_env(args.target)
    dump = stack.VAR / "restore-drill.dump"
    steps, problems = Steps(), []

    def pg(*command: str) -> None:
        base = ["-h", stack.PG["host"], "-p", stack.PG["port"], "-U", stack.PG["user"]]
        subprocess.run([command[0], *base, *command[1:]], check=True)

    # A signed checkpoint of the ledger head, so the copy is checked against a signature
    # made before the dump, not only against its own chain.
    steps.run(
        "sign a ledger checkpoint",
        # --first: the scratch source database may not have a checkpoint yet.
        lambda: stack.manage(
            source_env, "verify_consent_ledger", "--checkpoint", "--first", quiet=True
        ),
    )
    steps.run("pg_dump (custom format)", lambda: pg("pg_dump", "-Fc", "-f", str(dump), args.source))
    steps.run("scratch database", lambda: stack.recreate_database(args.target))
    steps.run(
        "pg_restore",
        lambda: pg("pg_restore", "--no-owner", "--exit-on-error", "-d", args.target, str(dump)),
    )
    try:
        steps.run("migrate --check", lambda: stack.manage(target_env, "migrate", "--check"))
    except subprocess.CalledProcessError:
        problems.append("migrate --check: the restored schema is missing migrations")

    original, restored = steps.run(
        "row counts", lambda: (row_counts(args.source), row_counts(args.target))
    )
    differ = {t: (n, restored.get(t)) for t, n in original.items() if restored.get(t) != n}
    if differ or set(restored) != set(original):
        problems.append(f"row counts differ: {differ}")
    sample_before, sample_after = steps.run(
        "decrypt a sample", lambda: (decrypted_sample(source_env), decrypted_sample(target_env))
    )
    if sample_before != sample_after:
        problems.append("decrypted values differ between the original and the copy")
    try:
        steps.run(
            "verify_consent_ledger",
            lambda: stack.manage(target_env, "verify_consent_ledger"),
        )
    except subprocess.CalledProcessError:
        problems.append("the restored consent ledger does not verify")
    stack.psql(f'DROP DATABASE IF EXISTS "{args.target}" WITH (FORCE)')

    total = time.monotonic() - steps.started
    print(f"\nRESTORE DRILL: {args.source} -> {args.target}, dump {dump.stat().st_size:,} bytes")
    print(
        f"  tables {len(original)}, rows {sum(original.values()):,} in the original, "
        f"{sum(restored.values()):,} restored, tables that differ: {len(differ)}"
    )
    for name, digest in sample_after.items():
        same = sample_before.get(name) == digest
        print(f"  decrypted {digest['count']:>3} {name:<28} same as the original: {same}")
    for name, seconds in steps.times:
        print(f"  {name:<26} {seconds:6.1f} s")
    print(f"  total                      {total:6.1f} s")
    if problems:
        print("RESTORE DRILL FAILED:\n  " + "\n  ".join(problems))
        return 1
    print("RESTORE DRILL PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
