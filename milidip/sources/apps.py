from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "milidip.sources"
    label = "sources"
    verbose_name = "Sources and citations"

    def ready(self):
        from milidip.versions import connect_signals

        connect_signals()
