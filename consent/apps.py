from django.apps import AppConfig
from django.core import checks
from django.utils.module_loading import autodiscover_modules


def inventory_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``manage.py check`` fails on declarations of personal data that do not hold together."""
    from consent import inventory

    return [checks.Error(problem, id="consent.E001") for problem in inventory.problems()]


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent and privacy"

    def ready(self) -> None:
        from consent import pseudonyms

        pseudonyms.check_configuration()  # a short DJANGO_PSEUDONYM_KEY stops the start-up
        # Each app registers its purposes and categories and declares its personal data
        # in its own ``privacy.py``.
        autodiscover_modules("privacy")
        # What staff may see of aggregate statistics, released through consent.dp.
        autodiscover_modules("dp_statistics")
        checks.register(inventory_check)
        from consent import changes

        changes.connect()  # every declared model's writes move its reader's data token
        from django.contrib.auth.signals import user_logged_in

        from consent.reconsent import on_logged_in

        user_logged_in.connect(on_logged_in, dispatch_uid="consent-reconsent-check")
