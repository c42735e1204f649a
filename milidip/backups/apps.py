from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "milidip.backups"
    label = "backups"
    verbose_name = "Backups"
