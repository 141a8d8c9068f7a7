"""Each reader's data version: a token that changes whenever anything of theirs changes.

Pages made for one reader may be kept for a moment and given again while nothing they
are made from has changed. What they are made from is the site's content and the reader's
personal data, and every model of the latter is declared in the data inventory. So the
token is drawn anew:
- by a receiver on every declared model, when a row is saved or its many-to-many links
  change (a delete is a request of the reader's, below, or their data expiring);
- after every request of a signed-in reader that may write (any method but GET, HEAD
  and OPTIONS), whatever it wrote: a bulk update of their rows sends no signal.

Within a request (``ReaderChangesMiddleware``) or a ``batch()``, the readers changed are
collected and each token is drawn once, at the end: after the writes have committed, so a
page made before them and kept under the old token is never given again.

The token is a random value in its own row (``ReaderVersion``) under the reader's
pseudonym: one primary-key read, seen by every worker, and part of the transaction of the
change. Erasure deletes it (``forget``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models
from django.db.models.signals import m2m_changed, post_save
from django.http import HttpRequest, HttpResponse

from consent import inventory
from consent.models import ReaderVersion
from consent.pseudonyms import pseudonym_for

NO_TOKEN = "0"


@dataclass
class _Batch:
    changed: set[str] = field(default_factory=set)
    forgotten: set[str] = field(default_factory=set)
    read: dict[str, str] = field(default_factory=dict)  # tokens read in the batch


_batch: ContextVar[_Batch | None] = ContextVar("reader_changes", default=None)


def reader_version(user_id: int) -> str:
    """The reader's current token: one primary-key read, once in a batch. A reader changed
    earlier in the batch gets a value never seen before, so nothing kept is used for them
    until the batch has drawn their next token."""
    pseudonym = pseudonym_for(user_id)
    current = _batch.get()
    if current is not None:
        if pseudonym in current.changed:
            return f"changing:{secrets.token_hex(8)}"
        if pseudonym in current.read:
            return current.read[pseudonym]
    found = ReaderVersion.objects.filter(pk=pseudonym).values_list("token", flat=True).first()
    token = found or NO_TOKEN
    if current is not None:
        current.read[pseudonym] = token
    return token


def reader_key(user) -> tuple:
    """What is remembered for a reader is kept under this: their id, their joining time
    (so an id used again is never another's) and their data version."""
    return (user.pk, getattr(user, "date_joined", None), reader_version(user.pk))


def remember_version(*, pseudonym: str, token: str | None) -> str:
    """The reader's token, read by the caller (beside something else), for the rest of
    the batch; the token as ``reader_version`` gives it."""
    token = token or NO_TOKEN
    current = _batch.get()
    if current is not None and pseudonym not in current.changed:
        current.read[pseudonym] = token
    return token


def reader_changed(*, user_id: int | None = None, pseudonym: str | None = None) -> None:
    """Pages kept for this reader are stale: at the end of the current batch, or now.
    Either the reader's id or their pseudonym names them."""
    if pseudonym is None:
        if user_id is None:
            return
        pseudonym = pseudonym_for(user_id)
    current = _batch.get()
    if current is None:
        _draw({pseudonym})
    elif pseudonym not in current.forgotten:
        current.changed.add(pseudonym)


def forget(*, pseudonym: str) -> None:
    """Erasure: the reader's token goes, and nothing later in the batch draws it again."""
    current = _batch.get()
    if current is not None:
        current.changed.discard(pseudonym)
        current.forgotten.add(pseudonym)
    ReaderVersion.objects.filter(pk=pseudonym).delete()


@contextmanager
def batch() -> Iterator[None]:
    """Collect the readers changed in the block and draw each one's token once, at its
    end (a block inside another is part of it)."""
    if _batch.get() is not None:
        yield
        return
    current = _Batch()
    token = _batch.set(current)
    try:
        yield
    finally:
        _batch.reset(token)
        if current.changed:
            _draw(current.changed)


def _draw(pseudonyms: set[str]) -> None:
    ReaderVersion.objects.bulk_create(
        [ReaderVersion(pseudonym=p, token=secrets.token_hex(8)) for p in sorted(pseudonyms)],
        update_conflicts=True,
        unique_fields=["pseudonym"],
        update_fields=["token"],
    )


def _owner(declaration: inventory.Declaration, instance: models.Model) -> dict:
    """The reader a row belongs to, from the declaration's ORM path."""
    name = declaration.pseudonym_field
    if name is not None:
        return {"pseudonym": getattr(instance, name, None)}
    if declaration.subject == "pk":
        return {"user_id": instance.pk}
    *path, last = declaration.subject.split("__")
    target = instance
    for step in path:
        target = getattr(target, step, None)
        if target is None:
            return {}
    return {"user_id": getattr(target, f"{last}_id", None)}


def _on_save(sender, instance, **kwargs) -> None:
    declaration = inventory.declaration_for(sender)
    if declaration is not None:
        owner = _owner(declaration, instance)
        if any(owner.values()):
            reader_changed(**owner)


def _on_links(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        _on_save(type(instance), instance)


def connect() -> None:
    """Called once the inventory is complete (``ConsentConfig.ready``)."""
    for declaration in inventory.declarations():
        model = declaration.model_class
        if model is ReaderVersion:
            continue
        uid = f"reader-version-{model._meta.label_lower}"
        post_save.connect(_on_save, sender=model, dispatch_uid=f"{uid}-save")
        for many in model._meta.many_to_many:
            through = many.remote_field.through
            m2m_changed.connect(_on_links, sender=through, dispatch_uid=f"{uid}-{many.name}")


class ReaderChangesMiddleware:
    """Each request is a batch; and a signed-in request that may write moves the
    reader's token once it is answered, whatever it wrote."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with batch():
            response = self.get_response(request)
            if request.method not in self.SAFE:
                user = getattr(request, "user", None)
                if user is not None and user.is_authenticated:
                    reader_changed(user_id=user.pk)
        return response
