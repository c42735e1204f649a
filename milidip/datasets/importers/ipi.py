"""IPI Peacekeeping Database ("Providing for Peacekeeping"): monthly strengths and contributions.

Reads seeds/datasets/ipi_pko_data_mission.csv (one row per mission and month, November 1990 to
March 2017) and ipi_pko_contributions_2014-03.csv (one row per contributing country and
mission, March 2014). It runs after cow-states, whose countries it finds by ISO code, and
after un-pko, whose missions it finds by acronym. "NA" (or a blank cell) is a figure IPI does
not give: None.

Missions:

- A row's `Mission` is a mission's UN acronym (`un_acronym`). `ALIASES` maps IPI's other
  spellings to the UN list's: from May 2005 to June 2006 IPI writes UNOCI by its French
  acronym, ONUCI, in the middle of UNOCI's months.
- A stored mission (one of the UN list) is only read, except its hosts: where it has none,
  they are the stored countries IPI names as its "Country of Mission" (UNIFIL: LBN), each cited
  at the first row naming it. IPI's country is where the headquarters is, not every host
  (UNMOGIP's is Pakistan alone; MINURSO's Western Sahara is no state in COW and is left out):
  hosts a curator set are never replaced.
- A mission not stored is created (16 missions IPI covers that the UN list does not, mostly
  political missions such as UNAMA): slug "un-" and its acronym in lower case, organisation
  the United Nations, short name the acronym. The data gives no name and no kind: the name is
  the acronym and the kind "political", except for the missions in `PEACEKEEPING`; the import
  sets both once and never changes them, so a curator can correct them. Its start is its
  first month in IPI, so marked in the citation of that row ("start: its first month in IPI");
  blank when that is the data's first month (November 1990: it may have begun before). Its end
  is the last month IPI reports (it has ended), blank when that is the data's last month
  (still deployed then: end_kind censored, coverage_end that month). Its headquarters are
  its first row's "Mission HQ", a MissionLocation with coordinates. IPI labels the two
  coordinate columns the wrong way round in every row (Juba's 4.85 is under "Mission HQ
  Longitude"): the latitude is read from "Mission HQ Longitude" and
  the longitude from "Mission HQ Latitude". Its acronym (as short name), start and end are
  the claims of the rows that give them (milidip.sources.claims: the first row states the
  acronym and start, the last the end), written when the mission is created and derived from
  every source's claims after that (the UN list's come first, seeds/datasets/precedence.toml).
  A mission of the UN list is given no such claim: its months in IPI are when IPI saw it,
  not its dates. Its hosts are the countries of its rows' "Country
  of Mission ISO-3" (an unknown code makes a bad row), written with history like its other
  fields: a curator's change of them is kept unless --overwrite. It cites its first row, its
  last (its end) and the first row naming each other country of mission.

Monthly strengths: each mission-month row is a MissionStrength of its mission for the month of
`Date` (IPI's last day of the month, sometimes a day or two before it: 2000-02-28), with
Troops, Police, Observers and Total. Total must be the sum of the other three (an NA counting
as none) and a mission has one row a month, or the row is bad. A strength carries its own
source and locator (ipi_pko_data_mission.csv:<row>): missions do not cite their 5,330 rows. A
month before its mission's start or after its end (at the coarser precision) is kept, flagged
`outside_mission_dates`: the API shows it and filters on it (17 UN missions have such months).

Contributions: each contributions row is a MissionContribution of its country
(Contributor_ISO-3; unknown is a bad row) to its mission as of the month of its Date
("2014-03"). personnel is Total; troops is Troops; police is Civilian_Police, which in IPI is
Formed_Police_Units plus Inidividual_Police [sic] (when both are given and differ, the row is
bad; when Civilian_Police is NA, their sum); observers is Observers, which IPI copies from
Experts_on_Mission (the UN's military observers and other experts; when they differ the row is
bad). Total must be troops + police + observers. Each contribution is cited through its
mission, at its row.
"""

