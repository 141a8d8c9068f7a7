"""Every consent change acknowledged to a reader is in the ledger, and the chain verifies.

An acknowledgement is the 302 back to the dashboard that the reader's browser got from
``POST /privacy/consents/``; locust wrote each one to a JSONL file. For every reader,
purpose and direction (grant or withdraw) the ledger must hold at least as many events
since the run started as were acknowledged (a change that committed but whose answer was
lost in the outage may add more, never fewer). Then ``verify_consent_ledger`` must pass.
"""

import json
import subprocess
from collections import Counter
from pathlib import Path

import stack

QUERY = """
import json, sys
from datetime import datetime, timezone
from collections import Counter
from consent.models import ConsentEvent
since = datetime.fromtimestamp(float(sys.argv[-1]), tz=timezone.utc)
rows = ConsentEvent.objects.filter(created_at__gte=since, subject__isnull=False)
counts = Counter(
    f"{r.subject_id}|{r.purpose}|{int(r.granted)}"
    for r in rows.only("subject_id", "purpose", "granted")
)
print(json.dumps(counts))
"""


def check_acknowledged(env: dict[str, str], acks_file: Path, *, since: float) -> bool:
    acked = Counter(
        f"{a['user_id']}|{a['purpose']}|{int(a['granted'])}"
        for a in map(json.loads, acks_file.read_text().splitlines())
    )
    done = subprocess.run(
        [stack.PYTHON, "-c", "import django; django.setup()\n" + QUERY, str(since - 1)],
        cwd=stack.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    in_db = Counter(json.loads(done.stdout.strip().splitlines()[-1]))
    missing = {key: n - in_db[key] for key, n in acked.items() if in_db[key] < n}
    print(
        f"  ledger: {sum(acked.values())} acknowledged consent changes, "
        f"{sum(in_db.values())} events in the ledger since the start, "
        f"{sum(missing.values())} missing"
    )
    for key, n in sorted(missing.items())[:10]:
        print(f"    MISSING {n} x reader|purpose|granted = {key}")
    verify = subprocess.run(
        [stack.PYTHON, "manage.py", "verify_consent_ledger"], cwd=stack.ROOT, env=env, check=False
    )
    return not missing and verify.returncode == 0
