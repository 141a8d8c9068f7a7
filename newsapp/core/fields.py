"""Model fields that hold their invariant on every write path."""

from django.db import models

from newsapp.core.sanitize import clean_html


class SanitizedHTMLField(models.TextField):
    """HTML that is reduced to the allow-list of ``newsapp.core.sanitize`` whenever it is
    written: ``save()``, ``objects.create``, ``bulk_create`` (through ``pre_save``) and
    ``update()`` / ``bulk_update`` (through ``get_prep_value``). A template may then mark it
    ``|safe``, whoever stored it: the admin, an importer, a command, a shell or a future API.
    Sanitising is idempotent, so a value that was clean already stays as it is."""

    def pre_save(self, model_instance, add):
        value = clean_html(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)  # the instance shows what was stored
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        # Expressions (F(), Concat(), ...) are resolved by the database, not prepared here.
        return clean_html(value) if isinstance(value, str) else value
