"""COW Formal Alliances v4.1, member level: every alliance, its members and their obligations.

Reads seeds/datasets/alliance_v4.1_by_member.csv: one row per member (per spell of
membership) of each alliance, the alliance's own dates and type repeated on each. It runs
after cow-states, which gives the countries their COW codes; a row whose COW code no stored
country has is reported. The mapping:

- One Alliance per `version4id` (its `cow_id`), slug "cow-<id>" and short name "COW <id>". Its
  name is made from its members' names as the file gives them, in file order: "United States
  of America–South Korea"; past four members, the first three "and N others". Its kind comes
  from `ss_type` (`KINDS`); start and end from all_st_* and all_end_* at the precision given, a
  blank end meaning still in force when the data ends (2012). Every row of an alliance must
  give the same dates and type, else the row is reported.
- An alliance's defence, neutrality, non-aggression and entente are True when any member row
  codes the obligation, False when the rows code it and none has it, and blank (unknown) only
  when no row codes it at all (COW 122's entente).
- One Membership per row: role member, start and end from mem_st_* and mem_end_*, the member's
  own obligations (COW codes them per member: in COW 236 the United States promises to defend
  South Korea, not the reverse) and the left_censor/right_censor flags; a blank cell is unknown.
  A row repeating an earlier row's alliance, country and start would duplicate that membership
  (alliance, country, role, start): it is reported and skipped.
- A membership the import did not create (a curator's) of the row's country in the row's
  alliance is the same membership: it is filled where blank, never duplicated. It is matched to
  the country's row with the same start if there is one, else its earliest row.
- The curated alliances of fixtures/ that COW codes (`CURATED`) are found by slug and given
  their COW id; their name, kind and description stay the articles', even with --overwrite.
- Each alliance cites the file at each of its rows (its memberships are cited through it).
  Each citation states the row's claims (milidip.sources.claims): the first row of an
  alliance its start, end and obligations as above, every row its member's start, end and
  obligations (`members/<country code>/<field>`, a country's later spells `members/KOR~2/`).
  Those fields are not written by the import itself but derived from all sources' claims by
  the precedence table, so a later ATOP import or an article never has its claim overwritten
  and COW's stays visible beside theirs.
- COW codes alliances, not treaties; but where a curated treaty is the one that founds a COW
  alliance (`CURATED_TREATIES`, each pairing with its reason), the alliance's first row is
  cited on the treaty too, stating the alliance's start as the day the treaty was signed
  (COW dates an alliance from its signature), beside the articles' claims.
"""

from dataclasses import dataclass, field

from alliances.models import Alliance, AllianceCitation, Membership
from milidip.datasets.framework.citations import cite_curated_treaties
from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.history import created_by
from milidip.datasets.framework.reading import (
    MISSING_VALUES,
    Input,
    RowError,
    end_values,
    parse_int,
    partial_date,
)
from milidip.datasets.framework.records import CountryIndex
from milidip.dates import is_not_before
from milidip.records import Status
from milidip.sources.claims import spell_key

FILE = "alliance_v4.1_by_member.csv"
SOURCE = "cow-formal-alliances-v4-1"

# ss_type, up to its colon ("Type IIa: Non-Aggression Pact" -> "Type IIa").
KINDS = {
    "Type I": Alliance.Kind.DEFENCE_PACT,
    "Type II": Alliance.Kind.NEUTRALITY_PACT,
    "Type IIa": Alliance.Kind.NON_AGGRESSION_PACT,
    "Type IIb": Alliance.Kind.NON_AGGRESSION_PACT,
    "Type III": Alliance.Kind.ENTENTE,
}

# The curated alliances of fixtures/20_alliances.json that are COW alliances, by COW id.
CURATED = {
    # Signed 1 October 1953 by the United States and South Korea alone, in force when the data
    # ends: the Mutual Defense Treaty on which the articles' alliance rests. It is the only COW
    # alliance with South Korea and the United States (the other with South Korea is COW 344,
    # with North Korea, 1991).
    236: "rok-us-alliance",
    # The North Atlantic Treaty, signed in Washington on 4 April 1949 by the twelve founders
    # (all here from that day), joined by Greece and Turkey (1951), West Germany (1954),
    # Spain (1981) and three states in 1999. COW 218 (17 March 1948) is the Brussels Treaty,
    # the Western Union of five, not NATO.
    227: "nato",
    # The Security Treaty signed by the United States and Japan in San Francisco on
    # 8 September 1951, in force when the data ends: COW codes the 1960 Treaty of Mutual
    # Cooperation and Security as the same alliance, and has no other US-Japan alliance after
    # 1945 (COW 85, 1908, is the Root-Takahira entente; COW 111, 1921, the Four-Power Treaty).
    233: "us-japan-alliance",
}

