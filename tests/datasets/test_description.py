"""A dataset's sources are data (seeds/datasets/sources.toml), read and checked when the
dataset's class is defined: a bad entry stops the importers from loading, naming the entry."""

import tomllib

import pytest
from django.core.exceptions import ImproperlyConfigured

from milidip.datasets.framework.description import Dataset, SourceSpec
from milidip.datasets.framework.reading import Input
from milidip.datasets.importers import DATASETS
from tests.datasets.conftest import DATASETS_DIR

GOOD = """
[[sample]]
slug = "sample-rows"
title = "Sample rows"
file = "sample.csv"
collection = "samples"
citation_text = "Sample Project. 2024. Rows."
licence = "free with citation"
"""


def define(path):
    class Sample(Dataset):
        name = "sample"
        inputs = {"rows": Input("sample.csv", columns=("code",))}
        descriptions = path

    return Sample


def test_every_dataset_takes_its_sources_from_the_toml_file_in_order():
    entries = tomllib.loads((DATASETS_DIR / "sources.toml").read_text())
    assert set(entries) == set(DATASETS)
    for name, dataset in DATASETS.items():
        assert [spec.slug for spec in dataset.sources] == [e["slug"] for e in entries[name]]
        assert {spec.file for spec in dataset.sources} <= {i.file for i in dataset.inputs.values()}


def test_a_good_entry_becomes_the_datasets_source(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(GOOD)
    assert define(path).sources == (
        SourceSpec(
            slug="sample-rows",
            title="Sample rows",
            file="sample.csv",
            collection="samples",
            citation_text="Sample Project. 2024. Rows.",
            licence="free with citation",
        ),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace('licence = "free with citation"\n', ""),
            "entry 1 (sample-rows): lacks licence",
        ),
        (
            GOOD + 'licence_url = "https://example.org"\n',
            "entry 1 (sample-rows): unknown keys licence_url",
        ),
        (GOOD.replace('"Sample rows"', "2024"), "entry 1 (sample-rows): title must be text"),
        (GOOD.replace("sample.csv", "other.csv"), "entry 1 (sample-rows): file 'other.csv' is not"),
        (GOOD + GOOD, "entry 2 (sample-rows): the slug 'sample-rows' is already another entry's"),
        (GOOD.replace("[[sample]]", "[[elsewhere]]"), "no [[sample]] entry describes its sources"),
        (GOOD.replace('title = "Sample rows"', "title = Sample rows"), "not valid TOML"),
    ],
)
def test_a_bad_entry_stops_the_dataset_from_loading_and_is_named(tmp_path, text, message):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(ImproperlyConfigured) as raised:
        define(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)
