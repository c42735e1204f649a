from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "milidip.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self):
        from django.db.backends.signals import connection_created

        from milidip.ops.metrics import time_queries

        connection_created.connect(time_queries, dispatch_uid="milidip-ops-time-queries")
