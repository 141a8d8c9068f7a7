"""Reads of consent state and of what the privacy pages show."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import CharField, Count, Field, Min, OuterRef, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from consent import extensions, inventory, purposes
from consent.changes import reader_key
from consent.inventory import Erasure
from consent.models import ConsentEvent, PrivacyNotice
from consent.pseudonyms import pseudonym_for
from newsapp.core.pagecache import RecentValues

UNPUBLISHED = "unpublished"  # the version recorded before any notice is published


def current_notice_version() -> str:
    notice = PrivacyNotice.objects.current()
    return notice.version if notice else UNPUBLISHED


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


# The consents of the readers seen lately, per data version (``consent.changes``): every
# consent given or withdrawn draws a new version, so a page never acts on an old answer.
_recent_consents = RecentValues(size=2000)


def consents_remembered(*, user: AbstractBaseUser) -> dict[str, bool]:
    """``consents_for_user``, read again only when something of the reader's changed (or
    after a minute or two): for pages that act on the answers. A write that decides by
    them (a withdrawal, say) reads them with ``consents_for_user``."""
    found = _recent_consents.get(reader_key(user), lambda: consents_for_user(user=user))
    return dict(cast(dict[str, bool], found))  # the caller's own copy


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
ROWS_SHOWN = 50


@dataclass
class Item:
    """One row we hold, in the reader's words."""

    cells: list[tuple[str, str]]  # (label, value)
    expires_on: date | None
    label: str | None = None  # set when the reader may delete it alone
    pk: Any = None
    model: str = ""


@dataclass
class Holding:
    """What one declaration holds about the reader, ready to show."""

    title: str
    columns: list[str]
    items: list[Item]
    total: int
    single: bool
    manage_url: str | None = None
    pseudonym: str | None = None  # the rows are keyed by it, not by the account

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)

    @property
    def dated(self) -> bool:
        """Some item here has its own deletion day (else the category's retention says it)."""
        return any(item.expires_on for item in self.items)

    @property
    def deletable(self) -> bool:
        return any(item.pk is not None for item in self.items)


@dataclass
class CategoryView:
    """One category's own page: every holding with its items."""

    category: inventory.Category
    holdings: list[Holding]
    consent: bool | None  # None for purposes that need no consent

    @property
    def count(self) -> int:
        return sum(h.total for h in self.holdings if not h.single)


@dataclass
class CategorySummary:
    """One line of the dashboard's summary: how much we hold and when it next goes."""

    category: inventory.Category
    total: int
    in_words: str
    next_deletion: date | None
    consent: bool | None

    @property
    def url(self) -> str:
        return reverse("consent:category", args=[self.category.slug])


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


def _shown_fields(declaration: inventory.Declaration, user: AbstractBaseUser) -> list[str]:
    """The fields a reader reads: not the pseudonym (said once, in words), not the fields
    that concern someone else (staff roles for a reader)."""
    return [
        name
        for name, spec in declaration.fields.items()
        if name != declaration.pseudonym_field and spec.concerns(user)
    ]


def _holding(declaration: inventory.Declaration, user: AbstractBaseUser) -> Holding:
    rows_qs = declaration.rows_to_show(user).order_by("-pk")
    names = _shown_fields(declaration, user)
    labels = [declaration.fields[name].label for name in names]
    item_label = declaration.item_label
    items = []
    for row in rows_qs[: ROWS_SHOWN if declaration.many else 1]:
        presented = declaration.present(row, for_export=False)
        items.append(
            Item(
                cells=[(declaration.fields[n].label, _display(presented[n])) for n in names],
                expires_on=declaration.expires_on(row),
                label=item_label(row) if item_label else None,
                pk=row.pk if item_label else None,
                model=declaration.model,
            )
        )
    total = rows_qs.count() if declaration.many and len(items) == ROWS_SHOWN else len(items)
    title = declaration.item_name[1] if declaration.item_name else None
    return Holding(
        title=(title or str(declaration.model_class._meta.verbose_name_plural)).capitalize(),
        columns=labels,
        items=items,
        total=total,
        single=not declaration.many,
        manage_url=reverse(declaration.manage_url) if declaration.manage_url else None,
        pseudonym=pseudonym_for(user.pk) if declaration.pseudonym_field else None,
    )


def _consent_state(category: inventory.Category, consents: dict[str, bool]) -> bool | None:
    return consents.get(category.purpose, False) if category.needs_consent else None


def category_view(*, user: AbstractBaseUser, category: inventory.Category) -> CategoryView:
    """Everything we hold about ``user`` in ``category``, item by item."""
    holdings = [_holding(d, user) for d in inventory.declarations(category.code)]
    consent = None
    if category.needs_consent:
        consent = _consent_state(category, consents_for_user(user=user))
    return CategoryView(
        category=category,
        holdings=[h for h in holdings if h.total or h.single or h.manage_url],
        consent=consent,
    )


