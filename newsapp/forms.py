from django import forms
from django.conf import settings

from newsapp import recommender
from newsapp.core.pagecache import RecentValues
from newsapp.models import ArticleFeedback, DigestSubscription, Region, Source, Topic, TopicFollow


def split_keywords(value: str) -> list[str]:
    seen: dict[str, str] = {}
    for raw in (value or "").replace("\n", ",").split(","):
        keyword = " ".join(raw.split())
        if keyword and keyword.lower() not in seen:
            seen[keyword.lower()] = keyword
    return list(seen.values())


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(choices=ArticleFeedback.Kind.choices)


class TopicsForm(forms.Form):
    """What a reader wants: topics (with how much of each), keywords and mutes.

    Field names are a contract: ``topics`` (multi-valued slugs) and ``keywords``
    (comma-separated). Each followed topic may carry ``weight-<slug>`` (1 less, 2 normal,
    3 more).
    """

    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Topics you follow",
    )
    keywords = forms.CharField(
        required=False,
        max_length=settings.MAX_KEYWORDS * (settings.MAX_KEYWORD_LENGTH + 2),
        label="Keywords",
        help_text=f"Comma-separated, up to {settings.MAX_KEYWORDS} keywords of "
        f"{settings.MAX_KEYWORD_LENGTH} characters, e.g. “heat pumps, tram, chess”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    muted_topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Topics you never want to see",
    )
    muted_sources = forms.ModelMultipleChoiceField(
        queryset=Source.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Outlets you never want to see",
    )
    explore = forms.BooleanField(
        required=False,
        label="Show one pick from outside my topics in my feed",
    )

    def __init__(self, *args, topics=None, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        # One query each for the choices, shared by the fields that list them.
        topics = list(topics if topics is not None else Topic.objects.all())
        sources = list(sources if sources is not None else Source.objects.all())
        self.topic_list = topics
        for name in ("topics", "muted_topics"):
            self.fields[name].queryset = Topic.objects.filter(pk__in=[t.pk for t in topics])
            self.fields[name].choices = [(t.slug, t.name) for t in topics]
        self.fields["muted_sources"].queryset = Source.objects.filter(
            pk__in=[s.pk for s in sources]
        )
        self.fields["muted_sources"].choices = [(s.slug, s.name) for s in sources]

    def clean_topics(self):
        topics = self.cleaned_data["topics"]
        if len(topics) > settings.MAX_FOLLOWED_TOPICS:
            raise forms.ValidationError(
                f"You can follow at most {settings.MAX_FOLLOWED_TOPICS} topics."
            )
        return topics

    def clean_keywords(self) -> list[str]:
        keywords = split_keywords(self.cleaned_data["keywords"])
        if len(keywords) > settings.MAX_KEYWORDS:
            raise forms.ValidationError(
                f"Please keep to {settings.MAX_KEYWORDS} keywords (you typed {len(keywords)})."
            )
        too_long = [k for k in keywords if len(k) > settings.MAX_KEYWORD_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"Keywords can be at most {settings.MAX_KEYWORD_LENGTH} characters; "
                f"“{too_long[0][:20]}…” is longer."
            )
        common = [k for k in keywords if not recommender.meaningful_terms(k)]
        if common:
            raise forms.ValidationError(
                f"“{', '.join(common)}” {'is' if len(common) == 1 else 'are'} made only of "
                "very common words (like “the” or “and”) that every article has, so "
                "they cannot rank anything. Try a more specific word."
            )
        return keywords

    def clean(self):
        cleaned = super().clean()
        followed = set(cleaned.get("topics") or [])
        muted = set(cleaned.get("muted_topics") or [])
        both = followed & muted
        if both:
            names = ", ".join(sorted(t.name for t in both))
            self.add_error("muted_topics", f"You cannot follow and mute the same topic: {names}.")
        weights = {}
        for topic in followed:
            raw = self.data.get(f"weight-{topic.slug}", TopicFollow.Weight.NORMAL)
            try:
                weight = int(raw)
            except (TypeError, ValueError):
                weight = 0
            if weight not in TopicFollow.Weight.values:
                self.add_error("topics", f"Choose less, normal or more for {topic.name}.")
                weight = TopicFollow.Weight.NORMAL
            weights[topic] = weight
        cleaned["follows"] = weights
        return cleaned


class RegionForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=Region.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="No region (no local news boost)",
        label="Your region",
        help_text="Articles about this region rank a little higher in your feed.",
    )


class ExperimentsChoiceForm(forms.Form):
    """The one switch of the privacy page: take part in ranking experiments, or leave all."""

    taking_part = forms.TypedChoiceField(
        choices=[("1", "take part"), ("0", "leave")], coerce=lambda v: v == "1"
    )


# The topics and outlets a search may be filtered by, read again after a minute or two:
# every search page lists them, and a new one may wait that long to appear in the list.
_recent_options = RecentValues(size=4)


class SearchForm(forms.Form):
    """``/search/?q=`` with the optional filters ``topic``, ``source`` (slugs), ``from`` and
    ``to`` (dates, inclusive). The query itself is read by ``newsapp.search.query``."""

    q = forms.CharField(
        required=False,
        strip=False,  # the query reader strips, and counts what was typed
        label="Search for",
        help_text='All the words must appear. "Quotes" for a phrase, a minus sign to leave '
        "a word out (-gas), or between alternatives.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any topic",
        label="Topic",
        error_messages={"invalid_choice": "Choose a topic from the list."},
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any outlet",
        label="Outlet",
        error_messages={"invalid_choice": "Choose an outlet from the list."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is added by name.
        for name, label in (("from", "Published from"), ("to", "Published until")):
            self.fields[name] = forms.DateField(
                required=False,
                label=label,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": "Enter a date like 2026-03-31."},
            )

    # The filters drawn by hand in the template, from one plain query each: Django's select
    # widget renders a template per option and reads its choices through a server-side
    # cursor, a third of the search page's time.
    HAND_DRAWN = ("topic", "source")

    def options(self, name: str) -> list[tuple[str, str, bool]]:
        """(value, label, selected) of the filter ``name``'s options, "any" first."""
        field = self.fields[name]
        chosen = self[name].value() or ""
        model = field.queryset.model
        rows: list[tuple[str, str]] = _recent_options.get(  # type: ignore[assignment]
            model._meta.label,
            lambda: list(field.queryset.order_by("name").values_list("slug", "name")),
        )
        return [("", field.empty_label, not chosen)] + [
            (slug, label, slug == chosen) for slug, label in rows
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("from"), data.get("to")
        if since and until and since > until:
            self.add_error("to", "This date is before the “from” date; swap them.")
        return data


class DigestForm(forms.Form):
    OFF = "off"
    frequency = forms.ChoiceField(
        choices=[(OFF, "No e-mail (the default)"), *DigestSubscription.Frequency.choices],
        widget=forms.RadioSelect,
        label="E-mail me my top stories",
        error_messages={"invalid_choice": "Choose how often, or no e-mail."},
    )
