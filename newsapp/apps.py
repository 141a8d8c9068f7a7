from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "newsapp"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from newsapp.logging import connect_auth_signals

        connect_auth_signals()
