"""An experiment's results for editors: released through ``consent.dp``, read in words.

What is released: per arm, the outcomes of each kind summed over the days run, and the
readers taking part at release time. One reader is in one arm and adds at most
``EXPERIMENT_MAX_OUTCOMES_PER_READER_PER_DAY`` outcomes a day: the cap times the days run
(``bound``). The readers are released multiplied by that bound, so that under the one noise
scale the denominator of every rate is ``bound`` times less noisy than the outcomes; the
sensitivity is then twice the bound. Each release spends ε from the day's budget like every
other; looking at a release again costs nothing.

The stopping rule is a fixed horizon: the experiment is judged once, on a release made after
its last day. A release while it runs is an interim look that spends budget and decides
nothing.
"""

import math
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from consent import dp
from consent.models import StatisticRelease
from consent.pseudonyms import pseudonym_for
from consent.selectors import users_consenting_to
from newsapp.experiments import Kind, arm_of, plan_of
from newsapp.models import Experiment, ExperimentChoice, ExperimentOutcome, ReaderPreferences
from newsapp.purposes import ANALYTICS

Z95 = 1.96
STOPPING_RULE = (
    "Fixed horizon: the experiment runs from {start} to {end} and is judged once, on the "
    "first release made after {end}. Releases while it runs are interim looks: each spends "
    "ε of the day's budget like any release, and none is a reason to stop early or to "
    "declare a winner."
)


def statistic_code(experiment: Experiment) -> str:
    return f"experiment-{experiment.pk}"


def _readers_label(arm_id: int) -> str:
    return f"arm-{arm_id}:readers"


def _outcome_label(arm_id: int, kind: str) -> str:
    return f"arm-{arm_id}:{kind}"


def participants(experiment: Experiment) -> dict[int, int]:
    """Readers taking part per arm now: allowed analytics, did not leave, not paused."""
    plan = plan_of(experiment)
    choices: dict[str, bool] = {}
    for pseudonym, taking_part in ExperimentChoice.objects.order_by("id").values_list(
        "subject_pseudonym", "taking_part"
    ):
        choices[pseudonym] = taking_part
    paused = set(
        ReaderPreferences.objects.filter(personalization_paused=True).values_list(
            "user_id", flat=True
        )
    )
    counts = {arm.id: 0 for arm in plan.arms}
    for user_id in users_consenting_to(ANALYTICS) - paused:
        pseudonym = pseudonym_for(user_id)
        if choices.get(pseudonym, True):
            counts[arm_of(plan, pseudonym).id] += 1
    return counts


def outcome_bound(experiment: Experiment, today: date | None = None) -> int:
    """The most one reader adds to an arm's outcomes over the days run so far."""
    return settings.EXPERIMENT_MAX_OUTCOMES_PER_READER_PER_DAY * experiment.days_run(today)


def true_counts(experiment: Experiment, today: date | None = None) -> dict[str, int]:
    """The figures to release (never shown as they are); readers weighted by the bound."""
    weight = outcome_bound(experiment, today)
    values: dict[str, int] = {}
    arms = list(experiment.arms.all())
    for arm in arms:
        for kind in Kind.values:
            values[_outcome_label(arm.pk, kind)] = 0
    outcomes = ExperimentOutcome.objects.filter(
        arm__experiment=experiment, day__gte=experiment.starts_on, day__lte=experiment.ends_on
    ).values_list("arm_id", "kind", "count")
    for arm_id, kind, count in outcomes:
        values[_outcome_label(arm_id, kind)] += count
    for arm_id, count in participants(experiment).items():
        values[_readers_label(arm_id)] = count * weight
    return values


def sensitivity(experiment: Experiment, today: date | None = None) -> int:
    return 2 * outcome_bound(experiment, today)


def experiment_release(*, experiment: Experiment, staff_label: str) -> StatisticRelease:
    """Release the results so far with noise, or raise ``dp.BudgetExhausted``."""
    if experiment.days_run() == 0:
        raise ValueError(f"“{experiment.name}” has not started: there is nothing to release.")
    counts = true_counts(experiment)
    bound = sensitivity(experiment)
    statistic = dp.Statistic(
        code=statistic_code(experiment),
        title=f"Experiment “{experiment.name}”",
        unit="counts",
        per_day=False,
        sensitivity=lambda: bound,
        compute=lambda day: counts,
        explanation="Outcomes per arm over the days run, and readers taking part.",
    )
    return dp.counts_release(statistic=statistic, counts=counts, staff_label=staff_label)


