"""Show the exposure audit and a finished experiment on the demo newsroom (a scratch
database: never run it on one that real readers use).

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python manage.py createcachetable
    DATABASE_URL=... .venv/bin/python manage.py load_demo
    DATABASE_URL=... .venv/bin/python scripts/demo_audit_experiment.py --svg docs/audit

It adds synthetic readers (random followed topics and weights; most allow anonymous
statistics, some leave experiments), runs ``manage.py audit_recommendations``, then defines
an experiment that ran for four days, ending four days ago, with two versions of the ranking and
simulates what its readers did each day through the real counting code
(``experiments.outcome_record``: analytics only, per-reader daily cap), with readers of the
fresher version opening a little more. Finally it releases the results through the
privacy budget, as the editors' page does, and prints them in words.
"""

import argparse
import os
import random
import sys
from datetime import datetime, time, timedelta
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsapp.settings")
django.setup()

import time_machine  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from consent.services import consent_grant  # noqa: E402
from newsapp import experiment_results, experiments  # noqa: E402
from newsapp.models import (  # noqa: E402
    Experiment,
    ExperimentArm,
    ReaderPreferences,
    Topic,
    TopicFollow,
)

OPEN_RATE = {"A": 0.9, "B": 1.6}  # simulated articles opened from the feed per reader a day


def add_readers(count: int, rng: random.Random) -> list:
    User = get_user_model()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"demo-audit-{n:04d}@example.test", password=unusable) for n in range(count)]
    )
    topics = list(Topic.objects.order_by("slug"))
    # Readers lean towards a few topics, as real ones do: the audit has something to find.
    popular = topics[:4]
    follows = []
    for user in users:
        chosen = set(rng.sample(popular, k=rng.randint(1, 2)))
        if rng.random() < 0.4:
            chosen.add(rng.choice(topics))
        follows += [TopicFollow(user=user, topic=t, weight=rng.choice((1, 2, 3))) for t in chosen]
    TopicFollow.objects.bulk_create(follows)
    ReaderPreferences.objects.bulk_create(
        [ReaderPreferences(user=u, explore=rng.random() < 0.85) for u in users]
    )
    allowing = [u for u in users if rng.random() < 0.8]
    for user in allowing:
        consent_grant(user=user, purpose="analytics", method="signup")
    return allowing


def simulate(experiment: Experiment, readers: list, rng: random.Random) -> None:
    day = experiment.starts_on
    leavers = set(rng.sample([u.pk for u in readers], k=len(readers) // 20))
    while day <= experiment.ends_on:
        noon = timezone.make_aware(datetime.combine(day, time(12)))
        with time_machine.travel(noon, tick=False):
            experiments.reset_cache()
            for user in readers:
                if user.pk in leavers and day > experiment.starts_on + timedelta(days=2):
                    continue
                found = experiments.current_arm(user_id=user.pk)
                if found is None:
                    continue
                opened = min(8, int(rng.expovariate(1 / OPEN_RATE[found[1].name])))
                for _ in range(opened):
                    experiments.outcome_record(user=user, kind=experiments.Kind.OPENED)
                if rng.random() < 0.15:
                    kind = experiments.Kind.MORE if rng.random() < 0.7 else experiments.Kind.LESS
                    experiments.outcome_record(user=user, kind=kind)
            if day == experiment.starts_on + timedelta(days=2):
                for user in readers:
                    if user.pk in leavers:
                        experiments.experiments_participation_set(user=user, taking_part=False)
        day += timedelta(days=1)
    experiments.reset_cache()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--svg", help="Write the audit's charts here too.")
    args = parser.parse_args()
    if not settings.DEBUG:
        sys.exit("Refusing to add synthetic readers with DJANGO_DEBUG=0.")
    rng = random.Random(18)
    readers = add_readers(args.readers, rng)
    print(f"Added {args.readers} synthetic readers ({len(readers)} allow anonymous statistics).")

    print("\n$ manage.py audit_recommendations" + (f" --svg {args.svg}" if args.svg else ""))
    call_command("audit_recommendations", *(["--svg", args.svg] if args.svg else []), verbosity=0)

    today = timezone.localdate()
    experiment = Experiment.objects.create(
        name="Fresher first",
        description="Does a shorter freshness half-life make readers open more of their feed?",
        starts_on=today - timedelta(days=7),
        ends_on=today - timedelta(days=4),
    )
    ExperimentArm.objects.create(
        experiment=experiment, name="A", position=0, description="The usual ranking."
    )
    ExperimentArm.objects.create(
        experiment=experiment,
        name="B",
        position=1,
        half_life_hours=24,
        description="Stories lose half their freshness in a day instead of three.",
    )
    simulate(experiment, readers, rng)
    release = experiment_results.experiment_release(
        experiment=experiment, staff_label="Editors (demo script)"
    )
    found = experiment_results.results(experiment, release)
    print(f"\nExperiment “{experiment.name}”, {experiment.starts_on} to {experiment.ends_on}:")
    print(("Result" if found.final else "Interim look") + f". {found.noise}")
    print(found.stopping_rule)
    fewer = f"fewer than {settings.DP_MIN_SHOWN}"
    for arm in found.arms:
        rates = ", ".join(
            f"{label}: {rate.count if rate.count is not None else fewer}"
            for label, rate in zip(found.kind_labels, arm.rows, strict=True)
        )
        print(f"  {arm.name} ({arm.description}) readers {arm.readers or fewer}; {rates}")
    for sentence in found.comparisons:
        print(f"  - {sentence[0].upper()}{sentence[1:]}")


if __name__ == "__main__":
    main()
