"""Differentially private statistics: exact discrete Laplace noise from opendp.

Domain apps register the statistics they can count (``register_statistic``); a release
adds noise calibrated to the statistic's sensitivity (how much one reader can change the
figures, bounded by the counting code) and the per-release epsilon, records what it spent,
and refuses once the day's budget is gone. Staff see only noisy figures, and nothing
below a threshold.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from consent.models import StatisticRelease
from newsapp.core.locks import lock_until_commit


@dataclass(frozen=True)
class Statistic:
    """``compute(day)`` returns the true counts by label; it must bound each reader's
    contribution so that the L1 distance between neighbouring datasets is at most
    ``sensitivity``."""

    code: str
    title: str
    unit: str
    per_day: bool
    sensitivity: Callable[[], int]
    compute: Callable[[date | None], dict[str, int]]
    explanation: str
    label_heading: str = "Group"  # what the labels of the figures are, as a column heading


_statistics: dict[str, Statistic] = {}


def register_statistic(statistic: Statistic) -> None:
    _statistics[statistic.code] = statistic


def statistics() -> list[Statistic]:
    return list(_statistics.values())


def statistic(code: str) -> Statistic:
    return _statistics[code]


class BudgetExhausted(Exception):
    pass


BUDGET_LOCK = "consent.dp.daily-budget"


def spent_today() -> float:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    total = StatisticRelease.objects.filter(created_at__gte=start).aggregate(s=Sum("epsilon"))
    return total["s"] or 0.0


def budget_left() -> float:
    return max(0.0, settings.DP_DAILY_EPSILON_BUDGET - spent_today())


def _mechanism(sensitivity: int, epsilon: float):
    # opendp (and the scikit-learn its extras import) loads with the first release, not
    # with every process that starts Django.
    import opendp.prelude as dp

    dp.enable_features("contrib")
    scale = sensitivity / epsilon
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    measurement = dp.m.make_laplace(*space, scale=scale)
    spent = measurement.map(sensitivity)  # opendp's own privacy map: the epsilon it costs
    return measurement, scale, spent


@transaction.atomic
def statistic_release(*, code: str, staff_label: str, day: date | None = None) -> StatisticRelease:
    """Release ``code`` with noise, or raise ``BudgetExhausted``."""
    stat = statistic(code)
    _charge(settings.DP_EPSILON_PER_RELEASE)
    return _release(stat, stat.compute(day), staff_label=staff_label, day=day)


@transaction.atomic
def counts_release(
    *, statistic: Statistic, counts: Mapping[str, int], staff_label: str, day: date | None = None
) -> StatisticRelease:
    """Release ``counts`` that the caller computed beforehand, with noise, or raise
    ``BudgetExhausted``: for statistics defined at run time (one per study an app runs) or
    too long to compute inside the transaction that serialises releases. ``statistic``
    states the sensitivity the caller's counting guarantees; the epsilon and the budget are
    the same as for every release."""
    _charge(settings.DP_EPSILON_PER_RELEASE)
    return _release(statistic, counts, staff_label=staff_label, day=day)


def _charge(epsilon: float) -> None:
    """Refuse when ``epsilon`` does not fit in what is left of today's budget."""
    # Serialise releases so two members of staff cannot both spend the last of the budget: the
    # lock lasts until this release is committed, so the next one reads what it spent.
    # (Locking today's release rows would lock nothing before the first one exists.)
    lock_until_commit(BUDGET_LOCK)
    if spent_today() + epsilon > settings.DP_DAILY_EPSILON_BUDGET + 1e-9:
        raise BudgetExhausted(
            f"Today's privacy budget (ε = {settings.DP_DAILY_EPSILON_BUDGET:g}) is spent: "
            f"{spent_today():g} used, a release costs {epsilon:g}. Earlier releases stay "
            "visible below; new figures can be released tomorrow."
        )


def _release(
    stat: Statistic, true_counts: Mapping[str, int], *, staff_label: str, day: date | None
) -> StatisticRelease:
    labels = sorted(true_counts)
    sensitivity = max(1, int(stat.sensitivity()))
    measurement, scale, spent = _mechanism(sensitivity, settings.DP_EPSILON_PER_RELEASE)
    noisy = measurement([int(true_counts[label]) for label in labels]) if labels else []
    return StatisticRelease.objects.create(
        statistic=stat.code,
        day=day,
        epsilon=spent,
        scale=scale,
        sensitivity=sensitivity,
        values={label: int(value) for label, value in zip(labels, noisy, strict=True)},
        released_by=staff_label,
    )


@dataclass(frozen=True)
class Figure:
    label: str
    shown: str
    margin: int


def figures(release: StatisticRelease) -> list[Figure]:
    """What staff see: noisy values, small ones suppressed, with a plain margin."""
    margin = math.ceil(release.scale * math.log(20))  # 95% of the noise is within this
    shown = []
    for label, value in sorted(release.values.items(), key=lambda kv: -kv[1]):
        text = (
            f"fewer than {settings.DP_MIN_SHOWN}" if value < settings.DP_MIN_SHOWN else str(value)
        )
        shown.append(Figure(label=label, shown=text, margin=margin))
    return shown


def noise_in_words(release: StatisticRelease) -> str:
    margin = math.ceil(release.scale * math.log(20))
    return (
        f"Each figure has random noise added (discrete Laplace, scale {release.scale:g}): "
        f"it is within ±{margin} of the true count 95% of the time. This release spent "
        f"ε = {release.epsilon:g} of today's privacy budget."
    )