def releases(experiment: Experiment):
    return StatisticRelease.objects.filter(statistic=statistic_code(experiment)).order_by(
        "-created_at"
    )


# -- reading a release ------------------------------------------------------------------
def _noise_variance(scale: float) -> float:
    """Variance of opendp's discrete Laplace noise of this scale."""
    if scale <= 0:
        return 0.0
    q = math.exp(-1.0 / scale)
    return 2 * q / (1 - q) ** 2


@dataclass(frozen=True)
class Rate:
    count: int | None  # noisy; None below the threshold
    per_reader: float | None
    variance: float | None


@dataclass(frozen=True)
class ArmResult:
    name: str
    description: str
    readers: int | None  # noisy; None below the threshold
    rates: dict[str, Rate]

    @property
    def rows(self) -> list[Rate]:
        return [self.rates[kind] for kind in Kind.values]


@dataclass(frozen=True)
class Results:
    experiment: Experiment
    release: StatisticRelease
    final: bool
    arms: list[ArmResult]
    comparisons: list[str]  # plain words, one per arm against the baseline and kind
    noise: str
    stopping_rule: str

    @property
    def kind_labels(self) -> list[str]:
        return list(Kind.labels)


def _rate(
    count: int, readers: int | None, noise: float, reader_noise: float, threshold: int
) -> Rate:
    if readers is None:
        return Rate(count if count >= threshold else None, None, None)
    per_reader = max(0, count) / readers
    # Poisson sampling of the count, the noise on the count, and (delta method) the noise
    # on the number of readers it is divided by.
    variance = (max(0, count) + noise) / readers**2 + (
        max(0, count) ** 2
    ) * reader_noise / readers**4
    return Rate(count if count >= threshold else None, per_reader, variance)


def _compare(arm: ArmResult, base: ArmResult, kind: str) -> str:
    label = Kind(kind).label
    lowered = label[0].lower() + label[1:]
    ours, theirs = arm.rates[kind], base.rates[kind]
    if (
        ours.per_reader is None
        or theirs.per_reader is None
        or ours.variance is None
        or theirs.variance is None
    ):
        fewer = f"fewer than {settings.DP_MIN_SHOWN}"
        return (
            f"{lowered}: too few readers to compare {arm.name} with {base.name} "
            f"({fewer} in one of them)."
        )
    difference = ours.per_reader - theirs.per_reader
    margin = Z95 * math.sqrt(ours.variance + theirs.variance)
    low, high = difference - margin, difference + margin

    def words(value: float) -> str:
        return f"{abs(value):.2f} {'more' if value >= 0 else 'fewer'}"

    sentence = (
        f"{lowered}: {ours.per_reader:.2f} per reader in {arm.name} against "
        f"{theirs.per_reader:.2f} in {base.name}, {words(difference)} "
        f"(95% interval: {words(low)} to {words(high)})."
    )
    if low > 0 or high < 0:
        direction = "more" if low > 0 else "fewer"
        return (
            f"{sentence} The whole interval is on one side of zero: readers of {arm.name} "
            f"very likely have {direction} of these than readers of {base.name}."
        )
    return f"{sentence} The interval includes no difference: these figures cannot tell them apart."


def results(experiment: Experiment, release: StatisticRelease) -> Results:
    threshold = settings.DP_MIN_SHOWN
    noise = _noise_variance(release.scale)
    weight = max(1, release.sensitivity // 2)  # the bound the readers were multiplied by
    arms = []
    for arm in experiment.arms.all():
        readers_value = round(int(release.values.get(_readers_label(arm.pk), 0)) / weight)
        readers = readers_value if readers_value >= threshold else None
        rates = {
            kind: _rate(
                int(release.values.get(_outcome_label(arm.pk, kind), 0)),
                readers,
                noise,
                noise / weight**2,
                threshold,
            )
            for kind in Kind.values
        }
        arms.append(ArmResult(arm.name, arm.description, readers, rates))
    comparisons = [_compare(arm, arms[0], kind) for arm in arms[1:] for kind in Kind.values]
    final = timezone.localtime(release.created_at).date() > experiment.ends_on
    return Results(
        experiment=experiment,
        release=release,
        final=final,
        arms=arms,
        comparisons=comparisons,
        noise=dp.noise_in_words(release),
        stopping_rule=stopping_rule(experiment),
    )


def stopping_rule(experiment: Experiment) -> str:
    return STOPPING_RULE.format(
        start=f"{experiment.starts_on:%d %b %Y}", end=f"{experiment.ends_on:%d %b %Y}"
    )
