from django.apps import AppConfig


class EmbedsConfig(AppConfig):
    name = "milidip.embeds"
    label = "embeds"
    verbose_name = "Embeds"
