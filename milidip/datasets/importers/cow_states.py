"""COW country codes and State System Membership v2016: every state, its codes, its spells.

Reads seeds/datasets/COW-country-codes.csv (abbreviation, COW code and name; one row per spell
of membership, so a code can repeat) and states2016.csv (the same rows, with the dates of each
spell). Each state becomes a Country, each spell a StateSystemMembership:

- A Country is found by its COW code, else by its country code; a curated one (KOR, USA ...)
  only gets its blank COW code and abbreviation filled and keeps its curated name. A new one
  is published (it comes from an established dataset) under COW's name.
- Its code is the ISO 3166-1 alpha-3 code pycountry finds for COW's name (current codes first,
  then historical ones such as DDR), or the one in `ISO_CODES` for the names pycountry cannot
  match. COW abbreviations are never looked up as ISO codes: they often are another country's
  (COW's AUS is Austria, ISO's is Australia; COW's MAC is Macedonia, ISO's Macao).
- A state with no ISO code gets the user-assigned code in `USER_ASSIGNED_CODES`: X followed by
  the first and last letters of its COW abbreviation (Bavaria, BAV: XBV), except Kosovo, which
  takes XKX, the code the European Commission and the IMF already use. A state in neither
  table and unknown to pycountry is reported, not given an invented code.
- A spell's end is blank when the state was still a member when the data ends: COW writes the
  end of the data (2016-12-31 in v2016, the `version` column) for those.
- Each Country cites the COW country codes file at each of its rows, and the State System
  Membership file at each of its spells' rows (spells are cited through their country).
"""

from dataclasses import dataclass, field

import pycountry

from alliances.models import Country, CountryCitation, StateSystemMembership
from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.reading import Input, RowError, parse_int, partial_date
from milidip.datasets.framework.records import CountryIndex
from milidip.dates import is_not_before
from milidip.records import Status

# COW states whose names pycountry does not match to the right ISO 3166-1 alpha-3 code.
ISO_CODES = {
    56: "LCA",  # St. Lucia
    57: "VCT",  # St. Vincent and the Grenadines
    58: "ATG",  # Antigua & Barbuda
    60: "KNA",  # St. Kitts and Nevis
    315: "CSK",  # Czechoslovakia: ISO's historical code (withdrawn 1993)
    343: "MKD",  # Macedonia, now North Macedonia
    # COW 345 is one continuous member: Serbia from 1878, Yugoslavia 1918-2006, Serbia since;
    # it takes Serbia's current code, as COW 365 (Russia, the USSR included) takes RUS.
    345: "SRB",
    365: "RUS",  # Russia (pycountry: Russian Federation)
    402: "CPV",  # Cape Verde, now Cabo Verde
    437: "CIV",  # Ivory Coast, Côte d'Ivoire
    490: "COD",  # Democratic Republic of the Congo
    572: "SWZ",  # Swaziland, now Eswatini
    640: "TUR",  # Turkey, now Türkiye
    680: "YMD",  # Yemen People's Republic (South Yemen): ISO's historical code
    835: "BRN",  # Brunei Darussalam
    860: "TLS",  # East Timor: Timor-Leste (COW's state begins in 2002; TMP was the colony's)
}

# COW states with no ISO code: X + the first and last letters of the COW abbreviation.
USER_ASSIGNED_CODES = {
    240: "XHN",  # Hanover (HAN)
    245: "XBV",  # Bavaria (BAV)
    260: "XGR",  # German Federal Republic (GFR), 1955-1990; DEU is COW 255, Germany
    267: "XBD",  # Baden (BAD)
    269: "XSX",  # Saxony (SAX)
    271: "XWT",  # Wuerttemburg (WRT)
    273: "XHE",  # Hesse Electoral (HSE)
    275: "XHG",  # Hesse Grand Ducal (HSG)
    280: "XMC",  # Mecklenburg Schwerin (MEC)
    300: "XAH",  # Austria-Hungary (AUH)
    327: "XPP",  # Papal States (PAP)
    329: "XSC",  # Two Sicilies (SIC)
    332: "XMD",  # Modena (MOD)
    335: "XPA",  # Parma (PMA)
    337: "XTS",  # Tuscany (TUS)
    347: "XKX",  # Kosovo (KOS): the code the European Commission and the IMF use
    511: "XZN",  # Zanzibar (ZAN)
    678: "XYR",  # Yemen Arab Republic (YAR), North Yemen; YEM is COW 679, Yemen
    730: "XKR",  # Korea (KOR), 1887-1905; KOR is South Korea's ISO code
    817: "XRN",  # Republic of Vietnam (RVN), South Vietnam
}


