"""Dataset imports: the public datasets in seeds/datasets/, each with its Source and citations.

`DATASETS` lists every dataset by the name `manage.py import_dataset <name>` takes, in the
order they import (later datasets find the countries the first one creates; the curated
merges come last, after every record they merge is there). A dataset is a
`framework.description.Dataset` subclass; milidip/datasets/framework/ holds the machinery they
share (reading, reconciling with stored and curated records, history, reports), and
seeds/datasets/sources.toml the Source records each dataset cites.
"""

from milidip.datasets.importers.atop import Atop
from milidip.datasets.importers.country_converter import CountryConverter
from milidip.datasets.importers.cow_alliances import CowAlliances
from milidip.datasets.importers.cow_states import CowStates
from milidip.datasets.importers.curated_merges import CuratedMerges
from milidip.datasets.importers.ipi import Ipi
from milidip.datasets.importers.ipi_contributors import IpiContributors
from milidip.datasets.importers.mme import Mme
from milidip.datasets.importers.un_pko import UnPko

DATASETS = {
    dataset.name: dataset
    for dataset in (
        CowStates,
        CountryConverter,
        CowAlliances,
        Atop,
        Mme,
        UnPko,
        Ipi,
        IpiContributors,
        CuratedMerges,
    )
}
