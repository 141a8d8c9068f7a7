"""The recommender held to account: exposure audits and ranking experiments.

Nothing here identifies a reader except ``ExperimentChoice``, the hash-chained record of a
reader leaving (or rejoining) experiments, kept under their pseudonym like a consent. Which
arm a reader is in is never stored: it is worked out from their pseudonym each time
(``newsapp.experiments``). Outcomes are counts per arm and day with no identifier, and the
figures editors see about readers are differentially private releases (``consent.dp``).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from consent.models import ChainedRecord


class ExposureAudit(models.Model):
    """One run of the exposure audit. The newsroom's supply is public and kept as is; every
    figure about readers is in ``release``, with noise."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    window_days = models.PositiveSmallIntegerField(
        help_text="Supply is the articles published in this many days before the audit."
    )
    page_size = models.PositiveSmallIntegerField(help_text="Articles on a first feed page.")
    sample_limit = models.PositiveIntegerField(help_text="At most this many readers audited.")
    seed = models.BigIntegerField(help_text="Seed of the sample, to repeat it.")
    supply = models.JSONField(
        help_text="Published articles in the window per source and topic (public counts)."
    )
    release = models.ForeignKey(
        "consent.StatisticRelease", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"Exposure audit of {timezone.localtime(self.created_at):%d %b %Y, %H:%M}"


class Experiment(models.Model):
    """A comparison of ranking settings, run for a fixed period on the readers who allowed
    statistics. One experiment runs at a time, so no reader's feed mixes two."""

    name = models.CharField(max_length=120)
    description = models.TextField(
        help_text="What it tries, in plain words: readers who take part read this."
    )
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="The last day it runs; results are judged after it.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": "The end must be on or after the start."})
            overlapping = Experiment.objects.filter(
                starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            ).exclude(pk=self.pk)
            clash = overlapping.first()
            if clash is not None:
                raise ValidationError(
                    f"“{clash.name}” runs from {clash.starts_on:%d %b %Y} to "
                    f"{clash.ends_on:%d %b %Y}. Experiments may not overlap: choose other dates."
                )

    def status(self, today=None) -> str:
        today = today or timezone.localdate()
        if today < self.starts_on:
            return "upcoming"
        return "running" if today <= self.ends_on else "finished"

    def days_run(self, today=None) -> int:
        """Days it has run so far (all of them once it has finished)."""
        today = today or timezone.localdate()
        last = min(today, self.ends_on)
        return max(0, (last - self.starts_on).days + 1)


class ExperimentArm(models.Model):
    """One version of the ranking: parameters the recommender exposes. Empty means the
    newsroom's usual setting."""

    class Exploration(models.TextChoices):
        READER = "reader", "As the reader chose"
        OFF = "off", "No “Outside your topics” pick"

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms")
    name = models.CharField(max_length=40, help_text="Short, e.g. “A” or “Fresher”.")
    description = models.CharField(
        max_length=200, help_text="What this version does, for the readers who get it."
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="The first arm is the baseline the others are compared with."
    )
    half_life_hours = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1.0), MaxValueValidator(24 * 365)],
        help_text="Freshness half-life in hours; empty: the newsroom's setting.",
    )
    exploration = models.CharField(
        max_length=10, choices=Exploration.choices, default=Exploration.READER
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="unique_arm_name")
        ]

    def __str__(self) -> str:
        return f"{self.experiment.name}: {self.name}"


class ExperimentOutcome(models.Model):
    """How often readers in one arm did something on one day. No identifier at all; each
    reader adds at most a few a day (the bound the released figures rely on)."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Articles opened from the feed"
        MORE = "more", "“More like this”"
        LESS = "less", "“Less like this”"

    arm = models.ForeignKey(ExperimentArm, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["arm", "day", "kind"], name="unique_outcome_count")
        ]

    def __str__(self) -> str:
        return f"{self.count} x {self.kind} in arm {self.arm_id} on {self.day}"


class ExperimentChoice(ChainedRecord):
    """A reader left every experiment, or joined them again: append-only and chained to the
    previous choice by its SHA-256, like the consent ledger. The latest one holds."""

    subject_pseudonym = models.CharField(max_length=64, db_index=True)
    taking_part = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    chain_fields = ("subject_pseudonym", "taking_part", "created_at")

    class Meta(ChainedRecord.Meta):
        verbose_name = "choice about ranking experiments"
        verbose_name_plural = "choices about ranking experiments"

    def __str__(self) -> str:
        action = "joined" if self.taking_part else "left"
        return f"{self.subject_pseudonym[:10]}… {action} experiments"
