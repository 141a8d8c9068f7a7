import re

import pytest
from django.core import mail

from accounts.models import User
from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_sign_up_confirm_onboard_and_get_a_feed_of_chosen_topics(client):
    food = TopicFactory(name="Food", keywords="chef, harvest")
    sport = TopicFactory(name="Sport", keywords="league, goal")
    ArticleFactory(
        title="Chef wins harvest prize", body="<p>The chef cooked the harvest.</p>", topics=[food]
    )
    ArticleFactory(
        title="Late goal settles league", body="<p>A goal in the league.</p>", topics=[sport]
    )

    response = client.post(
        "/accounts/signup/",
        {
            "email": "New.Reader@Example.com",
            "password1": "correct horse battery",
            "password2": "correct horse battery",
        },
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "new.reader@example.com"
    assert client.get("/").status_code == 200  # not signed in until the address is confirmed
    assert "Top stories" in client.get("/").content.decode()

    link = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", mail.outbox[0].body
    ).group(1)
    response = client.post(link)
    assert response.status_code == 302
    onboarding = client.get(response["Location"], follow=True)
    assert onboarding.request["PATH_INFO"] == "/topics/"
    assert "What would you like to read?" in onboarding.content.decode()

    response = client.post("/topics/?welcome=1", {"topics": ["food"]})
    assert response.status_code == 302 and response["Location"] == "/"
    feed = client.get("/").content.decode()
    assert feed.index("Chef wins harvest prize") < feed.index("Late goal settles league")


def test_sign_up_refuses_weak_password_with_field_errors(client):
    response = client.post(
        "/accounts/signup/", {"email": "a@example.com", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.exists()


def test_user_model_has_no_username_and_logs_in_by_email(client):
    user = User.objects.create_user("Someone@Example.com", "a-long-test-password")
    assert not hasattr(user, "username")
    assert client.login(email="someone@example.com", password="a-long-test-password")
