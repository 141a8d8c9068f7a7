"""The project's settings plus apps that exist only for tests (pytest's
DJANGO_SETTINGS_MODULE, pyproject.toml)."""

from newsapp.settings import *  # noqa: F403
from newsapp.settings import INSTALLED_APPS

# An app that joins the privacy layer by declaring only (tests/privacy_app/privacy.py).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.privacy_app"]
