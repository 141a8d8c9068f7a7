"""Ranking experiments on pseudonyms: who gets which version, and what is counted.

A reader takes part only while they allow ``analytics``, have not left experiments and
have not paused personalization. Their arm is ``HMAC(pseudonym key, experiment id +
pseudonym)`` modulo the number of arms: stable for the whole run, different per
experiment, and stored nowhere (there is no assignment table). Everyone else gets the
newsroom's usual ranking.

Outcomes are counts per arm, day and kind, with no identifier; each reader adds at most
``EXPERIMENT_MAX_OUTCOMES_PER_READER_PER_DAY`` per experiment and day (the quota counter of
``newsapp.history``), which bounds what the released results must hide
(``newsapp.experiment_results``).
"""

import dataclasses
import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from consent.pseudonyms import keyed_digest, pseudonym_for
from consent.selectors import has_consent
from consent.services import chain_append
from newsapp.history import within_daily_quota
from newsapp.models import (
    Experiment,
    ExperimentArm,
    ExperimentChoice,
    ExperimentOutcome,
    ReaderPreferences,
)
from newsapp.purposes import ANALYTICS
from newsapp.recommender import Profile

Kind = ExperimentOutcome.Kind


@dataclass(frozen=True)
class ArmPlan:
    id: int
    name: str
    description: str
    half_life_hours: float | None
    exploration_off: bool