# The curated treaties of fixtures/30_treaties.json that found a COW alliance, by COW id: the
# alliance's start is the day the treaty was signed.
CURATED_TREATIES = {
    # The Mutual Defense Treaty, which the articles date to 1953: COW 236 (the curated
    # rok-us-alliance, above) is the United States and South Korea alone from 1953-10-01, the
    # day the treaty was signed in Washington.
    236: "rok-us-mutual-defense-treaty",
    # Not paired: COW 233 (1951-09-08) is the 1951 Security Treaty, and the curated
    # us-japan-security-treaty is the treaty in force today, the 1960 one (see atop.py).
}

OBLIGATIONS = {
    "defence": "defense",
    "neutrality": "neutrality",
    "non_aggression": "nonaggression",
    "entente": "entente",
}
CENSORING = {"left_censored": "left_censor", "right_censored": "right_censor"}
MEMBER_ROLES = (Membership.Role.MEMBER, Membership.Role.FOUNDING_MEMBER)
NAMED_MEMBERS = 4
NAME_LENGTH = 200

# What COW claims (derived from every source's claims, not written directly on an update).
ALLIANCE_CLAIMS = ("start", "end", "defence", "neutrality", "non_aggression", "entente")
MEMBERSHIP_CLAIMS = ("start", "end", *OBLIGATIONS)
MEMBERSHIP_FIELDS = tuple(CENSORING)
# COW Formal Alliances v4.1 ends in 2012: a blank end is in force then (censored).
COVERAGE_END = "2012"
END_FIELDS = ("end_kind", "coverage_end")


def flag(value, *, what):
    """True for 1, False for 0, None (unknown) for a blank or missing-value cell."""
    value = value.strip()
    if value in MISSING_VALUES:
        return None
    if value not in ("0", "1"):
        raise RowError(f"{what} {value!r} is not 0, 1 or blank")
    return value == "1"


def any_of(values):
    """True when any value is True, False when the known ones are all False, else None."""
    known = [value for value in values if value is not None]
    return any(known) if known else None


def alliance_name(members):
    """The members' names joined by dashes, the first few and "and N others" for many."""
    names = list(dict.fromkeys(members))
    shown = len(names) if len(names) <= NAMED_MEMBERS else NAMED_MEMBERS - 1
    while shown:
        name = "–".join(names[:shown])
        if shown < len(names):
            name += f" and {len(names) - shown} others"
        if len(name) <= NAME_LENGTH:
            return name
        shown -= 1
    return f"{len(names)} members"


@dataclass
class Member:
    """One row: a country's membership in an alliance."""

    cow_code: int
    name: str
    values: dict
    row: object


@dataclass
class CowAlliance:
    """An alliance as its rows give it."""

    cow_id: int
    start: str
    end: str
    kind: str
    row: object
    members: list = field(default_factory=list)

    def values(self):
        values = {
            "cow_id": self.cow_id,
            "name": alliance_name(member.name for member in self.members),
            "short_name": f"COW {self.cow_id}",
            "kind": self.kind,
            "start": self.start,
            **end_values(self.end, COVERAGE_END),
        }
        for name in OBLIGATIONS:
            values[name] = any_of(member.values[name] for member in self.members)
        return values


def fill_blanks(instance, values, names):
    """`values` less the `names` that `instance` already has a value for."""
    return {
        name: value
        for name, value in values.items()
        if name not in names or getattr(instance, name) in (None, "")
    }


def known(value):
    """Whether a value is a claim: a blank cell (None) or a blank end (in force when the data
    ends, not a date) states nothing."""
    return value not in (None, "")


def alliance_claims(values):
    """An alliance's claims as its rows give it."""
    return {name: values[name] for name in ALLIANCE_CLAIMS if known(values[name])}


def member_claims(cow_alliance):
    """{row number: the member's claims} for an alliance's rows, spells numbered by start."""
    spells, claims = {}, {}
    for member in sorted(cow_alliance.members, key=lambda m: (m.values["start"], m.row.number)):
        code = member.values["country"].code
        spells[code] = spells.get(code, 0) + 1
        claims[member.row.number] = {
            spell_key("members", code, spells[code], name): member.values[name]
            for name in MEMBERSHIP_CLAIMS
            if known(member.values[name])
        }
    return claims


