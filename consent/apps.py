from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent and privacy"

    def ready(self) -> None:
        from consent import pseudonyms

        pseudonyms.check_configuration()  # a short DJANGO_PSEUDONYM_KEY stops the start-up
        # Each app declares its personal data in its own ``privacy.py``.
        autodiscover_modules("privacy")
        autodiscover_modules("dp_statistics")  # what editors may see, released through consent.dp
        from consent import reconsent  # noqa: F401  (connects the sign-in check)