from collections import defaultdict
from dataclasses import dataclass

from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.history import created_by
from milidip.datasets.framework.reading import Input, RowError, end_values, parse_int
from milidip.datasets.framework.records import CountryIndex
from milidip.datasets.importers.un_pko import (
    coordinate,
    day,
    mission_slug,
    sync_headquarters,
    united_nations,
)
from milidip.records import Status
from missions.models import (
    Mission,
    MissionCitation,
    MissionContribution,
    MissionStrength,
    outside_dates,
)

NOT_GIVEN = frozenset({"", "NA"})
ACRONYM_MAX_LENGTH = Mission._meta.get_field("un_acronym").max_length

# IPI's acronyms for missions the UN list writes otherwise.
ALIASES = {
    "ONUCI": "UNOCI",  # Opération des Nations Unies en Côte d'Ivoire, IPI 2005-05 to 2006-06
}

# Missions the import creates that are peacekeeping missions, not political ones.
PEACEKEEPING = {
    "UNTMIH",  # UN Transition Mission in Haiti (1997), between UNSMIH and MIPONUH of the list
    "UNFOR",  # in the UN list, whose row has no dates (see un_pko)
    "LBB",  # the UN Logistics Base in Brindisi: it supports the peacekeeping missions
}


@dataclass
class Month:
    """One mission-month row, parsed."""

    acronym: str
    month: str
    troops: int | None
    police: int | None
    observers: int | None
    total: int | None
    country: str
    headquarters: str
    latitude: object
    longitude: object
    row: object


@dataclass
class Contribution:
    """One contributions row, parsed."""

    acronym: str
    country: object
    as_of: str
    personnel: int | None
    troops: int | None
    police: int | None
    observers: int | None
    row: object


def figure(value, *, what):
    """A head count; None when IPI does not give it."""
    if value in NOT_GIVEN:
        return None
    number = parse_int(value, what=what)
    if number < 0:
        raise RowError(f"{what} {number} is negative")
    return number


def month_of(value):
    """The YYYY-MM of a Date cell (YYYY-MM-DD), checked."""
    date = day(value, what="reporting")
    if not date:
        raise RowError("no Date")
    return date[:7]


def acronym_of(value):
    acronym = ALIASES.get(value, value)
    if not acronym:
        raise RowError("no Mission")
    if len(acronym) > ACRONYM_MAX_LENGTH:
        raise RowError(f"Mission {acronym!r} is longer than {ACRONYM_MAX_LENGTH}")
    return acronym


def owned_claims(acronym, rows, first_month, last_month):
    """{row number: its claims} of a mission the import owns (milidip.sources.claims): the
    first row states the acronym (as `short_name`) and the first month as the start, unless
    it is the data's first month (the mission may have begun before); the last row states the
    last month as the end, unless it is the data's last month (still deployed then)."""
    first, last = rows[0], rows[-1]
    claims = defaultdict(dict)
    claims[first.row.number]["short_name"] = acronym
    if first.month != first_month:
        claims[first.row.number]["start"] = first.month
    if last.month != last_month:
        claims[last.row.number]["end"] = last.month
    return claims


def check_total(total, parts):
    given = sum(part or 0 for part in parts)
    if total is not None and total != given:
        raise RowError(f"Total {total} is not the sum of the others ({given})")


