"""Admin form controls that a screen reader and a keyboard can use.

Three of Django's admin widgets fail axe-core's checks: the split date and time widget labels
neither of its two inputs, select2 (``autocomplete_fields``) draws a combobox without an
accessible name, and the two-box ``filter_horizontal`` puts ``aria-label`` on a span without
a role. Our admins use native controls instead, each labelled by its field's own label: one
``datetime-local`` input, a plain ``<select>``, and a group of checkboxes.
"""

from django import forms
from django.db import models


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date-and-time picker; ``forms.DateTimeField`` reads its ISO value."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class AccessibleWidgetsMixin:
    """Native, labelled controls for date-times and many-to-many fields in a ModelAdmin.

    Do not combine with ``autocomplete_fields``, ``filter_horizontal`` or
    ``filter_vertical``: those bring back the widgets this replaces."""

    formfield_overrides = {
        models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DateTimeLocalInput},
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
