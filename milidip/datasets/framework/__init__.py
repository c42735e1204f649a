"""The machinery every dataset import shares, one module per concern; the datasets themselves
are in milidip/datasets/importers/.

- reading.py: reading a dataset's CSV files and parsing single cells (RowError, ImportFailure).
- description.py: what a dataset is (`Dataset`), its sources read from seeds/datasets/sources.toml.
- history.py: history-aware bulk writes and what the history says about the importer.
- curated.py: when a record counts as a curator's, for fields and links alike.
- records.py: `RecordSync`, reconciling a model's records (and `CountryIndex`).
- links.py: `LinkSync`, reconciling many-to-many links.
- citations.py: `CitationSync`, citing records to their rows.
- reporting.py: progress, outcomes per model, the summary.
- run.py: `ImportRun`, one run of one dataset, inside one transaction.

Imports within it point one way (pyproject.toml, "datasets-framework"): run > the syncs >
curated and history > reading, description and reporting.
"""
