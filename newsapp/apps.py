from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "newsapp"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from newsapp.receivers import on_logged_in

        user_logged_in.connect(on_logged_in, dispatch_uid="newsapp-region-visit")
