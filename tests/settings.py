"""The project's settings plus apps that exist only for tests (pytest's
DJANGO_SETTINGS_MODULE, pyproject.toml)."""

import os

from newsapp.settings import *  # noqa: F403
from newsapp.settings import CACHES, INSTALLED_APPS

# An app that joins the privacy layer by declaring only (tests/privacy_app/privacy.py).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.privacy_app"]

# pytest-xdist's workers share the one Redis database of REDIS_URL: each keeps its keys
# under a prefix of its own (gw0, gw1), so one worker's rate-limit counts, made for its own
# reader no. 1 from 127.0.0.1, are not the other's, and tests/conftest.py empties only its own.
if "KEY_PREFIX" in CACHES["default"]:
    _worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    CACHES = {
        **CACHES,
        "default": {
            **CACHES["default"],
            "KEY_PREFIX": f"{CACHES['default']['KEY_PREFIX']}:{_worker}",
        },
    }
