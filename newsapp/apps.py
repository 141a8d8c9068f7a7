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

        from consent.extensions import PageInputs, register_page_inputs
        from newsapp import display, ranking, selectors

        # The dashboard's sections (the feed against everything published, the experiments)
        # are made from the content too, and every page looks as the display choice says.
        # The content version is read with the reader's data version, in one query.
        register_page_inputs(
            PageInputs(
                version=lambda user: selectors.versions_for(user=user)[0],
                cookie_name=display.cookie_name,
                variant=display.choice,
                around=ranking.one_version_read,
            )
        )
