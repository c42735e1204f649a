"""Shared API plumbing: errors, pagination, filters, renderers, caching and the schema."""
