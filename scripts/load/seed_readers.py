"""Create N signed-in readers in bulk for the load test, and warm the recommender index.

Each reader has a verified e-mail, three to five followed topics with weights, typed
keywords (encrypted at rest), consent answers in the ledger (some with a region, stored
encrypted) and a server-side session as Django's ``login()`` leaves it, so the simulated
readers start signed in without 50 password logins tripping the (shared, per-IP) sign-in
rate limit. One editor with a TOTP secret (encrypted through the MFA adapter) gives the
restore drill an MFA secret to decrypt. Writes ``var/load/readers.json`` for locust.

Run by scripts/load/stack.py with the scratch database's environment.
"""

import json
import random
import secrets
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from accounts.middleware import SEEN_AT, SIGNED_IN_AT  # noqa: E402
from consent import reconsent  # noqa: E402
from consent.models import ConsentEvent  # noqa: E402
from consent.pseudonyms import pseudonym_for  # noqa: E402
from consent.services import consents_answer  # noqa: E402
from newsapp import ranking  # noqa: E402
from newsapp.models import (  # noqa: E402
    Article,
    ArticleFeedback,
    ReaderLocation,
    ReaderPreferences,
    ReadingEvent,
    Region,
    Topic,
    TopicFollow,
)

OUT = Path(__file__).resolve().parents[2] / "var" / "load" / "readers.json"
KEYWORDS = ["tram", "heat pumps", "elections", "vaccines", "football", "housing", "rail"]


def main(count: int) -> None:
    rng = random.Random(7)
    User = get_user_model()
    topics = list(Topic.objects.all())
    regions = list(Region.objects.all())
    unusable = make_password(None)  # they never type a password: sessions are made here
    users = User.objects.bulk_create(
        [User(email=f"load-reader-{n:03d}@example.test", password=unusable) for n in range(count)]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    ReaderPreferences.objects.bulk_create(
        [ReaderPreferences(user=u, keywords=", ".join(rng.sample(KEYWORDS, 2))) for u in users]
    )
    TopicFollow.objects.bulk_create(
        [
            TopicFollow(user=u, topic=t, weight=rng.choice((1, 2, 2, 3)))
            for u in users
            for t in rng.sample(topics, k=min(len(topics), rng.randint(3, 5)))
        ]
    )
    readers = []
    now = int(time.time())
    for n, user in enumerate(users):
        local = bool(regions) and n % 3 == 0
        answers = {"personalize_history": n % 2 == 0, "analytics": n % 4 == 0, "location": local}
        consents_answer(user=user, answers=answers, method=ConsentEvent.Method.SIGNUP)
        if local:
            ReaderLocation.objects.create(user=user, region=rng.choice(regions).slug)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SIGNED_IN_AT] = session[SEEN_AT] = now
        session[reconsent.SESSION_KEY] = {"needed": False, "checked": time.time()}
        session.create()
        readers.append(
            {"user_id": user.pk, "session": session.session_key, "csrf": secrets.token_hex(16)}
        )

    editor, _ = User.objects.get_or_create(
        email="load-editor@example.test", defaults={"is_staff": True, "password": unusable}
    )
    TOTP.activate(editor, generate_totp_secret())

    slugs = list(Article.objects.published().order_by("?").values_list("slug", flat=True)[:3000])
    if users:
        heavy_reader(users[0], rng)
    started = time.monotonic()
    index, _ = ranking.build_now()  # built and saved once; every gunicorn worker maps it
    print(
        f"  {count} readers with sessions; recommender index of {len(index.doc_ids)} "
        f"articles built in {time.monotonic() - started:.1f} s"
    )
    heavy = readers[0] if readers else None
    OUT.write_text(json.dumps({"readers": readers, "articles": slugs, "heavy": heavy}))


def heavy_reader(user, rng: random.Random) -> None:
    """The first reader has used the site for a year: 300 feedback marks and 2,000 reading
    days (they allowed history), the export the benchmark times."""
    ids = list(Article.objects.published().order_by("?").values_list("pk", flat=True)[:2300])
    ArticleFeedback.objects.bulk_create(
        [
            ArticleFeedback(
                user=user,
                article_id=pk,
                kind=ArticleFeedback.Kind.MORE if rng.random() < 0.7 else ArticleFeedback.Kind.LESS,
            )
            for pk in ids[:300]
        ]
    )
    pseudonym = pseudonym_for(user.pk)
    today = time.gmtime()
    days = [f"{today.tm_year - 1}-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)]
    ReadingEvent.objects.bulk_create(
        [
            ReadingEvent(pseudonym=pseudonym, article_id=pk, day=rng.choice(days))
            for pk in ids[300:]
        ],
        ignore_conflicts=True,
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
