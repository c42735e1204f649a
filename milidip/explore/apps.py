from django.apps import AppConfig


class ExploreConfig(AppConfig):
    name = "milidip.explore"
    label = "explore"
    verbose_name = "Reading across resources"
