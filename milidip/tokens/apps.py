from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "milidip.tokens"
    label = "tokens"
    verbose_name = "API tokens"