def country_code(cow_code, name):
    """The country code for a COW state, or None when it has none (see the module docstring)."""
    if cow_code in USER_ASSIGNED_CODES:
        return USER_ASSIGNED_CODES[cow_code]
    if cow_code in ISO_CODES:
        return ISO_CODES[cow_code]
    for countries in (pycountry.countries, pycountry.historic_countries):
        try:
            return countries.lookup(name).alpha_3
        except LookupError:
            continue
    return None


@dataclass
class State:
    """A state as the country codes file gives it, with the rows that name it."""

    cow_code: int
    abbreviation: str
    name: str
    code: str
    rows: list = field(default_factory=list)


@dataclass
class Spell:
    """A spell of membership as the State System Membership file gives it."""

    cow_code: int
    start: str
    end: str
    row: object


class CowStates(Dataset):
    name = "cow-states"
    inputs = {
        "codes": Input("COW-country-codes.csv", columns=("stateabb", "ccode", "statenme")),
        "states": Input(
            "states2016.csv",
            columns=(
                "stateabb",
                "ccode",
                "statenme",
                "styear",
                "stmonth",
                "stday",
                "endyear",
                "endmonth",
                "endday",
                "version",
            ),
        ),
    }

    def load(self, run):
        sources = run.sync_sources()
        codes_source = sources["cow-country-codes"]
        states_source = sources["cow-state-system-membership-v2016"]
        states = self.read_states(run)
        spells = self.read_spells(run, states)
        countries = self.sync_countries(run, states)
        self.sync_spells(run, spells, countries)
        citations = run.citations(CountryCitation, [codes_source, states_source])
        for state in states.values():
            country = countries.get(state.cow_code)
            for row in state.rows if country else ():
                citations.cite(country, codes_source, row, note="COW code, abbreviation, name")
        for spell in spells:
            country = countries.get(spell.cow_code)
            if country:
                citations.cite(country, states_source, spell.row, note="Dates in the system")
        citations.flush()

    def read_states(self, run):
        """The states of the country codes file, by COW code; bad rows are reported."""
        states, codes = {}, {}
        for row in run.rows("codes", model=Country):
            try:
                cow_code, abbreviation, name = self.identity(row)
                state = states.get(cow_code)
                if state is None:
                    code = country_code(cow_code, name)
                    if code is None:
                        raise RowError(
                            f"COW {cow_code} “{name}” has no ISO 3166 code that pycountry "
                            "knows and none in ISO_CODES or USER_ASSIGNED_CODES "
                            "(milidip/datasets/importers/cow_states.py)"
                        )
                    if code in codes:
                        raise RowError(f"its code {code} is already COW {codes[code]}'s")
                    state = State(cow_code, abbreviation, name, code)
                elif (abbreviation, name) != (state.abbreviation, state.name):
                    raise RowError(
                        f"COW {cow_code} is {state.abbreviation} “{state.name}” at row "
                        f"{state.rows[0].number}, not {abbreviation} “{name}”"
                    )
            except RowError as error:
                run.bad_row(row, error, model=Country)
                continue
            states[cow_code] = state
            codes[state.code] = cow_code
            state.rows.append(row)
        return states

    def read_spells(self, run, states):
        """The spells of the State System Membership file; bad rows are reported."""
        spells, starts = [], {}
        codes_file = self.inputs["codes"].file
        for row in run.rows("states", model=StateSystemMembership):
            try:
                cow_code, abbreviation, name = self.identity(row)
                state = states.get(cow_code)
                if state is None:
                    raise RowError(
                        f"unknown country: COW {cow_code} is not among the states read "
                        f"from {codes_file}"
                    )
                if (abbreviation, name) != (state.abbreviation, state.name):
                    raise RowError(
                        f"COW {cow_code} is {state.abbreviation} “{state.name}” in "
                        f"{codes_file}, not {abbreviation} “{name}”"
                    )
                start = partial_date(row["styear"], row["stmonth"], row["stday"], what="start")
                end = partial_date(row["endyear"], row["endmonth"], row["endday"], what="end")
                if not start:
                    raise RowError("no start year")
                if end == f"{row['version']}-12-31":
                    end = ""
                if not is_not_before(end, start):
                    raise RowError(f"the spell ends ({end}) before it starts ({start})")
                if (cow_code, start) in starts:
                    raise RowError(
                        f"COW {cow_code} already has a spell from {start} at row "
                        f"{starts[cow_code, start]}"
                    )
            except RowError as error:
                run.bad_row(row, error, model=StateSystemMembership)
                continue
            starts[cow_code, start] = row.number
            spells.append(Spell(cow_code, start, end, row))
        return spells

    @staticmethod
    def identity(row):
        """COW code, abbreviation and name of a row, checked."""
        cow_code = parse_int(row["ccode"], what="COW code")
        abbreviation, name = row["stateabb"], row["statenme"]
        if not 0 < cow_code < 1000:
            raise RowError(f"COW code {cow_code} is not between 1 and 999")
        if not (abbreviation.isalpha() and abbreviation.isupper() and len(abbreviation) == 3):
            raise RowError(f"COW abbreviation {abbreviation!r} is not three capital letters")
        if not name:
            raise RowError("no state name")
        return cow_code, abbreviation, name

    def sync_countries(self, run, states):
        """Match each state to a stored Country or create one; returns them by COW code."""
        index = CountryIndex()
        matches, claimed = {}, {}
        for state in states.values():
            country = index.by_cow.get(state.cow_code)
            if country:
                matches[state.cow_code] = country
                claimed[country.pk] = state.cow_code
        for state in states.values():
            country = index.by_code.get(state.code)
            if state.cow_code in matches or country is None:
                continue
            if country.pk in claimed:
                run.bad_row(
                    state.rows[0],
                    f"{country} has COW code {country.cow_code}, not {state.cow_code}",
                    model=Country,
                )
                matches[state.cow_code] = None
                continue
            matches[state.cow_code] = country
            claimed[country.pk] = state.cow_code
        sync = run.records(
            Country,
            fields=("name", "cow_code", "cow_abbreviation"),
            enrich_fields=("cow_code", "cow_abbreviation"),
            create_defaults={"status": Status.PUBLISHED},
        )
        countries = {}
        for state in states.values():
            if state.cow_code in matches and matches[state.cow_code] is None:
                continue
            countries[state.cow_code] = sync.put(
                {
                    "code": state.code,
                    "name": state.name,
                    "cow_code": state.cow_code,
                    "cow_abbreviation": state.abbreviation,
                },
                instance=matches.get(state.cow_code),
                row=state.rows[0],
            )
        sync.flush()
        return {cow_code: country for cow_code, country in countries.items() if country}

    def sync_spells(self, run, spells, countries):
        """Create or update the spells of the imported countries."""
        stored = {
            (spell.country_id, spell.start): spell for spell in StateSystemMembership.objects.all()
        }
        sync = run.records(StateSystemMembership, fields=("end",))
        for spell in spells:
            country = countries.get(spell.cow_code)
            if country is None:
                run.bad_row(
                    spell.row,
                    f"COW {spell.cow_code} was not imported (see above)",
                    model=StateSystemMembership,
                )
                continue
            sync.put(
                {"country": country, "start": spell.start, "end": spell.end},
                instance=stored.get((country.pk, spell.start)),
                row=spell.row,
            )
        sync.flush()
