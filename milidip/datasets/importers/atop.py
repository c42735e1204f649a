"""ATOP v4.01: every alliance of the Alliance Treaty Obligations and Provisions data, with its
members, their phases and what the parties promised.

Reads seeds/datasets/atop4_alliance_level.csv (one row per alliance) and
atop4_01_member_level.csv (one row per member and phase). It runs after cow-states, whose
countries it finds by COW code (ATOP's `member`), and after cow-alliances, whose alliances it
links to.

- Each alliance (`atopid`) becomes an Alliance with slug atop-<id>, short name "ATOP <id>" and a
  name made of its kind, its members (in the order the member-level file first names them; the
  first four and "and N others" past five, fewer if the name would pass 200 characters; a
  member with no Country is written "member <code>") and its first year: "Defence pact of
  United States and South Korea (1953)".
- Its kind is its strongest obligation: defence (defense = 1) makes a defence pact, else
  offence (offense) an offence pact, else neutrality (neutral) a neutrality pact, else
  non-aggression (nonagg) a non-aggression pact, else consultation (consul) a consultation
  pact. An alliance with none of the five is reported: ATOP codes every alliance with one.
- Dates: begyr/begmo/begday and endyr/endmo/endday, at the precision given; a 0 or blank month
  or day is not known, so the date stops at the year or month. An end year of 0 means the
  alliance is still in force (ATOP's `ineffect`): the end is blank.
- Obligations (defence, offence, neutrality, non_aggression, consultation) come from defense,
  offense, neutral, nonagg and consul: 1 is True, 0 is False; blank and -1 (ATOP's "not
  applicable or missing", like the other missing-value codes of base.MISSING_VALUES) are None,
  not known. Provisions: military_aid is milaid > 0, bases is base > 0 and organisation is
  organ1 > 0 (each code above 0 is one kind of aid, basing or organisation in ATOP's codebook;
  the model holds whether there is any), 0 is False, blank and -1 are None. ATOP does not
  code COW's entente: it stays None.
- One record per alliance: an ATOP alliance whose cow4id names a stored COW alliance that no
  other ATOP alliance is already is that record (`merge_into_cow`): its atop_id is set, its
  rows are cited on it and its values are claims beside COW's (the name, short name and kind
  stay COW's); its members are matched to COW's memberships by country as below, so each
  membership is there once with each source's dates as claims. Where several ATOP alliances
  name one COW alliance, the first by start is merged and the others stay `atop-<id>`, linked
  by cow_alliance. A database that imported an ATOP alliance as `atop-<id>` before keeps it.
- cow_alliance: the Alliance whose cow_id is ATOP's cow4id (COW Formal Alliances v4 id; the
  older `cowid` numbers a previous COW version and is not used). Several ATOP alliances may
  name the same COW alliance (two have cow4id 300). When the COW alliance is not stored
  (cow-alliances not imported yet) the link is left blank and the run says so; running atop
  again after cow-alliances fills it. It is never the alliance itself: a curated alliance that
  the COW import gave cow_id 236 and this import ATOP 3240 is both records at once.
- Each member-level row becomes a Membership (role member) of its alliance's country, from
  yrent/moent/dayent to yrexit/moexit/dayexit (a 0 exit year: still a member) with the
  member's own obligations (defense, offense, neutral, nonagg, consul, coded as above). Phase 0
  is ATOP's code for an alliance whose terms never changed: phase None. Phases 1, 2 ... (an
  alliance whose membership or obligations changed, maxphase > 0) keep their number.
- The model holds one membership per (alliance, country, role, start), and ATOP has seven
  members that enter two phases of an alliance the same day (on 1993-01-01, when
  Czechoslovakia split, treaties with it go on as one phase per successor). Those rows make one
  Membership: the lowest phase, the latest exit (none when either is still in force), each
  obligation True when either row has it, and a note naming the rows. All the rows are cited.
- Curated alliances (fixtures/20_alliances.json) that are ATOP alliances are listed in `CURATED`
  with the reason for each pairing. They are reconciled, not duplicated: the importer fills only
  their blank atop_id and cow_alliance (never their name, short name, kind or description, even
  with --overwrite) and cites the rows on them.
- Dates, obligations and provisions are claims (milidip.sources.claims), not written by the
  import: the alliance-level row's citation states the alliance's, each member's first
  member-level row's citation the membership's (`members/<country code>/<field>`, later spells
  of a country `members/USA~2/`). The shown values are derived from every source's claims by
  the precedence table, so COW's and an article's claims are never overwritten and ATOP's
  stands beside them. ATOP codes what the treaty's text promises, not what the parties did.
- Memberships of a stored alliance that this import did not create (a curator's, or one the
  cow-alliances import made on a curated alliance) are matched by country: first a membership
  with the row's start, then, for the rows left, the country's other memberships in order of
  start. The curated United States and South Korea memberships of 1953 (founding members) thus
  take ATOP's rows of 1953-10-01 instead of new memberships. They are filled where blank as
  above, and take the phase only when their dates are the phase's. Partner and observer roles
  are never matched: ATOP codes members only.
- Each Alliance cites the alliance-level row and each of its member-level rows (memberships are
  cited through their alliance).
- ATOP codes alliances, not treaties; but where a curated treaty is the one that founds an ATOP
  alliance (`CURATED_TREATIES`, each pairing with its reason), the alliance-level row is cited
  on the treaty too, stating the alliance's start as the day the treaty was signed (ATOP dates
  an alliance from the signature of its treaty), beside the articles' and COW's claims.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from alliances.models import Alliance, AllianceCitation, Membership
from milidip.datasets.framework.citations import cite_curated_treaties
from milidip.datasets.framework.description import Dataset
from milidip.datasets.framework.history import created_by
from milidip.datasets.framework.reading import (
    MISSING_VALUES,
    ImportFailure,
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

# A date part of 0 is not known (a 0 end year: still in force); -1 or blank: not known.
DATE_MISSING = MISSING_VALUES | {"0"}
CODE_MISSING = MISSING_VALUES | {"-1"}

OBLIGATIONS = {
    "defence": "defense",
    "offence": "offense",
    "neutrality": "neutral",
    "non_aggression": "nonagg",
    "consultation": "consul",
}
PROVISIONS = {"military_aid": "milaid", "bases": "base", "organisation": "organ1"}
KINDS = (
    ("defence", Alliance.Kind.DEFENCE_PACT),
    ("offence", Alliance.Kind.OFFENCE_PACT),
    ("neutrality", Alliance.Kind.NEUTRALITY_PACT),
    ("non_aggression", Alliance.Kind.NON_AGGRESSION_PACT),
    ("consultation", Alliance.Kind.CONSULTATION_PACT),
)
NAMED_MEMBERS = 4
NAME_LENGTH = 200

# ATOP alliances that are curated records: {atopid: slug}.
CURATED = {
    # The Mutual Defense Treaty between the United States and the Republic of Korea, signed
    # 1953-10-01: ATOP 3240 has exactly those two members (COW 2 and 732) from that day, is
    # still in force and names COW alliance 236, the same treaty in COW.
    3240: "rok-us-alliance",
    # The North Atlantic Treaty of 1949-04-04: ATOP 3180 begins that day with the United
    # States, Canada and the Western European signatories, adds Greece and Turkey (1951-10-22)
    # and West Germany (1954), Germany from 1990, is in force, and names COW alliance 227.
    3180: "nato",
    # The alliance of today rests on the Treaty of Mutual Cooperation and Security of
    # 1960-01-19 (the "US-Japan Security Treaty"): ATOP 3375, the United States and Japan from
    # that day, in force. ATOP 3220 is the 1951 Security Treaty it replaced (ended 1960-01-19),
    # a predecessor, not the curated record, which describes the alliance as it stands.
    3375: "us-japan-alliance",
    # The Treaty on Basic Relations between Russia and the Republic of Korea of 1992-11-19:
    # ATOP 4365 has exactly those two members (COW 365 and 732) from that day, is in force
    # and is the only ATOP alliance of the two; the curated partnership is their relationship
    # as it stands, which the treaty founds (it has no COW alliance).
    4365: "rok-russia-strategic-partnership",
}

# The curated treaties of fixtures/30_treaties.json that found an ATOP alliance, by ATOP id: the
# alliance begins the day the treaty was signed.
CURATED_TREATIES = {
    # The Mutual Defense Treaty, which the articles date to 1953: ATOP 3240 (the curated
    # rok-us-alliance, above) begins 1953-10-01, the day it was signed, with the two parties.
    3240: "rok-us-mutual-defense-treaty",
    # The "US-Japan Security Treaty" the article names as an alliance of today: the Treaty of
    # Mutual Cooperation and Security, signed 1960-01-19, the day ATOP 3375 begins (the curated
    # us-japan-alliance, above). ATOP 3220 is the 1951 treaty it replaced, not this one.
    3375: "us-japan-security-treaty",
}

# What the import writes; dates, obligations and provisions are claims (ALLIANCE_CLAIMS), derived.
ALLIANCE_FIELDS = (
    "name",
    "short_name",
    "kind",
    "atop_id",
    "cow_alliance",
    "end_kind",
    "coverage_end",
)
ALLIANCE_ENRICH = ("atop_id", "cow_alliance")
ALLIANCE_CLAIMS = ("start", "end", *OBLIGATIONS, *PROVISIONS)
MEMBERSHIP_FIELDS = ("phase", "note", "end_kind", "coverage_end")
MEMBERSHIP_ENRICH = ("phase",)
MEMBERSHIP_CLAIMS = ("start", "end", *OBLIGATIONS)
# ATOP v4.01 codes alliances to 2016: a blank end (end year 0) is in force then (censored).
COVERAGE_END = "2016"
MATCHED_ROLES = (Membership.Role.MEMBER, Membership.Role.FOUNDING_MEMBER)


def flag(value, *, what):
    """An obligation code: 1 True, 0 False, blank or -1 None (not known)."""
    if value in CODE_MISSING:
        return None
    if value not in ("0", "1"):
        raise RowError(f"{what} {value!r} is not 0 or 1")
    return value == "1"


def provision(value, *, what):
    """A provision code: more than 0 True, 0 False, blank or -1 None (not known)."""
    if value in CODE_MISSING:
        return None
    number = parse_int(value, what=what)
    if number < 0:
        raise RowError(f"{what} {number} is not a code (0 or more, -1 for missing)")
    return number > 0


def dates(row, start_columns, end_columns):
    """Start and end of a row; the start is required and the end may not precede it."""
    start = partial_date(
        *(row[column] for column in start_columns), what="start", missing=DATE_MISSING
    )
    end = partial_date(*(row[column] for column in end_columns), what="end", missing=DATE_MISSING)
    if not start:
        raise RowError(f"no start year ({start_columns[0]} {row[start_columns[0]]!r})")
    if not is_not_before(end, start):
        raise RowError(f"it ends ({end}) before it starts ({start})")
    return start, end


@dataclass
class Treaty:
    """An alliance as the alliance-level file gives it."""

    atop_id: int
    cow4id: int | None
    start: str
    end: str
    obligations: dict
    provisions: dict
    row: object
    members: list = field(default_factory=list)  # ATOP member codes, in order of first row

    @property
    def dates(self):
        return {"start": self.start, "end": self.end}

    @property
    def kind(self):
        return next(kind for name, kind in KINDS if self.obligations[name])

    def name(self, countries):
        """The kind, the members and the first year (see the module docstring)."""
        names = [
            countries[code].name if code in countries else f"member {code}" for code in self.members
        ]
        kind, year = self.kind.label, f" ({self.start[:4]})"
        shown = len(names) if len(names) <= NAMED_MEMBERS + 1 else NAMED_MEMBERS
        while shown:
            listed = names[:shown]
            if shown < len(names):
                listed.append(f"{len(names) - shown} others")
            members = " and ".join(listed[-2:])
            if len(listed) > 2:
                members = ", ".join([*listed[:-2], members])
            name = f"{kind} of {members}{year}"
            if len(name) <= NAME_LENGTH:
                return name
            shown -= 1
        return f"{kind} of {len(names)} members{year}" if names else f"{kind}{year}"


@dataclass
class Phase:
    """A member-level row: one member in one phase of an alliance."""

    atop_id: int
    cow_code: int
    start: str
    end: str
    phase: int | None
    obligations: dict
    row: object


@dataclass
class Member:
    """The phases of one member that enter an alliance the same day: one Membership."""

    atop_id: int
    cow_code: int
    start: str
    phases: list

    def values(self):
        ends = [phase.end for phase in self.phases]
        numbers = [phase.phase for phase in self.phases if phase.phase is not None]
        obligations = {}
        for name in OBLIGATIONS:
            given = [phase.obligations[name] for phase in self.phases]
            obligations[name] = True if True in given else (None if None in given else False)
        note = ""
        if len(self.phases) > 1:
            rows = " and ".join(str(phase.row.number) for phase in self.phases)
            note = f"Member-level rows {rows} begin the same day."
            if len(set(numbers)) > 1:
                listed = " and ".join(str(number) for number in sorted(set(numbers)))
                note = f"ATOP codes phases {listed} from this day (member-level rows {rows})."
        return {
            "start": self.start,
            **end_values("" if "" in ends else max(ends), COVERAGE_END),
            "phase": min(numbers) if numbers else None,
            **obligations,
            "note": note,
        }


def known(values):
    """The claims among `values`: a blank (not coded, or a blank end: still in force) states
    nothing."""
    return {name: value for name, value in values.items() if value not in (None, "")}


def _blank(value):
    return value is None or value == ""


def enrichment(instance, values, names):
    """The values for a record the importer did not create: those of `names` it holds blank
    or already holds (a value it has is never replaced). A blank end next to a known start
    says "still in force" rather than "not known", so the end is filled only with the start;
    a membership's phase only when its dates are then the phase's own."""
    kept = {}
    for name, value in values.items():
        if name not in names:
            continue
        current = getattr(instance, instance._meta.get_field(name).attname)
        wanted = value.pk if hasattr(value, "pk") else value
        if _blank(current) or current == wanted:
            kept[name] = value
    if instance.start and not instance.end:
        kept.pop("end", None)
    span = (kept.get("start", instance.start), kept.get("end", instance.end))
    if "phase" in kept and span != (values["start"], values["end"]):
        kept.pop("phase")
    return kept


class Atop(Dataset):
    name = "atop"
    inputs = {
        "alliances": Input(
            "atop4_alliance_level.csv",
            columns=(
                "atopid",
                "cow4id",
                "begyr",
                "begmo",
                "begday",
                "endyr",
                "endmo",
                "endday",
                *OBLIGATIONS.values(),
                *PROVISIONS.values(),
            ),
        ),
        "members": Input(
            "atop4_01_member_level.csv",
            columns=(
                "atopid",
                "member",
                "yrent",
                "moent",
                "dayent",
                "yrexit",
                "moexit",
                "dayexit",
                "phase",
                *OBLIGATIONS.values(),
            ),
        ),
    }

    def load(self, run):
        index = CountryIndex()
        if not index.by_cow:
            raise ImportFailure(
                "no stored country has a COW code, and ATOP names its members by COW code: "
                "import cow-states first"
            )
        sources = run.sync_sources()
        alliance_source = sources["atop-v4-01-alliance-level"]
        member_source = sources["atop-v4-01-member-level"]
        treaties, bad_ids = self.read_treaties(run)
        members = self.read_members(run, treaties, bad_ids, index.by_cow)
        alliances, unlinked = self.sync_alliances(run, treaties, index.by_cow)
        memberships = self.sync_memberships(run, members, alliances, index.by_cow)
        citations = run.citations(AllianceCitation, [alliance_source, member_source])
        for treaty in treaties.values():
            alliance = alliances.get(treaty.atop_id)
            if alliance is not None:
                citations.cite(
                    alliance,
                    alliance_source,
                    treaty.row,
                    note="Dates, obligations, provisions",
                    states=known({**treaty.dates, **treaty.obligations, **treaty.provisions}),
                )
        spells = defaultdict(int)
        for member in sorted(
            members, key=lambda member: (member.start, member.phases[0].row.number)
        ):
            alliance = alliances.get(member.atop_id)
            if alliance is None or memberships.get(id(member)) is None:
                continue
            country = index.by_cow[member.cow_code]
            spells[member.atop_id, country.code] += 1
            values = member.values()
            claims = {
                spell_key("members", country.code, spells[member.atop_id, country.code], name): (
                    values[name]
                )
                for name in MEMBERSHIP_CLAIMS
                if values[name] not in (None, "")
            }
            for phase in member.phases:
                note = f"Membership of {country.name}"
                if phase.phase is not None:
                    note += f" (phase {phase.phase})"
                states = claims if phase is member.phases[0] else {}
                citations.cite(alliance, member_source, phase.row, note=note, states=states)
        citations.flush()
        run.derive(Alliance, [alliance.pk for alliance in alliances.values()])
        cite_curated_treaties(run, alliance_source, CURATED_TREATIES, treaties, "ATOP")
        if unlinked and run.verbosity >= 1:
            run.out.write(
                f"atop: {unlinked} alliances name a COW alliance (cow4id) that is not stored: "
                "their cow_alliance stays blank until cow-alliances is imported and atop runs "
                "again"
            )

    def read_treaties(self, run):
        """The alliances of the alliance-level file by ATOP id, and the ids of bad rows."""
        treaties, bad_ids = {}, set()
        for row in run.rows("alliances", model=Alliance):
            atop_id = None
            try:
                atop_id = parse_int(row["atopid"], what="ATOP id")
                if atop_id <= 0:
                    raise RowError(f"ATOP id {atop_id} is not a positive number")
                if atop_id in treaties:
                    raise RowError(
                        f"ATOP {atop_id} is already at row {treaties[atop_id].row.number}"
                    )
                cow4id = None
                if row["cow4id"] not in CODE_MISSING:
                    cow4id = parse_int(row["cow4id"], what="cow4id")
                    if cow4id <= 0:
                        raise RowError(f"cow4id {cow4id} is not a positive number")
                start, end = dates(row, ("begyr", "begmo", "begday"), ("endyr", "endmo", "endday"))
                obligations = {
                    name: flag(row[column], what=column) for name, column in OBLIGATIONS.items()
                }
                if not any(obligations.values()):
                    raise RowError(
                        "no obligation: defense, offense, neutral, nonagg and consul are all "
                        "0 or missing"
                    )
                provisions = {
                    name: provision(row[column], what=column) for name, column in PROVISIONS.items()
                }
            except RowError as error:
                run.bad_row(row, error, model=Alliance)
                if atop_id is not None and atop_id not in treaties:
                    bad_ids.add(atop_id)
                continue
            treaties[atop_id] = Treaty(atop_id, cow4id, start, end, obligations, provisions, row)
        return treaties, bad_ids

    def read_members(self, run, treaties, bad_ids, countries):
        """The member-level rows, grouped into Members; bad rows are reported."""
        alliance_file = self.inputs["alliances"].file
        members = {}
        for row in run.rows("members", model=Membership):
            try:
                atop_id = parse_int(row["atopid"], what="ATOP id")
                treaty = treaties.get(atop_id)
                if treaty is None:
                    if atop_id in bad_ids:
                        raise RowError(
                            f"ATOP {atop_id}'s row in {alliance_file} is bad (see above)"
                        )
                    raise RowError(f"unknown alliance: ATOP {atop_id} is not in {alliance_file}")
                cow_code = parse_int(row["member"], what="member")
                if cow_code not in treaty.members:
                    treaty.members.append(cow_code)
                if cow_code not in countries:
                    raise RowError(f"unknown country: no country has COW code {cow_code}")
                start, end = dates(
                    row, ("yrent", "moent", "dayent"), ("yrexit", "moexit", "dayexit")
                )
                number = parse_int(row["phase"], what="phase")
                if number < 0:
                    raise RowError(f"phase {number} is not 0 or more")
                obligations = {
                    name: flag(row[column], what=column) for name, column in OBLIGATIONS.items()
                }
            except RowError as error:
                run.bad_row(row, error, model=Membership)
                continue
            phase = Phase(atop_id, cow_code, start, end, number or None, obligations, row)
            key = (atop_id, cow_code, start)
            if key not in members:
                members[key] = Member(atop_id, cow_code, start, [])
            members[key].phases.append(phase)
        for member in members.values():
            first = member.phases[0].row
            for phase in member.phases[1:]:
                run.note_row(
                    phase.row,
                    "merged",
                    f"member {member.cow_code} enters two phases of ATOP {member.atop_id} the "
                    f"same day ({member.start}): one membership with {first.where}",
                    model=Membership,
                    quiet=True,
                )
        return list(members.values())

    def sync_alliances(self, run, treaties, countries):
        """Match each ATOP alliance to a stored Alliance or create one; returns them by ATOP
        id, and the number whose COW alliance is not stored."""
        ids = list(treaties)
        by_atop = {
            alliance.atop_id: alliance for alliance in Alliance.objects.filter(atop_id__in=ids)
        }
        slugs = [f"atop-{atop_id}" for atop_id in ids] + list(CURATED.values())
        by_slug = Alliance.objects.in_bulk(slugs, field_name="slug")
        cow4ids = {treaty.cow4id for treaty in treaties.values() if treaty.cow4id}
        by_cow = {
            alliance.cow_id: alliance for alliance in Alliance.objects.filter(cow_id__in=cow4ids)
        }
        matches = {}
        for atop_id in ids:
            instance = by_atop.get(atop_id) or by_slug.get(f"atop-{atop_id}")
            curated = by_slug.get(CURATED.get(atop_id))
            if instance is None and curated is not None and curated.atop_id in (None, atop_id):
                instance = curated
            matches[atop_id] = instance
        merged = self.merge_into_cow(treaties, matches, by_cow)
        if merged and run.verbosity >= 1:
            run.out.write(
                f"atop: {merged} alliances are codings of the COW alliance they name (cow4id): "
                "their rows are cited on it and their values are its claims"
            )
        created = created_by(run, Alliance, [a.pk for a in matches.values() if a is not None])
        sync = run.records(
            Alliance,
            fields=ALLIANCE_FIELDS,
            enrich_fields=ALLIANCE_ENRICH,
            create_defaults={"status": Status.PUBLISHED},
        )
        alliances, unlinked = {}, 0
        for atop_id, treaty in treaties.items():
            instance = matches[atop_id]
            cow_alliance = by_cow.get(treaty.cow4id)
            if treaty.cow4id and cow_alliance is None:
                unlinked += 1
            if cow_alliance is not None and instance is not None and cow_alliance.pk == instance.pk:
                cow_alliance = None
            values = {
                "slug": f"atop-{atop_id}",
                "name": treaty.name(countries),
                "short_name": f"ATOP {atop_id}",
                "kind": treaty.kind,
                "start": treaty.start,
                **end_values(treaty.end, COVERAGE_END),
                **treaty.obligations,
                **treaty.provisions,
                "atop_id": atop_id,
                "cow_alliance": cow_alliance,
            }
            if instance is not None and instance.pk not in created:
                values = enrichment(instance, values, ALLIANCE_ENRICH)
            alliance = sync.put(values, instance=instance, row=treaty.row)
            if alliance is not None:
                alliances[atop_id] = alliance
        sync.flush()
        return alliances, unlinked

    @staticmethod
    def merge_into_cow(treaties, matches, by_cow):
        """Match each unmatched ATOP alliance whose cow4id names a stored COW alliance to that
        record, which no other ATOP alliance is (the first by start takes it: of two naming
        COW 300, the earlier); returns how many. The others stay apart, linked by
        cow_alliance."""
        taken = {alliance.pk for alliance in matches.values() if alliance is not None}
        merged = 0
        for atop_id in sorted(matches, key=lambda atop_id: (treaties[atop_id].start, atop_id)):
            cow_alliance = by_cow.get(treaties[atop_id].cow4id)
            if matches[atop_id] is not None or cow_alliance is None:
                continue
            if cow_alliance.pk in taken or cow_alliance.atop_id not in (None, atop_id):
                continue
            matches[atop_id] = cow_alliance
            taken.add(cow_alliance.pk)
            merged += 1
        return merged

    def sync_memberships(self, run, members, alliances, countries):
        """Create or update a Membership for each Member; returns them by id(member)."""
        stored = defaultdict(list)
        memberships = Membership.objects.filter(
            alliance__in=[alliance.pk for alliance in alliances.values()], role__in=MATCHED_ROLES
        ).order_by("start", "pk")
        for membership in memberships:
            stored[membership.alliance_id, membership.country_id].append(membership)
        matches = {}
        wanting = defaultdict(list)
        for member in members:
            alliance = alliances.get(member.atop_id)
            if alliance is None:
                continue
            key = (alliance.pk, countries[member.cow_code].pk)
            same_start = [m for m in stored[key] if m.start == member.start]
            if same_start:
                matches[id(member)] = same_start[0]
                stored[key].remove(same_start[0])
            else:
                wanting[key].append(member)
        for key, waiting in wanting.items():
            for member, membership in zip(
                sorted(waiting, key=lambda member: member.start), stored[key], strict=False
            ):
                matches[id(member)] = membership
        created = created_by(run, Membership, [m.pk for m in matches.values()])
        sync = run.records(Membership, fields=MEMBERSHIP_FIELDS, enrich_fields=MEMBERSHIP_ENRICH)
        result = {}
        for member in members:
            alliance = alliances.get(member.atop_id)
            if alliance is None:
                for phase in member.phases:
                    run.bad_row(
                        phase.row,
                        f"ATOP {member.atop_id} was not imported (see above)",
                        model=Membership,
                    )
                continue
            instance = matches.get(id(member))
            values = {
                "alliance": alliance,
                "country": countries[member.cow_code],
                "role": Membership.Role.MEMBER,
                **member.values(),
            }
            if instance is not None and instance.pk not in created:
                values = enrichment(instance, values, MEMBERSHIP_ENRICH)
            result[id(member)] = sync.put(values, instance=instance, row=member.phases[0].row)
        sync.flush()
        return result