@dataclass(frozen=True)
class Plan:
    """An experiment as the feed needs it: read once, shared by the requests of a worker."""

    id: int
    name: str
    description: str
    starts_on: date
    ends_on: date
    arms: tuple[ArmPlan, ...]

    def running(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on and len(self.arms) >= 2


def plan_of(experiment: Experiment) -> Plan:
    return Plan(
        id=experiment.pk,
        name=experiment.name,
        description=experiment.description,
        starts_on=experiment.starts_on,
        ends_on=experiment.ends_on,
        arms=tuple(
            ArmPlan(
                id=arm.pk,
                name=arm.name,
                description=arm.description,
                half_life_hours=arm.half_life_hours,
                exploration_off=arm.exploration == ExperimentArm.Exploration.OFF,
            )
            for arm in experiment.arms.all()
        ),
    )


# Experiments change rarely and every feed asks: each worker keeps the list for a few
# seconds (an editor's change reaches every worker within EXPERIMENT_CACHE_SECONDS; the
# worker that saved it at once). A reader's own choice is read on every request.
_cache: dict[str, tuple[float, list[Plan]]] = {}


def reset_cache() -> None:
    _cache.clear()


def current_plans() -> list[Plan]:
    """Experiments running or still to come."""
    cached = _cache.get("plans")
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    experiments = Experiment.objects.filter(ends_on__gte=timezone.localdate()).prefetch_related(
        "arms"
    )
    plans = [plan_of(e) for e in experiments]
    _cache["plans"] = (time.monotonic() + settings.EXPERIMENT_CACHE_SECONDS, plans)
    return plans


def running_plan(today: date | None = None) -> Plan | None:
    today = today or timezone.localdate()
    return next((p for p in current_plans() if p.running(today)), None)


def arm_index(*, experiment_id: int, pseudonym: str, arms: int) -> int:
    """The arm of a pseudonym: HMAC under the pseudonym key, so nobody without the key can
    work out or steer who gets which version."""
    digest = keyed_digest(f"experiment:{experiment_id}:{pseudonym}")
    return int(digest[:16], 16) % arms


def arm_of(plan: Plan, pseudonym: str) -> ArmPlan:
    return plan.arms[arm_index(experiment_id=plan.id, pseudonym=pseudonym, arms=len(plan.arms))]


def takes_part(pseudonym: str) -> bool:
    """Whether the reader's latest choice keeps them in experiments (yes until they leave)."""
    latest = (
        ExperimentChoice.objects.filter(subject_pseudonym=pseudonym)
        .order_by("-id")
        .values_list("taking_part", flat=True)
        .first()
    )
    return latest is None or latest


def _reader(user_id: int):
    # The consent selectors need only the key of the user: no query for the row itself.
    return get_user_model()(pk=user_id)


def current_arm(*, user_id: int | None, today: date | None = None) -> tuple[Plan, ArmPlan] | None:
    """The running experiment and the reader's arm, or None: no experiment runs, or they
    do not take part. Costs nothing while none runs, two queries while one does."""
    plan = running_plan(today)
    if plan is None or user_id is None:
        return None
    if not has_consent(user=_reader(user_id), purpose=ANALYTICS):
        return None
    pseudonym = pseudonym_for(user_id)
    if not takes_part(pseudonym):
        return None
    return plan, arm_of(plan, pseudonym)


@dataclass(frozen=True)
class FeedTuning:
    """The parameters the feed ranks with: the newsroom's, or an arm's."""

    half_life_hours: float
    exploration_off: bool = False

    def profile(self, profile: Profile) -> Profile:
        # An arm may take the exploration pick away, never add one a reader turned off.
        return dataclasses.replace(profile, explore=False) if self.exploration_off else profile


def tuning_for(arm: ArmPlan | None) -> FeedTuning:
    """The parameters of ``arm``; the newsroom's without one."""
    default = FeedTuning(half_life_hours=settings.RECOMMENDER_HALF_LIFE_HOURS)
    if arm is None:
        return default
    return FeedTuning(
        half_life_hours=arm.half_life_hours or default.half_life_hours,
        exploration_off=arm.exploration_off,
    )


def feed_tuning(*, user_id: int | None) -> FeedTuning:
    found = current_arm(user_id=user_id)
    return tuning_for(found[1] if found else None)


@transaction.atomic
def experiments_participation_set(*, user, taking_part: bool) -> ExperimentChoice:
    """Leave every experiment, or take part again, from the next request on; the choice is
    appended to its own hash-chained record like a consent."""
    return chain_append(
        record=ExperimentChoice(subject_pseudonym=pseudonym_for(user.pk), taking_part=taking_part)
    )


def referred_by_feed(request) -> bool:
    """Whether the page was opened from the "For you" feed of this site (the Referer our
    same-origin Referrer-Policy sends; nothing of it is stored)."""
    referer = request.headers.get("Referer", "")
    if not referer:
        return False
    parts = urlsplit(referer)
    return parts.netloc == request.get_host() and parts.path == reverse("newsapp:home")


def outcome_record(*, user, kind: str, paused: bool | None = None) -> bool:
    """Count one outcome for the reader's arm today, when they take part and are within
    today's quota; True when it was counted. Nothing identifies the reader in the count."""
    if not getattr(user, "is_authenticated", False):
        return False
    today = timezone.localdate()
    found = current_arm(user_id=user.pk, today=today)
    if found is None:
        return False
    if paused is None:
        paused = ReaderPreferences.objects.filter(user=user, personalization_paused=True).exists()
    if paused:  # no feed is ranked for them, so no version of it is being tried
        return False
    plan, arm = found
    if not within_daily_quota(
        pseudonym=pseudonym_for(user.pk),
        day=today,
        limit=settings.EXPERIMENT_MAX_OUTCOMES_PER_READER_PER_DAY,
        scope=f"experiment-{plan.id}",
    ):
        return False
    counter = ExperimentOutcome.objects.filter(arm_id=arm.id, day=today, kind=kind)
    if not counter.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                ExperimentOutcome.objects.create(arm_id=arm.id, day=today, kind=kind, count=1)
        except IntegrityError:  # another request created today's counter first
            counter.update(count=F("count") + 1)
    return True


@dataclass(frozen=True)
class Participation:
    """Where one reader stands: the experiment running and the next one, whether they
    allow statistics and take part, and the arm their feed ranks with (``current_arm``)."""

    plan: Plan | None
    upcoming: Plan | None
    analytics: bool
    taking_part: bool
    arm: ArmPlan | None

    @property
    def tuning(self) -> FeedTuning:
        return tuning_for(self.arm)


def participation_for(*, user_id: int, analytics: bool) -> Participation:
    """The reader's ``Participation``, given whether they allow statistics: one query
    (their latest choice to leave or to take part)."""
    pseudonym = pseudonym_for(user_id)
    taking_part = takes_part(pseudonym)
    today = timezone.localdate()
    plan = running_plan(today)
    upcoming = next((p for p in current_plans() if p.starts_on > today), None)
    arm = arm_of(plan, pseudonym) if plan and analytics and taking_part else None
    return Participation(plan, upcoming, analytics, taking_part, arm)


def dashboard_context(participation: Participation, *, paused: bool) -> dict:
    """What the privacy page says about experiments, for this reader only: no version of
    the ranking is tried on a reader who paused personalization."""
    return {
        "plan": participation.plan,
        "upcoming": participation.upcoming,
        "arm": None if paused else participation.arm,
        "analytics": participation.analytics,
        "taking_part": participation.taking_part,
        "paused": paused,
    }
