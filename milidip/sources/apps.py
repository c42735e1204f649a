from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "milidip.sources"
    label = "sources"
    verbose_name = "Sources and citations"

    def ready(self):
        from milidip.versions import connect_signals

        connect_signals()

        from milidip.services import run_after_save
        from milidip.sources.claims import connect_resolution_drops, derive_saved

        # Every write through the one service derives the record's claimed fields.
        run_after_save(derive_saved)
        # A record deleted outright takes its curators' resolutions with it.
        connect_resolution_drops()
