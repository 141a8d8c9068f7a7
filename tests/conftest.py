import os

import pytest
from hypothesis import settings as hypothesis_settings

from newsapp import experiments, ranking, selectors

# `make test` stays under three minutes on two shared cores with 50 examples a property;
# CI (.ci/run) runs the full 500 with HYPOTHESIS_PROFILE=ci.
hypothesis_settings.register_profile("dev", max_examples=50)
hypothesis_settings.register_profile("ci", max_examples=500)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def fast_isolated_settings(settings, tmp_path):
    """Fast hashing, in-memory e-mail, a private recommender index and media folder per
    test, and no experiment remembered from another test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RECOMMENDER_INDEX_DIR = tmp_path / "index"
    settings.MEDIA_ROOT = tmp_path / "media"
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        # Redis keeps counts between tests (the database cache is rolled back with each).
        from django.core.cache import cache

        cache.clear()
    ranking.reset_cache()
    experiments.reset_cache()
    selectors.reset_cache()
    yield
    ranking.reset_cache()
    experiments.reset_cache()
    selectors.reset_cache()
