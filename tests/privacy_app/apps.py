from django.apps import AppConfig


class PrivacyAppConfig(AppConfig):
    """A stand-in for a future app (a help desk) that holds personal data: installed only
    for tests, it proves an app joins the privacy layer by declaring, with no edit to it."""

    name = "tests.privacy_app"
    label = "privacy_app"
    verbose_name = "Help desk (test app)"
    default_auto_field = "django.db.models.BigAutoField"
