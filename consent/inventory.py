"""The data inventory: privacy as code.

Every model field that holds personal data is declared here, by the app that owns the
model (``accounts/privacy.py``, ``newsapp/privacy.py``, ``consent/privacy.py``), with its
category, purpose, legal basis, retention, and how it is exported, cleared and erased.
Export, erasure, "clear recommendations", the retention purge, the dashboard and the
record of processing all iterate this registry; a new app joins by declaring, not by
editing them. ``undeclared_fields()`` walks every installed model reachable from the user
model (or holding a pseudonym) and names any field nobody declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from consent.pseudonyms import pseudonym_for
from consent.purposes import PURPOSES


@dataclass(frozen=True)
class Category:
    """A kind of personal data, as a reader would name it. Its code is the export key."""

    code: str
    title: str
    purpose: str
    description: str
    retention: str
    order: int = 100
    basis: str = ""  # when it differs from the purpose's, e.g. a legal obligation
    reason: str = ""  # why we hold it, when the purpose's own "why" does not say it

    @property
    def why(self) -> str:
        return self.reason or self.purpose_info.why

    @property
    def purpose_info(self):
        return PURPOSES[self.purpose]

    @property
    def needs_consent(self) -> bool:
        return self.purpose_info.needs_consent

    @property
    def legal_basis(self) -> str:
        return self.basis or self.purpose_info.legal_basis


@dataclass(frozen=True)
class PersonalField:
    """One declared field: its plain-language label and how it is shown and exported.

    ``present`` turns the stored value into what the reader sees and receives (for
    example a password hash becomes "set, stored as a salted hash").
    """

    label: str
    present: Callable[[Any], Any] | None = None


class Erasure:
    DELETE = "delete"  # rows are deleted
    PSEUDONYMISE = "pseudonymise"  # rows stay, keyed by the pseudonym only (proof, legal duty)


@dataclass(frozen=True)
class Declaration:
    """The personal fields of one model and what the privacy operations do with them.

    ``subject`` is the ORM path from the model to the user (``"user"``, ``"pk"``) or
    ``"pseudonym:<field>"`` for rows keyed by the reader's pseudonym. ``retention_days``
    counted from ``retention_anchor`` drives the purge and the deletion dates shown.
    ``clear(queryset, reset_topics)`` implements "Clear recommendations" and returns how
    many items it removed. ``item_label`` lists each row on the dashboard with a button to
    delete it alone.
    """

    model: str
    category: str
    fields: dict[str, PersonalField]
    subject: str = "user"
    many: bool = True
    erasure: str = Erasure.DELETE
    erasure_note: str = "Deleted."
    retention_days: int | None = None
    retention_anchor: str | None = None
    clear: Callable[[models.QuerySet, bool], int] | None = None
    item_label: Callable[[models.Model], str] | None = None
    manage_url: str | None = None  # URL name of the page where the reader changes it
    not_personal: dict[str, str] = field(default_factory=dict)

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def item_deletable(self) -> bool:
        return self.item_label is not None

    def rows_for(self, user) -> models.QuerySet:
        manager = self.model_class._default_manager
        if self.subject.startswith("pseudonym:"):
            return manager.filter(**{self.subject.split(":", 1)[1]: pseudonym_for(user.pk)})
        return manager.filter(**{self.subject: user.pk})

    def rows_to_show(self, user) -> models.QuerySet:
        """``rows_for`` with the declared relations fetched up front (no query per row)."""
        meta = self.model_class._meta
        related = [n for n in self.fields if meta.get_field(n).many_to_one]
        many = [n for n in self.fields if meta.get_field(n).many_to_many]
        return self.rows_for(user).select_related(*related).prefetch_related(*many)

    def expires_on(self, row) -> date | None:
        if self.retention_days is None or self.retention_anchor is None:
            return None
        anchor = getattr(row, self.retention_anchor)
        if anchor is None:
            return None
        if isinstance(anchor, datetime):
            anchor = timezone.localtime(anchor).date()
        return anchor + timedelta(days=self.retention_days)

    def expired(self) -> models.QuerySet:
        """Rows past their retention, for the purge."""
        cutoff = timezone.now() - timedelta(days=self.retention_days)
        anchor_field = self.model_class._meta.get_field(self.retention_anchor)
        if isinstance(anchor_field, models.DateField) and not isinstance(
            anchor_field, models.DateTimeField
        ):
            cutoff = cutoff.date()
        return self.model_class._default_manager.filter(**{f"{self.retention_anchor}__lt": cutoff})

    def present(self, row, *, for_export: bool = True) -> dict[str, Any]:
        """The declared fields of ``row`` as the reader sees them; JSON-ready for export."""
        values = {}
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
            values[name] = _jsonable(value) if for_export else value
        return values


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


_categories: dict[str, Category] = {}
_declarations: dict[str, Declaration] = {}


def register_category(category: Category) -> Category:
    _categories[category.code] = category
    return category


def declare(declaration: Declaration) -> Declaration:
    """Register one model's personal fields. Called from each app's ``privacy.py``."""
    if declaration.category not in _categories:
        raise LookupError(f"Declare category {declaration.category!r} before using it.")
    _declarations[declaration.model.lower()] = declaration
    return declaration


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


# -- the categories: the export keys of DESIGN.md, in the order the dashboard shows them ---
LEGAL_DUTY = "Legal obligation (GDPR Art. 6(1)(c)): we must be able to prove it"
for _category in (
    Category(
        code="account",
        title="Your account",
        purpose="essential",
        description="What lets you sign in: your e-mail address and password.",
        reason="To sign you in and keep your account yours.",
        retention="Until you delete your account.",
        order=10,
    ),
    Category(
        code="preferences",
        title="The topics, keywords and mutes you chose",
        purpose="essential",
        description="What you told us you want to read, and what you never want to see.",
        reason="To rank the news by the preferences you stated.",
        retention="Until you change them or delete your account.",
        order=20,
    ),
    Category(
        code="feedback",
        title="Your feedback on articles",
        purpose="essential",
        description='Your "more like this" and "less like this" on single articles.',
        retention="One year after you gave it, or until you delete it.",
        order=30,
    ),
    Category(
        code="reading_history",
        title="What you read",
        purpose="personalize_history",
        description="Which articles you opened, by day, under a pseudonym. "
        "Only while you allow it.",
        retention="90 days, then deleted.",
        order=40,
    ),
    Category(
        code="location",
        title="Your region",
        purpose="location",
        description="The region you picked for local news, stored encrypted. "
        "Only while you allow it.",
        retention="Forgotten after 30 days without a visit.",
        order=50,
    ),
    Category(
        code="consents",
        title="Your consent history",
        purpose="essential",
        basis=LEGAL_DUTY + " (Art. 7(1))",
        reason="To prove what you allowed, when, and under which notice.",
        description="Each time you allowed or withdrew something, with the notice version "
        "you were shown.",
        retention="Kept as proof; if you delete your account only a pseudonym remains.",
        order=60,
    ),
    Category(
        code="requests",
        title="Your requests about your data",
        purpose="essential",
        basis=LEGAL_DUTY + " (Art. 5(2), 12)",
        reason="To show that we answered your requests, and when.",
        description="When you exported, cleared or erased your data (the kind and the "
        "time, never the content).",
        retention="Kept as proof under a pseudonym only.",
        order=70,
    ),
    Category(
        code="staff_access",
        title="When our staff looked at your data",
        purpose="essential",
        basis=LEGAL_DUTY + " (Art. 5(2), 32)",
        reason="So you and our privacy officer can see every time staff looked at your data.",
        description="Every time a member of staff opened your record or looked you up.",
        retention="Kept as proof under a pseudonym only.",
        order=80,
    ),
    Category(
        code="staff_activity",
        title="Your work in the newsroom (staff only)",
        purpose="essential",
        basis="Legitimate interest (GDPR Art. 6(1)(f)): an audit trail of edits",
        reason="To know who changed what in the newsroom.",
        description="The changes you made in the admin, if you are an editor.",
        retention="Until your staff account is deleted.",
        order=90,
    ),
):
    register_category(_category)


# -- hooks the domain apps plug into the dashboard ----------------------------------------
@dataclass(frozen=True)
class Panel:
    """A section another app adds to the dashboard: ``context(user)`` feeds ``template``."""

    template: str
    context: Callable[[Any], dict]


@dataclass(frozen=True)
class ProfilingSwitch:
    """The reader's objection to profiling (GDPR Art. 21/22), owned by the domain app."""

    is_paused: Callable[[Any], bool]
    set_paused: Callable[[Any, bool], None]


_panels: list[Panel] = []
_profiling: list[ProfilingSwitch] = []


def register_panel(panel: Panel) -> None:
    _panels.append(panel)


def panels() -> list[Panel]:
    return list(_panels)


def register_profiling_switch(switch: ProfilingSwitch) -> None:
    _profiling[:] = [switch]


def profiling_switch() -> ProfilingSwitch | None:
    return _profiling[0] if _profiling else None
