"""The data inventory: privacy as code.

Every model field that holds personal data is declared here, by the app that owns the
model (in its own ``privacy.py``), with its category, purpose, legal basis, retention,
and how it is exported, cleared and erased. Categories and purposes are registered the same
way (``register_category``, ``consent.purposes.register_purpose``). Export, erasure,
clearing, the retention purge, the dashboard and the record of processing all iterate this
registry; a new app joins by declaring, not by editing them. ``undeclared_fields()`` walks
every installed model reachable from the user model (or holding a pseudonym) and names any
field nobody declared; ``problems()`` names declarations that do not hold together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils import timezone

from consent import purposes
from consent.pseudonyms import pseudonym_for
from consent.retention import Retention, retention_text


@dataclass(frozen=True)
class Category:
    """A kind of personal data, as a reader would name it. Its code is the export key.

    ``kept_for`` states its retention when it differs from its purpose's. ``applies_to``
    says whom the category concerns (for example staff only); the dashboard leaves it out
    for everyone else.
    """

    code: str
    title: str
    purpose: str
    description: str
    order: int = 100
    basis: str = ""  # when it differs from the purpose's, e.g. a legal obligation
    reason: str = ""  # why we hold it, when the purpose's own "why" does not say it
    kept_for: Retention | None = None
    applies_to: Callable[[Any], bool] | None = None

    @property
    def slug(self) -> str:
        """The category in a URL: ``/privacy/data/<slug>/``."""
        return self.code.replace("_", "-")

    @property
    def why(self) -> str:
        return self.reason or self.purpose_info.why

    @property
    def purpose_info(self) -> purposes.Purpose:
        return purposes.purpose(self.purpose)

    @property
    def needs_consent(self) -> bool:
        return self.purpose_info.needs_consent

    @property
    def legal_basis(self) -> str:
        return self.basis or self.purpose_info.legal_basis

    @property
    def retention_period(self) -> Retention:
        return self.kept_for or self.purpose_info.kept_for

    @property
    def kept_as_proof(self) -> bool:
        """Every row outlives the account, under a pseudonym only."""
        found = declarations(self.code)
        return bool(found) and all(d.erasure != Erasure.DELETE for d in found)

    @property
    def retention(self) -> str:
        period = self.retention_period
        return retention_text(period.days, after=period.after, as_proof=self.kept_as_proof)

    def concerns(self, user: Any) -> bool:
        return self.applies_to is None or self.applies_to(user)


@dataclass(frozen=True)
class PersonalField:
    """One declared field: its plain-language label and how it is shown and exported.

    ``present`` turns the stored value into what the reader sees and receives (for
    example a password hash becomes "set, stored as a salted hash"). ``show`` words it
    for the privacy pages only, where the export keeps the stored code (a field with
    choices shows its choice's label without one). ``applies_to`` says whom the field
    concerns (for example staff only); the privacy pages leave it out for everyone else,
    the export keeps it. ``on_pages=False`` keeps a field to the export alone, for values
    that say nothing row by row (the link to the reader's own account). ``named_by`` names,
    for a foreign key, the column of the related row that its ``str()`` returns (a
    ``title``, a ``name``): the export then reads that column in the same query as the
    rows, instead of the related rows themselves.
    """

    label: str
    present: Callable[[Any], Any] | None = None
    show: Callable[[Any], Any] | None = None
    applies_to: Callable[[Any], bool] | None = None
    on_pages: bool = True
    named_by: str | None = None

    def concerns(self, user: Any) -> bool:
        return self.on_pages and (self.applies_to is None or self.applies_to(user))


class Erasure:
    DELETE = "delete"  # rows are deleted
    PSEUDONYMISE = "pseudonymise"  # rows stay, keyed by the pseudonym only (proof, legal duty)


@dataclass(frozen=True)
class Declaration:
    """The personal fields of one model and what the privacy operations do with them.

    ``subject`` is the ORM path from the model to the user (``"user"``, ``"pk"``) or
    ``"pseudonym:<field>"`` for rows keyed by the reader's pseudonym. The category's
    retention, counted from the date field ``retention_anchor``, drives the purge and the
    deletion dates shown. ``clear(queryset, options)`` is this model's part of "Clear
    recommendations": ``options`` holds the names of the boxes the reader ticked (see
    ``consent.extensions.Clearing``); it returns how many items it removed. ``item_label``
    lists each row on the dashboard with a button to delete it alone. ``manage_url`` is the
    URL name of the page where the reader changes it. ``item_name`` names one row and
    several rows in the reader's words (``("question you sent", "questions you sent")``);
    the model's verbose names stand in without it.
    """

    model: str
    category: str
    fields: dict[str, PersonalField]
    subject: str = "user"
    many: bool = True
    erasure: str = Erasure.DELETE
    erasure_note: str = "Deleted."
    retention_anchor: str | None = None
    clear: Callable[[models.QuerySet, frozenset[str]], int] | None = None
    item_label: Callable[[Any], str] | None = None
    manage_url: str | None = None
    item_name: tuple[str, str] | None = None
    not_personal: dict[str, str] = field(default_factory=dict)

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def pseudonym_field(self) -> str | None:
        """The field holding the reader's pseudonym, for rows keyed by it."""
        if self.subject.startswith("pseudonym:"):
            return self.subject.split(":", 1)[1]
        return None

    def name_for(self, count: int) -> str:
        """One row or several, in words: "1 question you sent", "3 questions you sent"."""
        meta = self.model_class._meta
        one, many = self.item_name or (str(meta.verbose_name), str(meta.verbose_name_plural))
        return one if count == 1 else many

    @property
    def item_deletable(self) -> bool:
        return self.item_label is not None

    @property
    def retention_days(self) -> int | None:
        """Days a row is kept after its ``retention_anchor``; None: while the account exists."""
        return category(self.category).retention_period.days

    def rows_for(self, user: Any) -> models.QuerySet:
        manager = self.model_class._default_manager
        if self.subject.startswith("pseudonym:"):
            return manager.filter(**{self.subject.split(":", 1)[1]: pseudonym_for(user.pk)})
        return manager.filter(**{self.subject: user.pk})

    def rows_matching(self, *, account: Any, pseudonym: Any) -> models.QuerySet:
        """``rows_for`` a reader given by the key of their account and by their pseudonym,
        values or expressions (``OuterRef`` in a subquery that is built once for every
        reader)."""
        manager = self.model_class._default_manager
        if self.pseudonym_field:
            return manager.filter(**{self.pseudonym_field: pseudonym})
        return manager.filter(**{self.subject: account})

    def rows_to_show(self, user: Any) -> models.QuerySet:
        """``rows_for`` with the declared relations fetched up front (no query per row).

        A related row is shown by its name (``str``): only its short columns (names,
        numbers, flags, keys) are read; its texts, dates, files and search vectors stay in
        the database (read only if a name needs one), so two thousand rows that point at
        long records do not fetch and parse two thousand of each."""
        meta = self.model_class._meta
        related = [n for n in self.fields if meta.get_field(n).many_to_one]
        many = [n for n in self.fields if meta.get_field(n).many_to_many]
        long_texts = [
            f"{name}__{column}"
            for name in related
            for column in long_columns(meta.get_field(name).related_model)
        ]
        rows = self.rows_for(user).select_related(*related).prefetch_related(*many)
        return rows.defer(*long_texts) if long_texts else rows

    @property
    def expiry_anchor(self) -> str | None:
        """The date field the purge deletes rows by, when it deletes them at all."""
        if self.retention_days is None or self.erasure != Erasure.DELETE:
            return None
        return self.retention_anchor

    def expiry_after(self, anchor: date | datetime | None) -> date | None:
        """The day a row anchored at ``anchor`` is deleted by the purge."""
        days = self.retention_days
        if anchor is None or days is None or self.expiry_anchor is None:
            return None
        if isinstance(anchor, datetime):
            anchor = timezone.localtime(anchor).date()
        return anchor + timedelta(days=days)

    def expires_on(self, row: models.Model) -> date | None:
        anchor = self.expiry_anchor
        return self.expiry_after(getattr(row, anchor)) if anchor else None

    def next_expiry(self, user: Any) -> date | None:
        """The day the first of ``user``'s rows here is deleted by the purge (one query)."""
        anchor = self.expiry_anchor
        if anchor is None:
            return None
        return self.expiry_after(self.rows_for(user).aggregate(oldest=models.Min(anchor))["oldest"])

    def expired(self) -> models.QuerySet:
        """Rows past their retention, for the purge."""
        days = self.retention_days
        if days is None or self.retention_anchor is None:
            raise ImproperlyConfigured(f"{self.model} has no retention to purge by.")
        return _older_than(self.model_class, self.retention_anchor, days)

    def present(self, row: models.Model, *, for_export: bool = True) -> dict[str, Any]:
        """The declared fields of ``row`` as the reader receives them (JSON-ready) or, with
        ``for_export=False``, as the privacy pages word them."""
        values: dict[str, Any] = {}
        for name, spec in self.fields.items():
            model_field = row._meta.get_field(name)
            if model_field.many_to_many:
                value = [str(related) for related in getattr(row, name).all()]
            elif model_field.is_relation:
                value = str(getattr(row, name)) if getattr(row, f"{name}_id") else None
            else:
                value = getattr(row, name)
            if spec.present:
                value = spec.present(value)
            if for_export:
                values[name] = jsonable(value)
            elif spec.show:
                values[name] = spec.show(value)
            elif model_field.choices and not spec.present:
                values[name] = dict(model_field.flatchoices).get(value, value)
            else:
                values[name] = value
        return values


def long_columns(model: type[models.Model]) -> list[str]:
    """The columns of ``model`` that a row's name should not need: all but its short ones
    (names, numbers, flags, keys) and its primary key."""
    short = models.CharField | models.IntegerField | models.BooleanField | models.ForeignKey
    return [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key
        and (not isinstance(field, short) or isinstance(field, models.FileField))
    ]


def _older_than(model: type[models.Model], anchor: str, days: int) -> models.QuerySet:
    moment = timezone.now() - timedelta(days=days)
    anchor_field = model._meta.get_field(anchor)
    by_day = isinstance(anchor_field, models.DateField) and not isinstance(
        anchor_field, models.DateTimeField
    )
    cutoff: date | datetime = moment.date() if by_day else moment
    return model._default_manager.filter(**{f"{anchor}__lt": cutoff})


@dataclass(frozen=True)
class Aggregate:
    """Rows that identify nobody (counts, for example) but are kept for a purpose: the
    purge deletes them once the purpose's retention, counted from ``retention_anchor``,
    has passed, so what the purpose promises about them holds too."""

    model: str
    title: str
    purpose: str
    retention_anchor: str

    def expired(self) -> models.QuerySet:
        days = purposes.purpose(self.purpose).kept_for.days
        if days is None:
            return apps.get_model(self.model)._default_manager.none()
        return _older_than(apps.get_model(self.model), self.retention_anchor, days)


def jsonable(value: Any) -> Any:
    """A stored value as the export writes it: dates and times in ISO 8601."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


_categories: dict[str, Category] = {}
_declarations: dict[str, Declaration] = {}
_aggregates: list[Aggregate] = []


def register_category(category: Category) -> Category:
    """Called from an app's ``privacy.py``, before it declares fields in the category."""
    known = _categories.get(category.code)
    if known is not None and known != category:
        raise ImproperlyConfigured(f"Category {category.code!r} is registered twice.")
    _categories[category.code] = category
    return category


def declare(declaration: Declaration) -> Declaration:
    """Register one model's personal fields. Called from each app's ``privacy.py``."""
    if declaration.category not in _categories:
        raise LookupError(f"Declare category {declaration.category!r} before using it.")
    _declarations[declaration.model.lower()] = declaration
    return declaration


def keep_aggregate(aggregate: Aggregate) -> Aggregate:
    """Register rows without an identifier that the purge must still delete in time."""
    _aggregates.append(aggregate)
    return aggregate


def aggregates() -> list[Aggregate]:
    return list(_aggregates)


def categories() -> list[Category]:
    return sorted(_categories.values(), key=lambda c: (c.order, c.code))


def category(code: str) -> Category:
    return _categories[code]


def declarations(category: str | None = None) -> list[Declaration]:
    found = list(_declarations.values())
    if category is not None:
        found = [d for d in found if d.category == category]
    return found


def declaration_for(model: type[models.Model]) -> Declaration | None:
    return _declarations.get(model._meta.label_lower)


def category_by_slug(slug: str) -> Category | None:
    return next((c for c in _categories.values() if c.slug == slug), None)


# -- the walker ---------------------------------------------------------------------------
def _points_at(model: type[models.Model], targets: set[type[models.Model]]) -> bool:
    for model_field in model._meta.get_fields():
        if (
            model_field.is_relation
            and model_field.concrete
            and (model_field.many_to_one or model_field.one_to_one)
            and model_field.related_model in targets
        ):
            return True
    return False


def personal_models() -> list[type[models.Model]]:
    """Every installed model reachable from the user model by foreign keys pointing at it,
    and every model with a field holding a pseudonym. M2M through tables created by Django
    are covered by the M2M field of the model that declares them."""
    user_model = get_user_model()
    installed = [m for m in apps.get_models() if not m._meta.auto_created]
    reached = {user_model}
    changed = True
    while changed:
        changed = False
        for model in installed:
            if model not in reached and _points_at(model, reached):
                reached.add(model)
                changed = True
    for model in installed:
        if any("pseudonym" in f.name for f in model._meta.concrete_fields):
            reached.add(model)
    return sorted(reached, key=lambda m: m._meta.label)


def undeclared_fields() -> list[str]:
    """``app_label.Model.field`` for every field of a personal model nobody declared."""
    missing = []
    for model in personal_models():
        declaration = declaration_for(model)
        covered = set(declaration.fields) | set(declaration.not_personal) if declaration else set()
        for model_field in model._meta.get_fields():
            if model_field.auto_created or not (model_field.concrete or model_field.many_to_many):
                continue
            if model_field.primary_key:
                continue
            if model_field.name not in covered:
                missing.append(f"{model._meta.label}.{model_field.name}")
    return missing


def subject_declarations() -> Iterable[Declaration]:
    """Declarations in the order erasure must run: dependants before the user row."""
    user_label = get_user_model()._meta.label_lower
    ordered = [d for d in _declarations.values() if d.model.lower() != user_label]
    ordered += [d for d in _declarations.values() if d.model.lower() == user_label]
    return ordered


# -- consistency --------------------------------------------------------------------------
def _anchor_problem(declaration: Declaration) -> str | None:
    if declaration.retention_days is None or declaration.erasure != Erasure.DELETE:
        return None
    if declaration.retention_anchor is None:
        return (
            f"{declaration.model} is kept {declaration.retention_days} days but names no "
            "retention_anchor to count them from."
        )
    try:
        anchor = declaration.model_class._meta.get_field(declaration.retention_anchor)
    except FieldDoesNotExist:
        return f"{declaration.model} has no field {declaration.retention_anchor!r}."
    if not isinstance(anchor, models.DateField):
        return f"{declaration.model}.{declaration.retention_anchor} is not a date."
    return None


def _naming_problems(declaration: Declaration) -> list[str]:
    """A ``named_by`` must name a column of the row a foreign key points at."""
    found = []
    meta = declaration.model_class._meta
    for name, spec in declaration.fields.items():
        if spec.named_by is None:
            continue
        try:
            model_field = meta.get_field(name)
        except FieldDoesNotExist:
            continue  # the walker names fields that do not exist
        if not (model_field.many_to_one or model_field.one_to_one):
            found.append(f"{declaration.model}.{name} names a related row but is no foreign key.")
            continue
        related = model_field.related_model
        try:
            related._meta.get_field(spec.named_by)
        except FieldDoesNotExist:
            found.append(
                f"{declaration.model}.{name} is named by {spec.named_by!r}, which "
                f"{related._meta.label} does not have."
            )
    return found


def problems() -> list[str]:
    """Declarations that do not hold together, in words; ``manage.py check`` reports them."""
    found = []
    registered = {p.code for p in purposes.purposes()}
    for known in categories():
        if known.purpose not in registered:
            found.append(
                f"Category {known.code!r} names the purpose {known.purpose!r}, which no app "
                "registers."
            )
    for declaration in _declarations.values():
        try:
            apps.get_model(declaration.model)
        except LookupError:
            found.append(f"{declaration.model} is declared but is not an installed model.")
            continue
        if _categories[declaration.category].purpose in registered:
            problem = _anchor_problem(declaration)
            if problem:
                found.append(problem)
        found.extend(_naming_problems(declaration))
    for aggregate in _aggregates:
        if aggregate.purpose not in registered:
            found.append(f"{aggregate.model} is kept for an unregistered purpose.")
            continue
        try:
            anchor = apps.get_model(aggregate.model)._meta.get_field(aggregate.retention_anchor)
        except (LookupError, FieldDoesNotExist):
            found.append(f"{aggregate.model}.{aggregate.retention_anchor} does not exist.")
            continue
        if not isinstance(anchor, models.DateField):
            found.append(f"{aggregate.model}.{aggregate.retention_anchor} is not a date.")
    return found
