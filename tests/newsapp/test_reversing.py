"""URLs written from a pattern are the ones ``reverse`` gives, and a value no pattern could
have produced still goes through ``reverse``."""

import pytest
from django.urls import NoReverseMatch, reverse

from newsapp.core.reversing import reverse_cached


@pytest.mark.parametrize(
    ("viewname", "kwargs"),
    [
        ("newsapp:article-detail", {"slug": "ferry-timetable-2"}),
        ("newsapp:story-detail", {"pk": 42}),
        ("newsapp:topic-detail", {"slug": "harbour"}),
        ("newsapp:digest-unsubscribe", {"token": "a1b2:c3-d4_e5"}),  # a signed token
        ("newsapp:healthz", {}),
    ],
)
def test_a_written_url_is_the_reversed_one(viewname, kwargs):
    assert reverse_cached(viewname, **kwargs) == reverse(viewname, kwargs=kwargs)


def test_a_value_the_pattern_cannot_take_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        reverse_cached("newsapp:article-detail", slug="not a slug")
    with pytest.raises(NoReverseMatch):
        reverse_cached("newsapp:story-detail", pk="seven")
