from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "newsapp"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from newsapp.core.sqlite import register_functions
        from newsapp.receivers import on_logged_in
        from newsapp.search.schema import ensure_installed

        user_logged_in.connect(on_logged_in, dispatch_uid="newsapp-region-visit")
        connection_created.connect(register_functions, dispatch_uid="newsapp-sqlite-functions")
        post_migrate.connect(ensure_installed, sender=self, dispatch_uid="newsapp-search-schema")
