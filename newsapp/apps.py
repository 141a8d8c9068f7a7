from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "newsapp"
    verbose_name = "Newsroom"
