"""Filling the database: the curated records from fixtures/ and the public datasets from
seeds/datasets/ (the importers and the commands `load_records` and `import_dataset`)."""
