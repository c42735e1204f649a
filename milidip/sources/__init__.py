"""The provenance app: Source (an article or dataset) and the Citation base every record uses."""
