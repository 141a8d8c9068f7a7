import pytest

from newsapp import ranking


@pytest.fixture(autouse=True)
def fast_isolated_settings(settings, tmp_path):
    """Fast hashing, in-memory e-mail, and a private recommender index per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RECOMMENDER_INDEX_DIR = tmp_path / "index"
    ranking.reset_cache()
    yield
    ranking.reset_cache()
