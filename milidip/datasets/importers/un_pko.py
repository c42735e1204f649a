"""UN peacekeeping missions (UN Peace and Security Data Hub, DPPADPOSS-PKO): every mission.

Reads seeds/datasets/un_pko_missions_DPPADPOSS-PKO.csv, one row per mission. Each row becomes a
Mission mandated by the United Nations (the curated Alliance `united-nations`), of kind
peacekeeping:

- Its identity is its acronym (`mission_acronym`, kept in `un_acronym` and as the short name);
  a new mission's slug is "un-" and the acronym in lower case ("un-unifil", "un-unosom-ii"),
  set once and never changed. A stored mission with the acronym (the ipi import may have
  created it first, or a curator) is the same mission, not a duplicate: its organisation is
  filled where blank, and the row's claims join its other sources'.
- name: `mission_name`. DOMREP's is cut short in the file (and opens with a stray quote): it
  takes the name in `NAMES`.
- start and end: `start_date` and `end_date` (YYYY-MM-DD; blank is unknown). A blank end means
  the date is not known. `mission_isactive` (Yes or No, in any case) says whether the mission
  has ended (`ended`): a mission that says Yes but has an end is a bad row. UNOHCI and UNFOR
  have no dates at all and say No: they are stored as ended, dates unknown.
- The headquarters (`mission_location`) becomes a MissionLocation with `mission_latitude` and
  `mission_longitude`, written with decimal commas ("45,8167"). Old missions have none; UNTSO
  has a place but no coordinates. A coordinate that is not a number, is out of range or has
  more than five decimals, or one given without the other or without a place, makes a bad row.
  Seven rows give the two coordinates the other way round (`SWAPPED_COORDINATES`): they are
  read swapped back.
- Each mission cites its row, and the citation states the row's claims
  (milidip.sources.claims): name, acronym (as `short_name`), start and end where given. Those
  fields are written when the import creates a mission; after that they are derived from all
  sources' claims by the precedence table (seeds/datasets/precedence.toml), so an article's or
  IPI's claim is never overwritten and the UN's stays visible beside theirs.

The articles' South Korean deployments to Lebanon and South Sudan (fixtures/50_missions.json)
serve in UN missions of this list: `DEPLOYMENTS` names the mission each serves in. The import
sets their `part_of` where it is blank (never replacing a value a curator gave) and cites the
UN mission's row on them; they stay national deployments, not duplicates of the UN missions.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.text import slugify

from alliances.models import Alliance
from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.reading import ImportFailure, Input, RowError, partial_date
from milidip.dates import is_not_before
from milidip.records import Status, last_history_id, snapshot_m2m_history
from missions.models import Mission, MissionCitation, MissionLocation

ORGANISATION = "united-nations"
# The dates a row states as claims; name and acronym it always states (`mission_claims`).
CLAIMS = ("start", "end")
ACRONYM_MAX_LENGTH = Mission._meta.get_field("un_acronym").max_length
COORDINATE_PLACES = 5

# Rows that give the latitude as mission_longitude and the longitude as mission_latitude. Each
# place is given the right way round elsewhere: Mogadishu in UNOSOM's row, Luanda in UNAVEM's
# and MONUA's, Gaza in UNEF I's and UNEF II's; read as written, Bamako (MINUSMA) would lie in
# the Atlantic off Angola and Athens (UNSCOB) in Saudi Arabia.
SWAPPED_COORDINATES = {
    "UNOSOM I",
    "UNOSOM II",
    "UNAVEM I",
    "UNAVEM II",
    "UNEF",
    "MINUSMA",
    "UNSCOB",
}

# Names the file gets wrong.
NAMES = {
    # Cut short after "in the" (with a stray opening quote); the acronym names the country.
    "DOMREP": "Mission of the Representative of the Secretary-General in the Dominican Republic",
}

# The articles' deployments (fixtures/50_missions.json) and the UN mission each serves in.
# Both are South Korean Army troops deployed in a United Nations peacekeeping operation, and
# the articles name only the country: Lebanon and South Sudan. UNIFIL is the one UN mission in
# Lebanon active since the deployment (UNOGIL ended in 1958). South Sudan became a state in
# 2011, and UNMISS is the UN mission there since then (UNMIS, before it, sat in Khartoum and
# ended when South Sudan became independent). IPI's March 2014 contributions (the ipi dataset)
# list South Korean troops in UNIFIL and UNMISS.
DEPLOYMENTS = {
    "rok-peacekeeping-lebanon": "UNIFIL",
    "rok-peacekeeping-south-sudan": "UNMISS",
}


@dataclass
class UnMission:
    """A mission as a row of the UN list gives it."""

    acronym: str
    name: str
    start: str
    end: str
    ended: bool
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    row: object


def united_nations():
    """The curated Alliance that mandates the UN missions; the import cannot run without it."""
    organisation = Alliance.objects.filter(slug=ORGANISATION).first()
    if organisation is None:
        raise ImportFailure(
            f"the curated Alliance {ORGANISATION!r} is missing: load the curated records "
            "first (manage.py load_records)"
        )
    return organisation


def mission_slug(acronym):
    """The slug of a new UN mission: "un-unifil", "un-unosom-ii"."""
    return f"un-{slugify(acronym)}"


def day(value, *, what):
    """A YYYY-MM-DD cell as a partial date ("" when blank), or RowError."""
    if not value:
        return ""
    parts = value.split("-")
    if len(parts) != 3:
        raise RowError(f"{what} date {value!r} is not YYYY-MM-DD")
    return partial_date(*parts, what=what)


def coordinate(value, *, what, limit):
    """A coordinate in decimal degrees, with a decimal comma or point; None when blank."""
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise RowError(f"{what} {value!r} is not a number") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise RowError(f"{what} {value!r} is not between -{limit} and {limit}")
    if number.as_tuple().exponent < -COORDINATE_PLACES:
        raise RowError(f"{what} {value!r} has more than {COORDINATE_PLACES} decimals")
    return number


def mission_claims(mission):
    """What a row of the list states of its mission (milidip.sources.claims): its name, its
    acronym as the short name, and the days it gives (a blank date states nothing)."""
    claims = {"name": mission.name, "short_name": mission.acronym}
    claims.update((name, getattr(mission, name)) for name in CLAIMS if getattr(mission, name))
    return claims


class UnPko(Dataset):
    name = "un-pko"
    inputs = {
        "missions": Input(
            "un_pko_missions_DPPADPOSS-PKO.csv",
            columns=(
                "mission_acronym",
                "mission_name",
                "mission_isactive",
                "start_date",
                "end_date",
                "mission_location",
                "mission_longitude",
                "mission_latitude",
            ),
        ),
    }

    def load(self, run):
        organisation = united_nations()
        source = run.sync_sources()["un-peacekeeping-missions"]
        parsed = self.read_missions(run)
        since = last_history_id(Mission)
        missions = self.sync_missions(run, parsed, organisation)
        self.sync_locations(run, parsed, missions)
        deployments = self.sync_deployments(run, parsed, missions)
        snapshot_m2m_history(Mission, since)
        citations = run.citations(MissionCitation, [source])
        for mission in parsed:
            if mission.acronym in missions:
                citations.cite(
                    missions[mission.acronym],
                    source,
                    mission.row,
                    note="Acronym, name, dates and headquarters",
                    states=mission_claims(mission),
                )
        for deployment, mission in deployments:
            citations.cite(
                deployment, source, mission.row, note=f"It serves in {mission.acronym} (part of)"
            )
        citations.flush()
        run.derive(Mission, [mission.pk for mission in missions.values()])

    def read_missions(self, run):
        """The missions of the list; bad rows are reported."""
        missions, seen = [], {}
        for row in run.rows("missions", model=Mission):
            try:
                mission = self.parse(row)
                if mission.acronym in seen:
                    raise RowError(f"{mission.acronym} is already at row {seen[mission.acronym]}")
            except RowError as error:
                run.bad_row(row, error, model=Mission)
                continue
            seen[mission.acronym] = row.number
            missions.append(mission)
        return missions

    @staticmethod
    def parse(row):
        acronym = row["mission_acronym"]
        if not acronym:
            raise RowError("no mission_acronym")
        if len(acronym) > ACRONYM_MAX_LENGTH:
            raise RowError(f"mission_acronym {acronym!r} is longer than {ACRONYM_MAX_LENGTH}")
        name = NAMES.get(acronym) or row["mission_name"].strip('" ')
        if not name:
            raise RowError("no mission_name")
        active = row["mission_isactive"].lower()
        if active not in ("yes", "no"):
            raise RowError(f"mission_isactive {row['mission_isactive']!r} is neither Yes nor No")
        start = day(row["start_date"], what="start")
        end = day(row["end_date"], what="end")
        if not is_not_before(end, start):
            raise RowError(f"it ends ({end}) before it starts ({start})")
        if active == "yes" and end:
            raise RowError(f"mission_isactive is Yes but it ended on {end}")
        longitude = coordinate(row["mission_longitude"], what="mission_longitude", limit=180)
        latitude = coordinate(row["mission_latitude"], what="mission_latitude", limit=90)
        if acronym in SWAPPED_COORDINATES:
            longitude, latitude = latitude, longitude
        location = row["mission_location"]
        if (latitude is None) != (longitude is None):
            raise RowError("one coordinate without the other")
        if latitude is not None and not location:
            raise RowError("coordinates without a mission_location")
        return UnMission(
            acronym, name, start, end, active == "no", location, latitude, longitude, row
        )

    def sync_missions(self, run, parsed, organisation):
        """Create or update the missions; returns them by acronym."""
        stored = {
            mission.un_acronym: mission
            for mission in Mission.objects.filter(un_acronym__in=[m.acronym for m in parsed])
        }
        taken = dict(Mission.objects.values_list("slug", "un_acronym"))
        sync = run.records(
            Mission,
            fields=("kind", "organisation", "ended"),
            enrich_fields=("organisation",),
            create_defaults={"status": Status.PUBLISHED},
        )
        missions = {}
        for mission in parsed:
            values = {
                "un_acronym": mission.acronym,
                "name": mission.name,
                "short_name": mission.acronym,
                "kind": Mission.Kind.PEACEKEEPING,
                "organisation": organisation,
                "start": mission.start,
                "end": mission.end,
                "ended": mission.ended,
            }
            instance = stored.get(mission.acronym)
            if instance is None:
                slug = mission_slug(mission.acronym)
                if slug in taken:
                    run.bad_row(
                        mission.row,
                        f"its slug {slug} is taken by another mission",
                        model=Mission,
                    )
                    continue
                values["slug"] = slug
            instance = sync.put(values, instance=instance, row=mission.row)
            if instance is not None:
                missions[mission.acronym] = instance
        sync.flush()
        return missions

    def sync_locations(self, run, parsed, missions):
        """Each mission's headquarters, with its coordinates."""
        sync_headquarters(
            run,
            [
                (
                    missions[mission.acronym],
                    mission.location,
                    mission.latitude,
                    mission.longitude,
                    mission.row,
                )
                for mission in parsed
                if mission.acronym in missions and mission.location
            ],
            enrich_fields=("latitude", "longitude"),
        )

    def sync_deployments(self, run, parsed, missions):
        """Link the articles' deployments to the UN missions they serve in (`DEPLOYMENTS`);
        returns the (deployment, UN mission) pairs that hold, to be cited."""
        rows = {mission.acronym: mission for mission in parsed}
        curated = Mission.objects.in_bulk(list(DEPLOYMENTS), field_name="slug")
        sync = run.records(Mission, fields=(), enrich_fields=("part_of",))
        pairs = []
        for slug, acronym in DEPLOYMENTS.items():
            deployment, mission = curated.get(slug), missions.get(acronym)
            if deployment is None or mission is None:
                continue
            sync.put({"part_of": mission}, instance=deployment, row=rows[acronym].row)
            pairs.append((deployment, mission))
        sync.flush()
        return [
            (deployment, rows[mission.un_acronym])
            for deployment, mission in pairs
            if deployment.part_of_id == mission.pk
        ]


def sync_headquarters(run, headquarters, *, enrich_fields=()):
    """Store missions' headquarters: (mission, name, latitude, longitude, row) each, as a
    MissionLocation of the mission by that name. `enrich_fields` as for RecordSync."""
    stored = {
        (location.mission_id, location.name): location
        for location in MissionLocation.objects.filter(
            mission__in={mission.pk for mission, *_ in headquarters}
        )
    }
    sync = run.records(
        MissionLocation, fields=("latitude", "longitude"), enrich_fields=enrich_fields
    )
    for mission, name, latitude, longitude, row in headquarters:
        sync.put(
            {"mission": mission, "name": name, "latitude": latitude, "longitude": longitude},
            instance=stored.get((mission.pk, name)),
            row=row,
        )
    sync.flush()
