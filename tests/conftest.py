import os

import pytest
from hypothesis import settings as hypothesis_settings

from newsapp import experiments, ranking, selectors
from newsapp.core import pagecache
from tests.e2e import selection as e2e_selection

# `make test` stays under three minutes on two shared cores with 50 examples a property;
# CI (.ci/run) runs the full 500 with HYPOTHESIS_PROFILE=ci.
hypothesis_settings.register_profile("dev", max_examples=50)
hypothesis_settings.register_profile("ci", max_examples=500)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_auto_num_workers(config):
    """How many pytest-xdist workers `-n auto` (pyproject.toml's addopts) starts: one per
    core this process may use, at most two (every machine of the project has two), and
    none (one process) for the browser tests or on a single core.
    PYTEST_XDIST_AUTO_NUM_WORKERS, or an explicit `-n N`, still decides."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    if e2e_selection.asked_for(config):
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(cores or 1, 2)
    return workers if workers > 1 else 0


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
        # Only this worker's keys (tests/settings.py): the other xdist worker's test is
        # counting in the same Redis database at this moment, so no FLUSHDB.
        import redis
        from django.core.cache import cache

        with redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]) as client:
            stale = list(client.scan_iter(match=f"{cache.key_prefix}:*"))
            if stale:
                client.delete(*stale)
    ranking.reset_cache()
    experiments.reset_cache()
    selectors.reset_cache()
    pagecache.clear()
    yield
    ranking.reset_cache()
    experiments.reset_cache()
    selectors.reset_cache()
    pagecache.clear()
