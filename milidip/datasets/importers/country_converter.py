"""country-converter (coco): each country's UN M49 region and Gleditsch-Ward code.

Reads seeds/datasets/country_converter_country_data.tsv, the classification table that the
country-converter library ships (country_converter/country_data.tsv, v1.3.2; tab-separated,
one row per country by its ISO 3166-1 alpha-3 code). It runs after cow-states, whose countries
it finds by ISO code; a row whose ISO3 no stored country has is passed over silently (the
table has 256 entries, the state system fewer; Antarctica, territories).

- `region`: the project's region for the row's UN M49 sub-region (`UNregion`), by `REGIONS`
  (Western Asia and Northern Africa are the Middle East and North Africa; the four African
  sub-regions below the Sahara, Sub-Saharan Africa; the Caribbean, Central and South America,
  Latin America). A blank or unmapped sub-region gives no region: regions come from here or an
  article, never guessed.
- `gw_code`: `GWcode` (South Sudan 626), when the row gives one.

Both are claims (milidip.sources.claims): each stored country the table has cites its row, the
citation stating the region and code the row gives and the note naming them (the M49
sub-region, the GW code). The import writes neither field itself: the shown values are derived
from every source's claims by the precedence table (M49 first for the region; MME's codes,
year by year, before the table's for the GW code), so a region a curator or an article gave
that M49 does not is shown beside the table's as a disagreement, for a curator to resolve,
never overwritten or left uncited; a later run changes nothing. The table's row for the Åland
Islands has three fields fewer than its header: it is reported as a bad row (ALA is no stored
country anyway).
"""

from alliances.models import Country, CountryCitation, Region
from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.reading import Input, RowError, parse_int
from milidip.datasets.framework.records import CountryIndex

REGIONS = {
    "Eastern Asia": Region.EAST_ASIA,
    "South-eastern Asia": Region.SOUTHEAST_ASIA,
    "Southern Asia": Region.SOUTH_ASIA,
    "Central Asia": Region.CENTRAL_ASIA,
    "Western Asia": Region.MIDDLE_EAST,
    "Northern Africa": Region.MIDDLE_EAST,
    "Eastern Africa": Region.AFRICA,
    "Middle Africa": Region.AFRICA,
    "Southern Africa": Region.AFRICA,
    "Western Africa": Region.AFRICA,
    "Eastern Europe": Region.EUROPE,
    "Northern Europe": Region.EUROPE,
    "Southern Europe": Region.EUROPE,
    "Western Europe": Region.EUROPE,
    "Northern America": Region.NORTH_AMERICA,
    "Caribbean": Region.LATIN_AMERICA,
    "Central America": Region.LATIN_AMERICA,
    "South America": Region.LATIN_AMERICA,
    "Australia and New Zealand": Region.OCEANIA,
    "Melanesia": Region.OCEANIA,
    "Micronesia": Region.OCEANIA,
    "Polynesia": Region.OCEANIA,
}


class CountryConverter(Dataset):
    name = "country-converter"
    inputs = {
        "countries": Input(
            "country_converter_country_data.tsv",
            columns=("iso3", "unregion", "gwcode"),
            delimiter="\t",
        ),
    }

    def load(self, run):
        source = run.sync_sources()["country-converter-v1-3-2"]
        index = CountryIndex()
        citations = run.citations(CountryCitation, [source])
        for row in run.rows("countries", model=Country):
            country = index.by_code.get(row["iso3"])
            if country is None:
                continue
            try:
                gw_code = parse_int(row["gwcode"], what="GWcode") if row["gwcode"] else None
            except RowError as error:
                run.bad_row(row, error, model=Country)
                continue
            region = REGIONS.get(row["unregion"], "")
            states = {}
            if region:
                states["region"] = region
            if gw_code is not None:
                states["gw_code"] = gw_code
            if not states:
                continue
            note = "; ".join(
                part
                for part in (
                    f"UN M49 sub-region {row['unregion']}" if region else "",
                    f"Gleditsch-Ward code {gw_code}" if gw_code is not None else "",
                )
                if part
            )
            citations.cite(country, source, row, note=note, states=states)
        citations.flush()
        run.derive(Country, citations.records)