class CowAlliances(Dataset):
    name = "cow-alliances"
    inputs = {
        "members": Input(
            FILE,
            columns=(
                "version4id",
                "ccode",
                "state_name",
                "all_st_day",
                "all_st_month",
                "all_st_year",
                "all_end_day",
                "all_end_month",
                "all_end_year",
                "ss_type",
                "mem_st_day",
                "mem_st_month",
                "mem_st_year",
                "mem_end_day",
                "mem_end_month",
                "mem_end_year",
                "left_censor",
                "right_censor",
                "defense",
                "neutrality",
                "nonaggression",
                "entente",
            ),
        ),
    }

    def load(self, run):
        source = run.sync_sources()[SOURCE]
        cow_alliances = self.read(run)
        alliances = self.sync_alliances(run, cow_alliances)
        self.sync_memberships(run, cow_alliances, alliances)
        citations = run.citations(AllianceCitation, [source])
        for cow_alliance in cow_alliances.values():
            alliance = alliances.get(cow_alliance.cow_id)
            if alliance is None:
                continue
            claims = member_claims(cow_alliance)
            for member in cow_alliance.members:
                note = f"COW {cow_alliance.cow_id}: {member.name} (COW {member.cow_code})"
                states = claims[member.row.number]
                if member.row is cow_alliance.row:
                    states = {**alliance_claims(cow_alliance.values()), **states}
                citations.cite(alliance, source, member.row, note=note, states=states)
        citations.flush()
        run.derive(Alliance, [alliance.pk for alliance in alliances.values()])
        cite_curated_treaties(run, source, CURATED_TREATIES, cow_alliances, "COW")

    def read(self, run):
        """The alliances of the file, by COW id, with their members; bad rows are reported."""
        countries = CountryIndex().by_cow
        cow_alliances, seen = {}, {}
        for row in run.rows("members", model=Membership):
            try:
                cow_id = parse_int(row["version4id"], what="alliance id")
                cow_code = parse_int(row["ccode"], what="COW code")
                if cow_id <= 0:
                    raise RowError(f"alliance id {cow_id} is not a positive number")
                if cow_code not in countries:
                    raise RowError(
                        f"unknown country: no stored country has COW code {cow_code} "
                        f"({row['state_name']}); import cow-states first"
                    )
                start, end, kind = self.alliance_terms(row)
                cow_alliance = first = cow_alliances.get(cow_id)
                if cow_alliance is None:
                    cow_alliance = CowAlliance(cow_id, start, end, kind, row)
                elif (start, end, kind) != (first.start, first.end, first.kind):
                    raise RowError(
                        f"COW {cow_id} is {first.kind} from {first.start} to "
                        f"{first.end or 'the end of the data'} at row {first.row.number}, "
                        f"not {kind} from {start} to {end or 'the end of the data'}"
                    )
                values = self.membership_values(row)
                key = (cow_id, cow_code, values["start"])
                if key in seen:
                    raise RowError(
                        f"COW {cow_id} already has COW {cow_code} from {values['start']} at "
                        f"row {seen[key]}: the membership would be a duplicate"
                    )
            except RowError as error:
                run.bad_row(row, error, model=Membership)
                continue
            seen[key] = row.number
            cow_alliances[cow_id] = cow_alliance
            values["country"] = countries[cow_code]
            cow_alliance.members.append(Member(cow_code, row["state_name"], values, row))
        return cow_alliances

    @staticmethod
    def alliance_terms(row):
        """An alliance's start, end and kind as a row gives them, checked."""
        start = partial_date(
            row["all_st_year"], row["all_st_month"], row["all_st_day"], what="alliance start"
        )
        end = partial_date(
            row["all_end_year"], row["all_end_month"], row["all_end_day"], what="alliance end"
        )
        if not start:
            raise RowError("no alliance start year")
        if not is_not_before(end, start):
            raise RowError(f"the alliance ends ({end}) before it starts ({start})")
        kind = KINDS.get(row["ss_type"].partition(":")[0].strip())
        if kind is None:
            raise RowError(f"unknown alliance type {row['ss_type']!r} (ss_type)")
        return start, end, kind

    @staticmethod
    def membership_values(row):
        """A membership's dates, obligations and censoring as a row gives them, checked."""
        start = partial_date(
            row["mem_st_year"], row["mem_st_month"], row["mem_st_day"], what="membership start"
        )
        end = partial_date(
            row["mem_end_year"], row["mem_end_month"], row["mem_end_day"], what="membership end"
        )
        if not start:
            raise RowError("no membership start year")
        if not is_not_before(end, start):
            raise RowError(f"the membership ends ({end}) before it starts ({start})")
        values = {"role": Membership.Role.MEMBER, "start": start, **end_values(end, COVERAGE_END)}
        for name, column in {**OBLIGATIONS, **CENSORING}.items():
            values[name] = flag(row[column], what=column)
        return values

    def sync_alliances(self, run, cow_alliances):
        """Match each alliance to a stored one (by COW id, else the curated one of `CURATED`)
        or create it; returns them by COW id."""
        stored = {
            alliance.cow_id: alliance for alliance in Alliance.objects.filter(cow_id__isnull=False)
        }
        curated = Alliance.objects.in_bulk(list(CURATED.values()), field_name="slug")
        taken = Alliance.objects.filter(slug__startswith="cow-")
        slugs = set(taken.values_list("slug", flat=True))
        sync = run.records(
            Alliance,
            fields=("name", "short_name", "kind", "cow_id", *END_FIELDS),
            enrich_fields=("cow_id",),
            create_defaults={"status": Status.PUBLISHED},
        )
        alliances = {}
        for cow_id, cow_alliance in cow_alliances.items():
            values = cow_alliance.values()
            instance = stored.get(cow_id)
            if instance is None and cow_id in CURATED:
                candidate = curated.get(CURATED[cow_id])
                if candidate is not None and candidate.cow_id is None:
                    instance = candidate
            if instance is None:
                slug = f"cow-{cow_id}"
                if slug in slugs:
                    run.bad_row(
                        cow_alliance.row,
                        f"COW {cow_id}: the slug {slug} is another alliance's",
                        model=Alliance,
                    )
                    continue
                values["slug"] = slug
            alliance = sync.put(values, instance=instance, row=cow_alliance.row)
            if alliance is not None:
                alliances[cow_id] = alliance
        sync.flush()
        return alliances

    def sync_memberships(self, run, cow_alliances, alliances):
        """Create or update the memberships of the imported alliances."""
        pks = [alliance.pk for alliance in alliances.values()]
        stored = list(Membership.objects.filter(alliance_id__in=pks))
        imported = created_by(run, Membership)
        by_key = {(m.alliance_id, m.country_id, m.role, m.start): m for m in stored}
        curated = {}
        for membership in sorted(stored, key=lambda m: m.start):
            # COW lists members: a curated partner or observer is another relation.
            if membership.pk not in imported and membership.role in MEMBER_ROLES:
                key = (membership.alliance_id, membership.country_id)
                curated.setdefault(key, []).append(membership)
        sync = run.records(
            Membership, fields=(*MEMBERSHIP_FIELDS, *END_FIELDS), enrich_fields=MEMBERSHIP_FIELDS
        )
        for cow_alliance in cow_alliances.values():
            alliance = alliances.get(cow_alliance.cow_id)
            if alliance is None:
                for member in cow_alliance.members:
                    run.bad_row(
                        member.row,
                        f"COW {cow_alliance.cow_id} was not imported (see above)",
                        model=Membership,
                    )
                continue
            for member, instance in self.match(alliance, cow_alliance, by_key, curated):
                values = {"alliance": alliance, **member.values}
                if instance is not None and instance.pk not in imported:
                    values = fill_blanks(instance, values, MEMBERSHIP_FIELDS)
                sync.put(values, instance=instance, row=member.row)
        sync.flush()

    @staticmethod
    def match(alliance, cow_alliance, by_key, curated):
        """Each member row of an alliance with its stored membership, or None for a new one.

        A row takes the membership with its own key; the rows left take a membership the
        import did not create of their country (the one with their start, else the earliest),
        each at most once."""
        matches, claimed = {}, set()
        for member in cow_alliance.members:
            values = member.values
            key = (alliance.pk, values["country"].pk, values["role"], values["start"])
            instance = by_key.get(key)
            if instance is not None:
                matches[member.row.number] = instance
                claimed.add(instance.pk)
        for member in cow_alliance.members:
            if member.row.number in matches:
                continue
            country = member.values["country"]
            candidates = [
                membership
                for membership in curated.get((alliance.pk, country.pk), ())
                if membership.pk not in claimed
            ]
            candidates.sort(key=lambda m: m.start != member.values["start"])
            if candidates:
                matches[member.row.number] = candidates[0]
                claimed.add(candidates[0].pk)
        return [(member, matches.get(member.row.number)) for member in cow_alliance.members]
