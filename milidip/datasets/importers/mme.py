"""Multinational Military Exercises (MME) v7: the exercises of 1980-2010, their series,
domains, purposes and participants.

Reads seeds/datasets/mme_v7.csv (one row per exercise, its participants named in StateA ..
StateAM) and mme_v7_long.csv (one row per exercise, participant and year, the participant
given by its Gleditsch-Ward code). It runs after cow-states, whose countries it finds by COW
code. The mapping:

- Each row of mme_v7.csv becomes an Exercise with mme_id MMEID and the same slug ("mme87"),
  published. Three MMEIDs each number two different exercises (mme3457 is Baltic Circle in
  1996 and Noble Award in 2007; mme3458 Ulan Eagle 2000 and Kindred Sword in 2007; mme3460 a
  US-Ukrainian exercise in 1995 and a Chinese-Japanese-Korean rescue drill in 2005: names,
  places, dates and participants all differ). Each of them gets its id and its start year,
  "mme3457-1996" and "mme3457-2007", in both files (the long file gives s.year too), so all
  3,707 exercises are kept under ids that do not depend on the order of the rows. They are
  listed in `REPEATED_MMEIDS`; any other MMEID that repeats is reported.
- name is Ex_Name; MME has no name for 1,033 exercises (-9): they are "Unnamed exercise
  (mme91)". start and end come from s.year/s.month/s.day and e.*, at the precision given ("xx"
  or -9: that part is not known). Six rows end before they start (mme_v7.csv rows 198, 322,
  1887, 2456, 2903, 3367): which date is wrong cannot be told, so the exercise is imported
  with its start and no end, and the run says so on each run. location is Location, latitude
  and longitude lat and lon rounded to the model's five decimals (about a metre); -9, NA and
  blank are not known; a coordinate that is not a number or out of range makes a bad row.
  description is FocusDescription, then "Participants: " and AdditionalParticipantInfo when
  MME has that note ("Forces from 17 NATO nations").
- Domains from CPX (command-post), Air, Land, Sea, Amphibious, Cyber; purposes from
  Warfighting, Peacekeeping, Humanitarian: 1 sets it, 0 or a missing value does not, anything
  else makes a bad row. The importer owns the domains and purposes of the exercises it created;
  one a curator edited since the last import keeps them unless --overwrite. An exercise it did
  not create (a curator's, given an mme_id) only has an empty set filled. Each history entry
  the run writes for an Exercise carries its domains and purposes as they then are (the
  historical many-to-many rows simple-history's save writes and its bulk writes do not), so
  the admin's revert restores them too.
- Series: an exercise with a Series_Name is an iteration of an Exercise of kind series that
  the importer creates (name and mme_series: the Series_Name; slug: slugified; start: the
  earliest iteration's start; end: the latest iteration's end, or its start when MME gives no
  end), cited by its iterations' rows. Series names are compared ignoring case and the spaces
  at their ends ("Autumn Forge" and "Autumn forge", "Big Pine " and "Big Pine" are one series,
  named as most of its rows spell it); spellings that differ otherwise ("Peninsual Shield") are
  MME's own distinct series and stay so. Exercises without a series are of kind exercise.
- The curated series MME has (`CURATED_SERIES`) are reconciled: their iterations link to the
  curated record, which only gets its blank mme_series filled; no series is created for them.
- Participants (role participant) come from the long file: its Gleditsch-Ward code is turned
  into a COW code (`cow_code`, with the documented differences) and the stored Country found.
  GW's microstates (Antigua, Tonga, Palau ...) and unified Yemen have no code there (NA): they
  are matched by the long file's name (`UNCODED`). A row whose participant is -9 names no one
  and is passed over; one that names what is not a state (NATO, Hong Kong, Bermuda, New
  Caledonia, the Netherlands Antilles, "Baltic States") is a bad row, as is an unknown code.
- The long file holds only the first 24 participants of an exercise (StateA .. StateX): 13
  exercises have more in the wide file (up to 39). Their StateY .. StateAM participants are
  taken from the wide file by name, each name being the one the long file gives that country
  elsewhere; "South Sudan" (mme3365, 2010, before its independence), which the long file never
  names, is reported and skipped. Otherwise the two files name the same participants: a name
  repeated in a row (mme978 names Antigua & Barbuda twice, and St. Kitts & Nevis also as
  "st. christopher") is one participant.
- Each country the long file names by a Gleditsch-Ward code cites the first row that gives it
  each code, the citation stating that code as the country's `gw_code` (a claim,
  milidip.sources.claims, before country-converter's by the precedence table): Serbia is 340
  in 2000 and Yugoslavia's 345 before, and both are shown. A country MME names only by name (the
  microstates, unified Yemen: NA) states nothing.
- Each exercise cites its row of mme_v7.csv and each row of mme_v7_long.csv that gave it a
  participant. The wide row's citation states its claims (milidip.sources.claims): Ex_Name
  (when MME gives one) and the dates read; an exercise's name and dates are written when the
  import creates it and derived from every source's claims after that, so an article's claim
  is never overwritten and MME's stays visible beside it. A series' name and span are not
  claims (they are MME's Series_Name and its iterations' span, not a row's statement); each
  series cites its iterations' rows of mme_v7.csv (participants are cited through their
  exercise).

The copy in seeds/ is UTF-8 throughout (SOURCES.md warns of non-UTF-8 bytes in the wide file;
this copy has none, only typographic quotes and ellipses written in UTF-8); a line that is not
UTF-8 is read as Windows-1252, the encoding such bytes come from.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.text import slugify

from alliances.models import Country, CountryCitation
from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.reading import (
    MISSING_VALUES,
    Input,
    RowError,
    parse_int,
    partial_date,
)
from milidip.datasets.framework.records import CountryIndex
from milidip.dates import is_not_before
from milidip.records import Status, field_list
from missions.models import EXERCISE_FIELDS, Exercise, ExerciseCitation, ExerciseParticipant

# The exercise fields MME's rows give: the record's own fields less its slug and ids (set when it
# is created), the alliance (a curator's link) and the links synced on their own (participants,
# domains, purposes). On a curated exercise it fills only the blanks of those a curator can leave
# blank.
# Name and dates are claims (`CLAIMS`): written when the import creates an exercise, derived
# from every source's claims after that (milidip.sources.claims).
CLAIMS = ("name", "start", "end")
MME_EXERCISE_FIELDS = field_list(
    EXERCISE_FIELDS,
    without=(
        "slug",
        "alliance",
        "participants",
        "domains",
        "purposes",
        "mme_id",
        "mme_series",
        *CLAIMS,
    ),
)
MME_ENRICH_FIELDS = field_list(MME_EXERCISE_FIELDS, without=("kind", "series"))

WIDE_FILE = "mme_v7.csv"
LONG_FILE = "mme_v7_long.csv"

DATE_MISSING = MISSING_VALUES | {"xx"}
PUBLISHED = {"status": Status.PUBLISHED}

DOMAIN_COLUMNS = {
    "cpx": "command-post",
    "air": "air",
    "land": "land",
    "sea": "sea",
    "amphibious": "amphibious",
    "cyber": "cyber",
}
PURPOSE_COLUMNS = {
    "warfighting": "warfighting",
    "peacekeeping": "peacekeeping",
    "humanitarian": "humanitarian",
}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STATE_COLUMNS = [f"state{letter}" for letter in LETTERS.lower()] + [
    f"statea{letter}" for letter in LETTERS.lower()[:13]
]
# The long file was made from StateA .. StateX alone: participants past the 24th are only in
# the wide file.
WIDE_ONLY_COLUMNS = STATE_COLUMNS[24:]

# Gleditsch-Ward codes that are not the COW code of the same state. Source: Gleditsch and
# Ward's list and COW's, as compared in Andreas Beger's R package `states` ("G&W and COW
# country code differences"). Germany (GW 260 throughout; COW 260 for West Germany, 255 for
# Germany from 1990) is in `cow_code`. MME v7 uses 260, 340 and 817; the others are listed so
# that no GW code silently lands on another COW state (GW 970 is Kiribati, COW 970 Nauru).
GW_TO_COW = {
    # Serbia from 2006: COW goes on with 345, the number of Yugoslavia (and of Serbia and
    # Montenegro), which GW ends in 2006. MME gives 340 for Serbia in 2000 as well.
    340: 345,
    # GW 817 is the Republic of Vietnam (South Vietnam, to 1975), which MME's years (1980-2010)
    # cannot mean: its seven "Vietnam" rows are the Socialist Republic, GW and COW 816.
    817: 816,
    970: 946,  # Kiribati
    971: 970,  # Nauru
    972: 955,  # Tonga
    973: 947,  # Tuvalu
}
# States the long file names with no Gleditsch-Ward code (gwcode NA), by COW code: GW keeps
# microstates on a list of their own, which MME's codes leave out, and unified Yemen is GW 678
# (left out too). "st. christopher" is the older name of St. Kitts (mme978 also names it).
UNCODED = {
    "Antigua & Barbuda": 58,
    "Dominica": 54,
    "Grenada": 55,
    "Palau": 986,
    "Seychelles": 591,
    "St. Kitts & Nevis": 60,
    "st. christopher": 60,
    "St. Lucia": 56,
    "St. Vincent & Grenadines": 57,
    "São Tomé & Príncipe": 403,
    "Tonga": 955,
    "Vanuatu": 935,
    "Yemen": 679,
}

# MMEIDs that MME v7 gives to two different exercises each (names, places, dates and
# participants differ): their exercises are told apart by their start year.
REPEATED_MMEIDS = {"mme3457", "mme3458", "mme3460"}

# Curated series of fixtures/40_exercises.json that MME codes, by MME's Series_Name (compared
# ignoring case).
CURATED_SERIES = {
    # MME's FE rows are "Foal Eagle 89" ... "Foal Eagle 2010", South Korea and the United
    # States, in South Korea: the articles' Foal Eagle. ("Key Resolve/Foal Eagle 2008" is MME's
    # Key Resolve series and stays there.) The other curated series are groupings MME does
    # not have: South Korea-United States bilateral exercises, multinational exercises with
    # NATO members and partners, South Korea's humanitarian assistance drills.
    "fe": "foal-eagle",
}


def cow_code(gw_code, year):
    """The COW code of the state a Gleditsch-Ward code names in `year`."""
    if gw_code == 260 and year >= 1991:
        return 255
    if gw_code == 678 and year >= 1991:
        return 679
    return GW_TO_COW.get(gw_code, gw_code)


def exercise_id(mmeid, start_year):
    """The mme_id of a row: its MMEID, with the start year for the MMEIDs that repeat."""
    return f"{mmeid}-{start_year}" if mmeid in REPEATED_MMEIDS else mmeid


def text(value):
    return "" if value in MISSING_VALUES else value


def coordinate(value, *, what, limit):
    """A latitude or longitude at the model's precision, None when not known."""
    if value in MISSING_VALUES:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"{what} {value!r} is not a number") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise RowError(f"{what} {value!r} is not between -{limit} and {limit}")
    return number.quantize(Decimal("0.00001"))


