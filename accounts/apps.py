from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from consent import crypto
        from consent.fields import register_rotation_source

        # A malformed DJANGO_FIELD_ENCRYPTION_KEYS stops the start-up, not the first write.
        crypto.check_configuration()
        from django.contrib.auth.signals import user_logged_in

        from accounts.auth_log import connect_auth_signals
        from accounts.mfa import authenticator_rotation_source
        from accounts.middleware import record_sign_in

        register_rotation_source(authenticator_rotation_source)
        user_logged_in.connect(record_sign_in, dispatch_uid="accounts.record_sign_in")
        connect_auth_signals()
