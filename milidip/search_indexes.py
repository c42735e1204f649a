"""Full-text GIN indexes on PostgreSQL, built on exactly the expression `search` queries use.

Migrations call `add_search_index`; on SQLite (which has no GIN and searches with LIKE) they do
nothing.
"""

from django.contrib.postgres.indexes import GinIndex

from milidip.search import search_vector


def search_index(model_name, fields):
    return GinIndex(search_vector(fields), name=f"{model_name}_search")


def add_search_index(app_label, model_name, fields):
    """A migration operation's forward and backward functions for one model's search index."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model(app_label, model_name)
            schema_editor.add_index(model, search_index(model_name, fields))

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            model = apps.get_model(app_label, model_name)
            schema_editor.remove_index(model, search_index(model_name, fields))

    return forward, backward