def flags(row, columns):
    """The codes whose 0/1 column is 1."""
    codes = set()
    for column, code in columns.items():
        value = row[column]
        if value == "1":
            codes.add(code)
        elif value != "0" and value not in MISSING_VALUES:
            raise RowError(f"{column} {value!r} is not 0 or 1")
    return frozenset(codes)


@dataclass
class ExerciseRow:
    """An exercise as mme_v7.csv gives it."""

    mme_id: str
    values: dict
    series: str
    domains: frozenset
    purposes: frozenset
    row: object
    named: list = field(default_factory=list)
    named_in_row: bool = True  # MME gives an Ex_Name (-9: not known)

    def claims(self):
        """What the row states of its exercise (milidip.sources.claims): its Ex_Name (not the
        "Unnamed exercise" made for a row without one) and the dates read, an end dropped as
        before the start stating none."""
        claims = {name: self.values[name] for name in ("start", "end") if self.values[name]}
        if self.named_in_row:
            claims["name"] = self.values["name"]
        return claims


@dataclass
class Participation:
    """A participant of an exercise and the row that names it (a long-file row, or the wide
    row for the participants only it has)."""

    mme_id: str
    country: Country
    row: object
    name: str
    long: bool


class Mme(Dataset):
    name = "mme"
    inputs = {
        "exercises": Input(
            WIDE_FILE,
            columns=(
                "mmeid",
                "ex_name",
                "series_name",
                "location",
                "lat",
                "lon",
                "s.year",
                "s.month",
                "s.day",
                "e.year",
                "e.month",
                "e.day",
                *DOMAIN_COLUMNS,
                *PURPOSE_COLUMNS,
                "focusdescription",
                "additionalparticipantinfo",
                *WIDE_ONLY_COLUMNS,
            ),
            fallback_encoding="cp1252",
        ),
        "participants": Input(
            LONG_FILE,
            columns=("mmeid", "s.year", "gwcode", "country", "year"),
            fallback_encoding="cp1252",
        ),
    }

    def load(self, run):
        sources = run.sync_sources()
        wide, long = sources["mme-v7"], sources["mme-v7-long"]
        exercises = self.read_exercises(run)
        participations = self.read_participants(run, exercises)
        self.cite_countries(run, long, participations)
        links = run.links(Exercise, {"domains": "code", "purposes": "code"})
        self.slugs = set(Exercise.objects.values_list("slug", flat=True))
        series = self.sync_series(run, exercises)
        records = self.sync_exercises(run, exercises, series)
        for mme_id, record in records.items():
            exercise = exercises[mme_id]
            links.put(record, {"domains": exercise.domains, "purposes": exercise.purposes})
        links.flush()
        self.sync_participants(run, participations, records)
        citations = run.citations(ExerciseCitation, [wide, long])
        for exercise in exercises.values():
            record = records.get(exercise.mme_id)
            if record is None:
                continue
            citations.cite(
                record, wide, exercise.row, note="The exercise", states=exercise.claims()
            )
            parent = series.get(exercise.series.casefold())
            if parent is not None:
                citations.cite(parent, wide, exercise.row, note=f"Iteration {exercise.mme_id}")
        for participation in participations:
            record = records.get(participation.mme_id)
            if record is not None and participation.long:
                citations.cite(
                    record, long, participation.row, note=f"Participant: {participation.name}"
                )
        citations.flush()
        run.derive(Exercise, [record.pk for record in records.values()])

    def read_exercises(self, run):
        """The exercises of the wide file by mme_id."""
        exercises = {}
        for row in run.rows("exercises", model=Exercise):
            try:
                exercise = self.exercise(row)
                if exercise.mme_id in exercises:
                    raise RowError(
                        f"{exercise.mme_id} is already at row "
                        f"{exercises[exercise.mme_id].row.number} (an MMEID that MME gives to "
                        "two exercises belongs in REPEATED_MMEIDS, "
                        "milidip/datasets/importers/mme.py)"
                    )
            except RowError as error:
                run.bad_row(row, error, model=Exercise)
                continue
            start, end = exercise.values["start"], exercise.values["end"]
            if not is_not_before(end, start):
                run.note_row(
                    row,
                    "corrected",
                    f"the exercise ends ({end}) before it starts ({start}): imported without "
                    "its end",
                    model=Exercise,
                )
                exercise.values["end"] = ""
            exercises[exercise.mme_id] = exercise
        return exercises

    @staticmethod
    def exercise(row):
        mmeid = row["mmeid"]
        if not (mmeid.startswith("mme") and mmeid[3:].isdigit()):
            raise RowError(f"MMEID {mmeid!r} is not “mme” and a number")
        start = partial_date(
            row["s.year"], row["s.month"], row["s.day"], what="start", missing=DATE_MISSING
        )
        end = partial_date(
            row["e.year"], row["e.month"], row["e.day"], what="end", missing=DATE_MISSING
        )
        if not start:
            raise RowError("no start year")
        mme_id = exercise_id(mmeid, row["s.year"])
        latitude = coordinate(row["lat"], what="latitude", limit=90)
        longitude = coordinate(row["lon"], what="longitude", limit=180)
        if (latitude is None) != (longitude is None):
            raise RowError("a latitude without a longitude or the reverse")
        focus, note = text(row["focusdescription"]), text(row["additionalparticipantinfo"])
        description = "\n\n".join(filter(None, [focus, note and f"Participants: {note}"]))
        values = {
            "slug": mme_id,
            "mme_id": mme_id,
            "name": text(row["ex_name"]) or f"Unnamed exercise ({mme_id})",
            "start": start,
            "end": end,
            "location": text(row["location"]),
            "latitude": latitude,
            "longitude": longitude,
            "description": description,
        }
        named = [(column, row[column]) for column in WIDE_ONLY_COLUMNS if text(row[column])]
        return ExerciseRow(
            mme_id,
            values,
            text(row["series_name"]),
            flags(row, DOMAIN_COLUMNS),
            flags(row, PURPOSE_COLUMNS),
            row,
            named,
            named_in_row=bool(text(row["ex_name"])),
        )

    def read_participants(self, run, exercises):
        """Who took part in each exercise: the long file's rows, then the wide file's
        participants past the 24th."""
        index = CountryIndex()
        participations, names = [], {}
        for row in run.rows("participants", model=ExerciseParticipant):
            try:
                mme_id = exercise_id(row["mmeid"], row["s.year"])
                if mme_id not in exercises:
                    raise RowError(
                        f"exercise {mme_id} is not among the exercises read from {WIDE_FILE}"
                    )
                country = self.country(row, index)
            except RowError as error:
                run.bad_row(row, error, model=ExerciseParticipant)
                continue
            if country is None:
                run.note_row(
                    row,
                    "skipped",
                    "the participant is coded -9: MME names no one",
                    model=ExerciseParticipant,
                    quiet=True,
                )
                continue
            names.setdefault(row["country"], country)
            participations.append(Participation(mme_id, country, row, row["country"], True))
        for exercise in exercises.values():
            for column, name in exercise.named:
                country = names.get(name)
                if country is None:
                    run.bad_row(
                        exercise.row,
                        f"participant {name!r} (State{column[5:].upper()}) is not a country "
                        f"{LONG_FILE} names: that participant is skipped",
                        model=ExerciseParticipant,
                    )
                    continue
                participations.append(
                    Participation(exercise.mme_id, country, exercise.row, name, False)
                )
        return participations

    @staticmethod
    def country(row, index):
        """The Country a long-file row names; None when it names no one (-9)."""
        name, code = row["country"], row["gwcode"]
        if code in MISSING_VALUES:
            if name in MISSING_VALUES:
                return None
            if name not in UNCODED:
                raise RowError(f"{name!r} has no Gleditsch-Ward code and is not a state")
            cow, what = UNCODED[name], f"{name!r}"
        else:
            gw = parse_int(code, what="Gleditsch-Ward code")
            cow = cow_code(gw, parse_int(row["year"], what="year"))
            what = f"Gleditsch-Ward {gw}"
        country = index.by_cow.get(cow)
        if country is None:
            raise RowError(f"unknown country: {what} (COW {cow}) is not a stored country")
        return country

    @staticmethod
    def cite_countries(run, source, participations):
        """Cite each country on the first long-file row giving each Gleditsch-Ward code of it,
        stating the code (see the module docstring)."""
        citations = run.citations(CountryCitation, [source])
        seen = set()
        for participation in participations:
            code = participation.row["gwcode"] if participation.long else ""
            if code in MISSING_VALUES:
                continue
            gw = int(code)
            if (participation.country.pk, gw) not in seen:
                seen.add((participation.country.pk, gw))
                citations.cite(
                    participation.country,
                    source,
                    participation.row,
                    note=f"Gleditsch-Ward code {gw} ({participation.name})",
                    states={"gw_code": gw},
                )
        citations.flush()
        run.derive(Country, citations.records)

    def sync_series(self, run, exercises):
        """Create or update the series, curated ones included; returns them by name key."""
        members = defaultdict(list)
        for exercise in exercises.values():
            if exercise.series:
                members[exercise.series.casefold()].append(exercise)
        stored = {
            series.mme_series.casefold(): series
            for series in Exercise.objects.exclude(mme_series="")
        }
        curated = Exercise.objects.in_bulk(list(CURATED_SERIES.values()), field_name="slug")
        sync = run.records(
            Exercise,
            fields=("name", "kind", "mme_series", "start", "end"),
            enrich_fields=("mme_series",),
            create_defaults=PUBLISHED,
        )
        series = {}
        for key, iterations in members.items():
            name = Counter(iteration.series for iteration in iterations).most_common(1)[0][0]
            starts = [it.values["start"] for it in iterations if it.values["start"]]
            ends = [it.values["end"] or it.values["start"] for it in iterations]
            values = {
                "slug": slugify(name),
                "name": name,
                "kind": Exercise.Kind.SERIES,
                "mme_series": name,
                "start": min(starts, default=""),
                "end": max(filter(None, ends), default=""),
            }
            instance = stored.get(key) or curated.get(CURATED_SERIES.get(key))
            if instance is None and not self.free_slug(run, values["slug"], iterations[0].row):
                continue
            record = sync.put(values, instance=instance, row=iterations[0].row)
            if record is not None:
                series[key] = record
        sync.flush()
        return series

    def free_slug(self, run, slug, row):
        """Claim a new record's slug; False (and a bad row) when another record has it."""
        if slug in self.slugs:
            run.bad_row(row, f"the slug {slug!r} is already another exercise's", model=Exercise)
            return False
        self.slugs.add(slug)
        return True

    def sync_exercises(self, run, exercises, series):
        """Create or update one Exercise per row; returns them by mme_id."""
        stored = {exercise.mme_id: exercise for exercise in Exercise.objects.exclude(mme_id="")}
        sync = run.records(
            Exercise,
            fields=MME_EXERCISE_FIELDS,
            enrich_fields=MME_ENRICH_FIELDS,
            create_defaults=PUBLISHED,
        )
        records = {}
        for exercise in exercises.values():
            values = {**exercise.values, "kind": Exercise.Kind.EXERCISE, "series": None}
            if exercise.series:
                parent = series.get(exercise.series.casefold())
                if parent is None:
                    run.bad_row(
                        exercise.row,
                        f"its series {exercise.series!r} was not imported (see above)",
                        model=Exercise,
                    )
                    continue
                values.update(kind=Exercise.Kind.ITERATION, series=parent)
            instance = stored.get(exercise.mme_id)
            if instance is None and not self.free_slug(run, exercise.mme_id, exercise.row):
                continue
            record = sync.put(values, instance=instance, row=exercise.row)
            if record is not None:
                records[exercise.mme_id] = record
        sync.flush()
        return records

    @staticmethod
    def sync_participants(run, participations, records):
        """One participant per exercise and country."""
        stored = {
            (participant.exercise_id, participant.country_id): participant
            for participant in ExerciseParticipant.objects.all()
        }
        sync = run.records(ExerciseParticipant, fields=("role",))
        seen = set()
        for participation in participations:
            record = records.get(participation.mme_id)
            if record is None:
                if participation.long:
                    run.bad_row(
                        participation.row,
                        f"exercise {participation.mme_id} was not imported (see above)",
                        model=ExerciseParticipant,
                    )
                continue
            key = (record.pk, participation.country.pk)
            if key in seen:
                continue
            seen.add(key)
            sync.put(
                {
                    "exercise": record,
                    "country": participation.country,
                    "role": ExerciseParticipant.Role.PARTICIPANT,
                },
                instance=stored.get(key),
                row=participation.row,
            )
        sync.flush()
