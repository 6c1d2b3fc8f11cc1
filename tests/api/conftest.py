import pytest
from django.conf import settings
from django.test import Client

from reviewapp.milestones import milestone_create
from reviewapp.tokens import token_create


@pytest.fixture
def api_for(db):
    """``api_for(user)``: a client that sends a fresh personal token of the user (anonymous for None), in English.

    ``api_for(user, key="...")`` sends that key instead.
    """

    def make(user=None, *, key: str | None = None, language: str = "en") -> Client:
        if user is not None and key is None:
            _token, key = token_create(user=user, name=f"{user.get_username()} test token")
        client = Client(headers={"Authorization": f"Bearer {key}"} if key else {})
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make


@pytest.fixture
def milestone(review, alice):
    """A milestone of the review, taken before anything was answered."""
    return milestone_create(review=review, name="Baseline", user=alice)