class Ipi(Dataset):
    name = "ipi"
    inputs = {
        "months": Input(
            "ipi_pko_data_mission.csv",
            columns=(
                "date",
                "mission",
                "country of mission iso-3",
                "mission hq",
                "mission hq longitude",
                "mission hq latitude",
                "troops",
                "police",
                "observers",
                "total",
            ),
        ),
        "contributions": Input(
            "ipi_pko_contributions_2014-03.csv",
            columns=(
                "date",
                "contributor_iso-3",
                "mission",
                "experts_on_mission",
                "formed_police_units",
                "inidividual_police",
                "civilian_police",
                "troops",
                "observers",
                "total",
            ),
        ),
    }

    def load(self, run):
        organisation = united_nations()
        sources = run.sync_sources()
        months_source = sources["ipi-peacekeeping-mission-months"]
        contributions_source = sources["ipi-peacekeeping-contributions-2014-03"]
        index = CountryIndex()
        months = self.read_months(run)
        hosts = run.links(Mission, {"hosts": "code"})
        missions, ours = self.sync_missions(run, months, organisation, index)
        countries = self.countries_of_mission(months, index)
        for acronym, rows in ours.items():
            hosts.put(missions[acronym], {"hosts": {month.country for month in rows}})
        for acronym, named in countries.items():
            if acronym not in ours:
                # A UN list mission: its hosts filled where blank (a curator's stay).
                hosts.put(missions[acronym], {"hosts": set(named)})
        hosts.flush()
        self.sync_locations(run, ours, missions)
        self.sync_strengths(run, months, missions, months_source)
        contributions = self.read_contributions(run, index, missions)
        self.sync_contributions(run, contributions, missions)

        citations = run.citations(MissionCitation, [months_source, contributions_source])
        for acronym, named in countries.items():
            if acronym not in ours:
                for code, month in named.items():
                    citations.cite(
                        missions[acronym],
                        months_source,
                        month.row,
                        note=f"Country of mission {code}",
                    )
        first_month = min((month.month for month in months), default="")
        last_month = max((month.month for month in months), default="")
        for acronym, rows in ours.items():
            first, last = rows[0], rows[-1]
            cited = {first.row.number: "Acronym, headquarters, country of mission"}
            if first.month != first_month:
                cited[first.row.number] += (
                    "; start: its first month in IPI, not a start date the source gives"
                )
            countries = {first.country}
            for month in rows:
                if month.country not in countries:
                    countries.add(month.country)
                    cited[month.row.number] = f"Country of mission {month.country}"
            cited.setdefault(last.row.number, "Its last month in the data")
            claims = owned_claims(acronym, rows, first_month, last_month)
            for month in rows:
                if month.row.number in cited:
                    citations.cite(
                        missions[acronym],
                        months_source,
                        month.row,
                        note=cited[month.row.number],
                        states=claims.get(month.row.number),
                    )
        for contribution in contributions:
            citations.cite(
                missions[contribution.acronym],
                contributions_source,
                contribution.row,
                note=f"Contribution of {contribution.country.code} as of {contribution.as_of}",
            )
        citations.flush()
        run.derive(Mission, [missions[acronym].pk for acronym in ours])

    def read_months(self, run):
        """The mission-month rows, in file order; bad rows are reported."""
        months, seen = [], {}
        for row in run.rows("months", model=MissionStrength):
            try:
                month = self.parse_month(row)
                key = (month.acronym, month.month)
                if key in seen:
                    raise RowError(f"{month.acronym} already has {month.month} at row {seen[key]}")
            except RowError as error:
                run.bad_row(row, error, model=MissionStrength)
                continue
            seen[key] = row.number
            months.append(month)
        return months

    @staticmethod
    def parse_month(row):
        month = month_of(row["date"])
        acronym = acronym_of(row["mission"])
        troops = figure(row["troops"], what="Troops")
        police = figure(row["police"], what="Police")
        observers = figure(row["observers"], what="Observers")
        total = figure(row["total"], what="Total")
        check_total(total, (troops, police, observers))
        latitude, longitude = (
            coordinate(
                "" if row[column.lower()] in NOT_GIVEN else row[column.lower()],
                what=f"{column} (IPI's {meaning})",
                limit=limit,
            )
            for column, meaning, limit in (
                ("Mission HQ Longitude", "latitude", 90),
                ("Mission HQ Latitude", "longitude", 180),
            )
        )
        if (latitude is None) != (longitude is None):
            raise RowError("one Mission HQ coordinate without the other")
        return Month(
            acronym,
            month,
            troops,
            police,
            observers,
            total,
            row["country of mission iso-3"],
            row["mission hq"],
            latitude,
            longitude,
            row,
        )

    def sync_missions(self, run, months, organisation, index):
        """Find each row's mission and create the missing ones. Returns the missions by
        acronym and the rows of the missions this import owns (created now or before) by
        acronym. The rows of owned missions whose country is unknown
        are reported and dropped from `months`."""
        acronyms = list(dict.fromkeys(month.acronym for month in months))
        missions = {
            mission.un_acronym: mission
            for mission in Mission.objects.filter(un_acronym__in=acronyms)
        }
        owned = created_by(run, Mission, [mission.pk for mission in missions.values()])
        last_month = max((month.month for month in months), default="")
        first_month = min((month.month for month in months), default="")
        ours, kept = defaultdict(list), []
        for month in months:
            mission = missions.get(month.acronym)
            if mission is None or mission.pk in owned:
                if month.country not in index.by_code:
                    run.bad_row(
                        month.row,
                        f"unknown country: Country of Mission ISO-3 {month.country!r} is not a "
                        "stored country's code",
                        model=MissionStrength,
                    )
                    continue
                ours[month.acronym].append(month)
            kept.append(month)
        months[:] = kept

        taken = dict(Mission.objects.values_list("slug", "un_acronym"))
        sync = run.records(
            Mission,
            fields=("organisation", "ended", "end_kind", "coverage_end"),
            create_defaults={"status": Status.PUBLISHED},
        )
        for acronym, rows in list(ours.items()):
            last = rows[-1].month
            values = {
                "short_name": acronym,
                "organisation": organisation,
                "start": "" if rows[0].month == first_month else rows[0].month,
                **end_values("" if last == last_month else last, last_month),
                "ended": last != last_month,
            }
            instance = missions.get(acronym)
            if instance is None:
                slug = mission_slug(acronym)
                if slug in taken:
                    for month in rows:
                        run.bad_row(
                            month.row,
                            f"mission {acronym} is not stored and its slug {slug} is taken by "
                            "another mission",
                            model=MissionStrength,
                        )
                    months[:] = [month for month in months if month.acronym != acronym]
                    del ours[acronym]
                    continue
                kind = Mission.Kind.POLITICAL
                if acronym in PEACEKEEPING:
                    kind = Mission.Kind.PEACEKEEPING
                values.update(slug=slug, un_acronym=acronym, name=acronym, kind=kind)
            instance = sync.put(values, instance=instance, row=rows[0].row)
            if instance is None:
                months[:] = [month for month in months if month.acronym != acronym]
                del ours[acronym]
                continue
            missions[acronym] = instance
        sync.flush()
        return missions, dict(ours)

    @staticmethod
    def countries_of_mission(months, index):
        """{acronym: {country code: its first row}}: the stored countries IPI names as each
        mission's country of mission, in the order of their first month."""
        named = defaultdict(dict)
        for month in months:
            if month.country in index.by_code:
                named[month.acronym].setdefault(month.country, month)
        return named

    def sync_locations(self, run, ours, missions):
        """The headquarters of the missions this import owns, from their first row."""
        sync_headquarters(
            run,
            [
                (
                    missions[acronym],
                    rows[0].headquarters,
                    rows[0].latitude,
                    rows[0].longitude,
                    rows[0].row,
                )
                for acronym, rows in ours.items()
                if rows[0].headquarters
            ],
        )

    def sync_strengths(self, run, months, missions, source):
        stored = {
            (strength.mission_id, strength.month): strength
            for strength in MissionStrength.objects.filter(mission__in=list(missions.values()))
        }
        figures = ("troops", "police", "observers", "total")
        sync = run.records(
            MissionStrength,
            fields=(*figures, "source", "locator", "outside_mission_dates"),
            enrich_fields=figures,
        )
        for month in months:
            mission = missions[month.acronym]
            sync.put(
                {
                    "mission": mission,
                    "month": month.month,
                    "troops": month.troops,
                    "police": month.police,
                    "observers": month.observers,
                    "total": month.total,
                    "source": source,
                    "locator": month.row.locator,
                    "outside_mission_dates": outside_dates(month.month, mission.start, mission.end),
                },
                instance=stored.get((mission.pk, month.month)),
                row=month.row,
            )
        sync.flush()

    def read_contributions(self, run, index, missions):
        """The contributions rows, in file order; bad rows are reported. Adds the missions
        they name that the mission-month file does not to `missions`."""
        rows = list(run.rows("contributions", model=MissionContribution))
        wanted = {ALIASES.get(row["mission"], row["mission"]) for row in rows} - set(missions)
        missions.update(
            (mission.un_acronym, mission)
            for mission in Mission.objects.filter(un_acronym__in=wanted)
        )
        contributions, seen = [], {}
        for row in rows:
            try:
                contribution = self.parse_contribution(row, index, missions)
                key = (contribution.acronym, contribution.country.code, contribution.as_of)
                if key in seen:
                    raise RowError(
                        f"{key[1]} already contributes to {key[0]} as of {key[2]} at row "
                        f"{seen[key]}"
                    )
            except RowError as error:
                run.bad_row(row, error, model=MissionContribution)
                continue
            seen[key] = row.number
            contributions.append(contribution)
        return contributions

    @staticmethod
    def parse_contribution(row, index, missions):
        as_of = month_of(row["date"])
        code = row["contributor_iso-3"]
        country = index.by_code.get(code)
        if country is None:
            raise RowError(f"unknown country: Contributor_ISO-3 {code!r} is not a stored country")
        acronym = acronym_of(row["mission"])
        if acronym not in missions:
            raise RowError(
                f"unknown mission: no stored mission has the acronym {acronym!r} (import "
                "un-pko first)"
            )
        experts = figure(row["experts_on_mission"], what="Experts_on_Mission")
        formed = figure(row["formed_police_units"], what="Formed_Police_Units")
        individual = figure(row["inidividual_police"], what="Inidividual_Police")
        police = figure(row["civilian_police"], what="Civilian_Police")
        troops = figure(row["troops"], what="Troops")
        observers = figure(row["observers"], what="Observers")
        total = figure(row["total"], what="Total")
        units = (formed, individual)
        if any(part is not None for part in units):
            summed = sum(part or 0 for part in units)
            if police is None:
                police = summed
            elif police != summed:
                raise RowError(
                    f"Civilian_Police {police} is not Formed_Police_Units + Inidividual_Police "
                    f"({summed})"
                )
        if None not in (observers, experts) and observers != experts:
            raise RowError(f"Observers {observers} and Experts_on_Mission {experts} differ")
        if observers is None:
            observers = experts
        check_total(total, (troops, police, observers))
        return Contribution(acronym, country, as_of, total, troops, police, observers, row)

    def sync_contributions(self, run, contributions, missions):
        as_of = {contribution.as_of for contribution in contributions}
        stored = {
            (contribution.mission_id, contribution.country_id, contribution.as_of): contribution
            for contribution in MissionContribution.objects.filter(
                mission__in=list(missions.values()), as_of__in=as_of
            )
        }
        figures = ("personnel", "troops", "police", "observers")
        sync = run.records(MissionContribution, fields=figures, enrich_fields=figures)
        for contribution in contributions:
            mission = missions[contribution.acronym]
            sync.put(
                {
                    "mission": mission,
                    "country": contribution.country,
                    "as_of": contribution.as_of,
                    "personnel": contribution.personnel,
                    "troops": contribution.troops,
                    "police": contribution.police,
                    "observers": contribution.observers,
                },
                instance=stored.get((mission.pk, contribution.country.pk, contribution.as_of)),
                row=contribution.row,
            )
        sync.flush()
