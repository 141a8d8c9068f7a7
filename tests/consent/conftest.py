import pytest
from django.contrib.auth.models import Group

from consent.services import consent_grant
from newsapp.digest import digest_set
from newsapp.models import ArticleFeedback, ReaderPreferences, SavedArticle
from tests.factories import ArticleFactory, SourceFactory, TopicFactory, UserFactory, follow


@pytest.fixture
def reader_with_data(db):
    """A reader with data in every category we can hold today."""
    reader = UserFactory(id=987654321, email="distinct.reader@example.org")
    science, climate = TopicFactory(name="Science"), TopicFactory(name="Climate")
    follow(reader, science)
    follow(reader, climate, weight=3)
    outlet = SourceFactory(name="Harbour Gazette")
    preferences = ReaderPreferences.objects.create(user=reader, keywords="zeppelinology, tram")
    preferences.muted_sources.add(outlet)
    liked = ArticleFactory(title="Airships return to the northern coast", topics=[science])
    disliked = ArticleFactory(title="Quarterly tram timetable", topics=[climate])
    ArticleFeedback.objects.create(user=reader, article=liked, kind="more")
    ArticleFeedback.objects.create(user=reader, article=disliked, kind="less")
    SavedArticle.objects.create(user=reader, article=liked)
    digest_set(user=reader, frequency="weekly")
    consent_grant(user=reader, purpose="analytics", method="signup")
    return reader


def staff(group: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user
