"""Reads of consent state and of what the privacy pages show."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from consent import extensions, inventory, purposes
from consent.inventory import Erasure
from consent.models import ConsentEvent, PrivacyNotice
from consent.pseudonyms import pseudonym_for


def current_notice_version() -> str:
    notice = PrivacyNotice.objects.current()
    return notice.version if notice else "unpublished"


def consents_for_user(*, user: AbstractBaseUser) -> dict[str, bool]:
    """The current state of every optional purpose for ``user``; off unless granted."""
    state = {p.code: False for p in purposes.optional_purposes()}
    events = (
        ConsentEvent.objects.for_subject(pseudonym_for(user.pk))
        .order_by("id")
        .values_list("purpose", "granted")
    )
    for purpose, granted in events:
        state[purpose] = granted
    return state


def has_consent(*, user: AbstractBaseUser | AnonymousUser, purpose: str) -> bool:
    if not user.is_authenticated:
        return False
    last = (
        ConsentEvent.objects.for_subject(pseudonym_for(user.pk))
        .filter(purpose=purpose)
        .order_by("-id")
        .values_list("granted", flat=True)
        .first()
    )
    return bool(last)


def users_consenting_to(purpose: str) -> set[int]:
    """Ids of the readers whose latest answer for ``purpose`` is a grant (one query)."""
    state: dict[int, bool] = {}
    events = (
        ConsentEvent.objects.filter(purpose=purpose, subject__isnull=False)
        .order_by("id")
        .values_list("subject_id", "granted")
    )
    for subject_id, granted in events:
        state[subject_id] = granted
    return {subject_id for subject_id, granted in state.items() if granted}


def personalization_paused(*, user: AbstractBaseUser) -> bool:
    switch = extensions.profiling_switch()
    return bool(switch and switch.is_paused(user))


# -- the dashboard --------------------------------------------------------------------------
ROWS_SHOWN = 25


@dataclass
class Holding:
    """What one declaration holds about the reader, ready to show."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]]  # values, cells, expires_on, and label/pk/model when deletable
    total: int
    single: bool
    manage_url: str | None = None

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


@dataclass
class CategoryView:
    category: inventory.Category
    holdings: list[Holding]
    consent: bool | None  # None for purposes that need no consent

    @property
    def count(self) -> int:
        return sum(h.total for h in self.holdings)


@dataclass
class SectionView:
    anchor: str
    heading: str
    template: str
    context: dict[str, Any]


def _display(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(value, date):
        return date_format(value, "j M Y")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return str(value)


def _holding(declaration: inventory.Declaration, user: AbstractBaseUser) -> Holding:
    rows_qs = declaration.rows_to_show(user).order_by("-pk")
    labels = [spec.label for spec in declaration.fields.values()]
    total = rows_qs.count() if declaration.many else None
    item_label = declaration.item_label
    rows = []
    for row in rows_qs[:ROWS_SHOWN]:
        presented = declaration.present(row, for_export=False)
        values = [_display(presented[name]) for name in declaration.fields]
        rows.append(
            {
                "values": values,
                "cells": list(zip(labels, values, strict=True)),
                "expires_on": declaration.expires_on(row),
                "label": item_label(row) if item_label else None,
                "pk": row.pk if item_label else None,
                "model": declaration.model,
            }
        )
    return Holding(
        title=str(declaration.model_class._meta.verbose_name_plural).capitalize(),
        columns=labels,
        rows=rows,
        total=total if total is not None else len(rows),
        single=not declaration.many,
        manage_url=reverse(declaration.manage_url) if declaration.manage_url else None,
    )


def dashboard_for(*, user: AbstractBaseUser) -> list[CategoryView]:
    """Every category that concerns ``user``, with what we hold in it."""
    consents = consents_for_user(user=user)
    views = []
    for category in inventory.categories():
        if not category.concerns(user):
            continue
        holdings = [_holding(d, user) for d in inventory.declarations(category.code)]
        views.append(
            CategoryView(
                category=category,
                holdings=[h for h in holdings if h.total or h.single or h.manage_url],
                consent=consents.get(category.purpose) if category.needs_consent else None,
            )
        )
    return views


def dashboard_sections(*, user: AbstractBaseUser) -> list[SectionView]:
    """The sections other apps add to the top of the dashboard, with their context."""
    return [
        SectionView(s.anchor, s.heading, s.template, s.context(user)) for s in extensions.sections()
    ]


def erased_categories(*, user: AbstractBaseUser) -> list[inventory.Category]:
    """What erasing the account deletes (rather than keeps under a pseudonym), for ``user``."""
    return [
        category
        for category in inventory.categories()
        if category.concerns(user)
        and any(d.erasure == Erasure.DELETE for d in inventory.declarations(category.code))
    ]