def _words(parts: list[str]) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# The summary's subqueries, built once per process for each shape of the inventory: they
# compare with the outer row (the reader's account, their pseudonym given beside it), so a
# request only names the reader. Building them anew was most of the summary's time.
_summary_columns: dict[tuple, dict[str, Subquery]] = {}
_SUMMARY_SHAPES_KEPT = 8


def _summary_subqueries(declarations: list[inventory.Declaration]) -> dict[str, Subquery]:
    shape = tuple((d.model, d.subject, d.expiry_anchor) for d in declarations)
    columns = _summary_columns.get(shape)
    if columns is not None:
        return columns
    columns = {}
    for i, declaration in enumerate(declarations):
        rows = (
            declaration.rows_matching(account=OuterRef("pk"), pseudonym=OuterRef("_pseudonym"))
            .order_by()
            .annotate(_all=Value(1))
            .values("_all")
        )
        columns[f"n{i}"] = Subquery(rows.annotate(_n=Count("pk")).values("_n"))
        anchor = declaration.expiry_anchor
        if anchor:
            field = cast(Field, declaration.model_class._meta.get_field(anchor))  # a date field
            columns[f"m{i}"] = Subquery(
                rows.annotate(_m=Min(anchor)).values("_m"), output_field=field.__class__()
            )
    if len(_summary_columns) >= _SUMMARY_SHAPES_KEPT:
        _summary_columns.clear()  # only tests declare other inventories
    _summary_columns[shape] = columns
    return columns


def _holdings(
    user: AbstractBaseUser, declarations: list[inventory.Declaration]
) -> list[tuple[int, date | None]]:
    """How many of ``user``'s rows each declaration holds, and the day the first of them is
    deleted: one query for them all (a subquery per declaration), whatever the inventory."""
    columns = _summary_subqueries(declarations)
    if not columns:
        return []
    shape = tuple(d.model for d in declarations)
    key = (*reader_key(user), shape)
    found = _recent_holdings.get(key, lambda: _holdings_read(user, declarations, columns))
    return cast(list[tuple[int, date | None]], found)


# The counts of the readers seen lately, per data version (``consent.changes``): they
# change only with the reader's rows, which draw a new version when written.
_recent_holdings = RecentValues(size=2000)


def _holdings_read(
    user: AbstractBaseUser, declarations: list[inventory.Declaration], columns: dict
) -> list[tuple[int, date | None]]:
    reader = (
        get_user_model()
        ._default_manager.filter(pk=user.pk)
        .annotate(_pseudonym=Value(pseudonym_for(user.pk), output_field=CharField()))
    )
    found: dict[str, Any] = dict(reader.values(**columns).first() or {})
    return [
        (int(found.get(f"n{i}") or 0), declaration.expiry_after(found.get(f"m{i}")))
        for i, declaration in enumerate(declarations)
    ]


def privacy_summary(
    *, user: AbstractBaseUser, consents: dict[str, bool] | None = None
) -> list[CategorySummary]:
    """For every category that concerns ``user``: how much we hold, in words, and the day
    the next of it is deleted. One query for every declaration together, and one for the
    consents unless the page has read them (``consents``)."""
    if consents is None:
        consents = consents_for_user(user=user)
    concerned = [c for c in inventory.categories() if c.concerns(user)]
    declared = {c.code: list(inventory.declarations(c.code)) for c in concerned}
    held = iter(_holdings(user, [d for c in concerned for d in declared[c.code]]))
    summaries = []
    for category in concerned:
        parts, total, deletions = [], 0, []
        for declaration in declared[category.code]:
            count, deletion = next(held)
            if count:
                name = declaration.name_for(count)
                parts.append(f"{count} {name}" if declaration.many else name)
                total += count
                deletions.append(deletion)
        summaries.append(
            CategorySummary(
                category=category,
                total=total,
                in_words=_words(parts) or "Nothing",
                next_deletion=min((d for d in deletions if d), default=None),
                consent=_consent_state(category, consents),
            )
        )
    return summaries


def dashboard_sections(
    *, user: AbstractBaseUser, consents: dict[str, bool] | None = None
) -> list[SectionView]:
    """The sections other apps add to the top of the dashboard, with their context: each
    gets the same :class:`~consent.extensions.DashboardReader`, so what they share is
    read once for the page."""
    if consents is None:
        consents = consents_for_user(user=user)
    reader = extensions.DashboardReader(user=user, consents=consents)
    return [
        SectionView(s.anchor, s.heading, s.template, s.context(reader))
        for s in extensions.sections()
    ]


def erased_categories(*, user: AbstractBaseUser) -> list[inventory.Category]:
    """What erasing the account deletes (rather than keeps under a pseudonym), for ``user``."""
    return [
        category
        for category in inventory.categories()
        if category.concerns(user)
        and any(d.erasure == Erasure.DELETE for d in inventory.declarations(category.code))
    ]
