from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "milidip.datasets"
    label = "datasets"
    verbose_name = "Datasets and fixtures"
