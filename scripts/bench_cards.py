"""Milliseconds per page of cards, rendered in-process with production settings.

Not a test and not the whole-stack benchmark (``make bench-web``): it times pages of 20
cards through Django's test client on an existing database, to see what rendering the
cards costs. Prepare a database first, for example::

    export DATABASE_URL=sqlite:///$PWD/var/cards-bench.sqlite3
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_demo
    .venv/bin/python manage.py generate_articles 3000
    .venv/bin/python scripts/bench_cards.py --runs 50

The development keys are used unless the environment gives others, so the demo data
written in development can be read with ``DJANGO_DEBUG=0``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The development defaults of newsapp/settings.py, so data written by `make run` decrypts.
DEV_KEYS = {
    "DJANGO_SECRET_KEY": "bench-cards-only-not-a-secret-" + "x" * 30,
    "DJANGO_FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQtZW5jcnlwdGlvbi1rZXkhISE=",
    "DJANGO_LEDGER_SIGNING_KEY": "ZGV2LW9ubHktbGVkZ2VyLXNpZ25pbmcta2V5LTMyYiE=",
    "DJANGO_PSEUDONYM_KEY": "ZGV2LW9ubHktcHNldWRvbnltLWtleS0zMi1ieXRlcyE=",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reader", default="reader@example.com")
    args = parser.parse_args()
    for name, value in DEV_KEYS.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SITE_URL", "https://localhost")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsapp.settings")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    anonymous = Client(secure=True, HTTP_X_FORWARDED_PROTO="https")
    signed_in = Client(secure=True, HTTP_X_FORWARDED_PROTO="https")
    reader = get_user_model().objects.filter(email=args.reader).first()
    pages = [("anonymous", anonymous, "/latest/"), ("anonymous", anonymous, "/top/")]
    if reader is not None:
        signed_in.force_login(reader)
        pages += [(args.reader, signed_in, p) for p in ("/latest/", "/top/", "/")]
    print(f"{'who':<22} {'page':<10} {'median ms':>10} {'mean ms':>9} {'min ms':>8}")
    for who, client, path in pages:
        response = client.get(path)  # warm: first-request costs (index load, caches)
        assert response.status_code == 200, (path, response.status_code)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        print(
            f"{who:<22} {path:<10} {statistics.median(times):>10.1f} "
            f"{statistics.fmean(times):>9.1f} {min(times):>8.1f}"
        )


if __name__ == "__main__":
    main()
