from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "milidip.sources"
    label = "sources"
    verbose_name = "Sources and citations"
