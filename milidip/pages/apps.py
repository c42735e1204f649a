from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "milidip.pages"
    label = "pages"
    verbose_name = "Public pages"
