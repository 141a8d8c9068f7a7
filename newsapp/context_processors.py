"""What every page may need to know about the signed-in reader, read only if a template
asks (lazily), and remembered while nothing of theirs changes: which articles they saved,
for the "Save for later" buttons on cards."""

from django.utils.functional import SimpleLazyObject

from newsapp.history import saved_ids_for


def saved_articles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"saved_ids": frozenset()}
    return {"saved_ids": SimpleLazyObject(lambda: saved_ids_for(user))}
