"""IPI Peacekeeping Database: each contributing country's uniformed personnel month by month.

Reads seeds/datasets/ipi_contributor_months.csv: IPI's 148 per-country files
(ppp_files/countries/<Country>.csv) put one after the other by
seeds/datasets/combine_ipi_contributor_months.py, with a Country column holding the file's name.
It runs after cow-states, whose countries it finds by ISO code.

Each row is a ContributorMonth of its country for the month of `Date` (IPI's last day of the
month): Troops, Police and Experts (experts on mission, the military observers among them), in
all UN missions together: IPI's country files give no breakdown by mission. "NA" (or a blank
cell) is a figure IPI does not give: None. A country has one row a month, or the row is bad.

Countries: IPI names them its own way; the ISO 3166-1 alpha-3 code is the one pycountry finds
for the name, or the one in `ISO_CODES` for the names pycountry does not know. A name with no
code, or a code no stored country has, makes a bad row.

Provenance: each month carries its source and locator (ipi_contributor_months.csv:<row>), like
the missions' monthly strengths; the countries do not cite their 25,657 rows. Re-running on the
same file changes nothing.
"""

import pycountry

from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.reading import Input, RowError
from milidip.datasets.framework.records import CountryIndex
from milidip.datasets.importers.ipi import figure, month_of
from missions.models import ContributorMonth

# IPI's country names that pycountry does not match (or matches to the wrong code).
ISO_CODES = {
    "Brunei": "BRN",
    "Cape Verde": "CPV",
    "Cote d Ivoire": "CIV",
    "DR Congo": "COD",
    "Macedonia": "MKD",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Republic of Korea": "KOR",
    "Turkey": "TUR",
}


def iso_code(name):
    """The ISO alpha-3 code of an IPI country name, or RowError."""
    if name in ISO_CODES:
        return ISO_CODES[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        raise RowError(f"unknown country: no ISO 3166 code for IPI's name {name!r}") from None


class IpiContributors(Dataset):
    name = "ipi-contributors"
    inputs = {
        "months": Input(
            "ipi_contributor_months.csv",
            columns=("country", "date", "troops", "police", "experts"),
        ),
    }

    def load(self, run):
        source = run.sync_sources()["ipi-peacekeeping-contributor-months"]
        index = CountryIndex()
        stored = {
            (point.country_id, point.month): point for point in ContributorMonth.objects.all()
        }
        figures = ("troops", "police", "experts")
        sync = run.records(
            ContributorMonth, fields=(*figures, "source", "locator"), enrich_fields=figures
        )
        seen = {}
        for row in run.rows("months", model=ContributorMonth):
            try:
                code = iso_code(row["country"])
                country = index.by_code.get(code)
                if country is None:
                    raise RowError(
                        f"unknown country: {row['country']!r} is {code}, not a stored country"
                    )
                month = month_of(row["date"])
                key = (country.pk, month)
                if key in seen:
                    raise RowError(f"{code} already has {month} at row {seen[key]}")
                values = {
                    "country": country,
                    "month": month,
                    "troops": figure(row["troops"], what="Troops"),
                    "police": figure(row["police"], what="Police"),
                    "experts": figure(row["experts"], what="Experts"),
                    "source": source,
                    "locator": row.locator,
                }
            except RowError as error:
                run.bad_row(row, error, model=ContributorMonth)
                continue
            seen[key] = row.number
            sync.put(values, instance=stored.get(key), row=row)
        sync.flush()
