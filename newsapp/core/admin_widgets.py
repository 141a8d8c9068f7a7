"""Admin form controls that a screen reader and a keyboard can use.

Three of Django's admin widgets fail axe-core's checks: the split date and time widget labels
neither of its two inputs, select2 (``autocomplete_fields``) draws a combobox without an
accessible name, and the two-box ``filter_horizontal`` puts ``aria-label`` on a span without
a role. Our admins use native controls instead, each labelled by its field's own label: one
``datetime-local`` input, a plain ``<select>``, and a group of checkboxes.
"""

from django import forms
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from newsapp.core.sanitize import clean_html


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


class SanitisedPreviewTextarea(forms.Textarea):
    """A textarea for HTML with, beneath it, the HTML as readers will get it: cleaned by
    ``newsapp.core.sanitize`` exactly as the field is on save.

    The preview is drawn on the server when the page loads, so it works without script;
    ``js/body-preview.js`` (same origin, no inline script) redraws it while the editor
    types, by POSTing the text with the form's CSRF token to ``preview_url``.
    """

    class Media:
        js = ("js/body-preview.js",)

    def __init__(self, *, preview_url: str, attrs=None):
        super().__init__({"class": "vLargeTextField", **(attrs or {})})
        self.preview_url = preview_url

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        field_id = attrs.get("id", f"id_{name}")
        described_by = [attrs.get("aria-describedby"), f"{field_id}-preview-note"]
        attrs.update(
            {
                "data-preview-url": self.preview_url,
                "data-preview-target": f"{field_id}-preview",
                "aria-describedby": " ".join(filter(None, described_by)),
            }
        )
        textarea = super().render(name, value, attrs, renderer)
        # The markup is what clean_html returns: the same allow-list readers get.
        preview = mark_safe(clean_html(value or ""))  # nosec B308, B703: sanitised by nh3
        return format_html(
            '<div class="body-editor">{}<div class="body-preview-box">'
            '<p class="body-preview-note" id="{}-preview-note">Preview, as readers will '
            "see it: anything not on the safe list (scripts, styles, embeds) is removed "
            "on save.</p>"
            '<div class="body-preview" id="{}-preview" role="region" aria-live="polite" '
            'aria-label="Preview of the body">{}</div></div></div>',
            textarea,
            field_id,
            field_id,
            preview,
        )
