"""Countries, alliances (with their memberships) and treaties.

Country codes are ISO 3166-1 alpha-3 where one exists, checked against pycountry. A state with no
ISO code (a historical state in the Correlates of War lists, say) gets a code from ISO's
user-assigned range X?? (see `validate_country_code`), so codes never collide with real ones.
"""

import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords

from alliances.names import country_names
from milidip.dates import (
    PartialDateField,
    check_date_order,
    coverage_end_field,
    derive_end_kind,
    end_kind_field,
    not_before_q,
)
from milidip.records import (
    Record,
    RecordQuerySet,
    SlugRecord,
    UpdatedAtField,
    disputed_field,
    record_url,
)
from milidip.sources.models import Citation

USER_ASSIGNED_PREFIX = "X"


def validate_country_code(code):
    """Accept a current or historical ISO 3166-1 alpha-3 code, or a user-assigned X?? code."""
    if len(code) != 3 or not code.isascii() or not code.isalpha() or not code.isupper():
        raise ValidationError(
            "%(code)r is not a country code: use three capital letters (ISO 3166-1 alpha-3).",
            code="invalid_country_code",
            params={"code": code},
        )
    if code.startswith(USER_ASSIGNED_PREFIX):
        return
    if pycountry.countries.get(alpha_3=code) or pycountry.historic_countries.get(alpha_3=code):
        return
    raise ValidationError(
        "%(code)r is not an ISO 3166-1 alpha-3 code. A state without one gets a code "
        "beginning with X (ISO's user-assigned range).",
        code="unknown_country_code",
        params={"code": code},
    )


class Region(models.TextChoices):
    EAST_ASIA = "east-asia", "East Asia"
    SOUTHEAST_ASIA = "southeast-asia", "Southeast Asia"
    SOUTH_ASIA = "south-asia", "South Asia"
    CENTRAL_ASIA = "central-asia", "Central Asia"
    MIDDLE_EAST = "middle-east", "Middle East and North Africa"
    AFRICA = "africa", "Sub-Saharan Africa"
    EUROPE = "europe", "Europe"
    NORTH_AMERICA = "north-america", "North America"
    LATIN_AMERICA = "latin-america", "Latin America and the Caribbean"
    OCEANIA = "oceania", "Oceania"


class CountryManager(models.Manager.from_queryset(RecordQuerySet)):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Country(Record):
    code = models.CharField(
        max_length=3,
        unique=True,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-3 code in capitals (KOR, USA, PRK). A historical state "
        "without one gets a code beginning with X.",
    )
    name = models.CharField(
        max_length=200, db_index=True, help_text="The common English name, e.g. “South Korea”."
    )
    official_name = models.CharField(
        max_length=200, blank=True, help_text="e.g. “Republic of Korea”."
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text='Other names and abbreviations the sources use, e.g. ["ROK", "Korea"].',
    )
    region = models.CharField(max_length=20, choices=Region.choices, blank=True, db_index=True)
    cow_code = models.PositiveSmallIntegerField(
        "COW code",
        null=True,
        blank=True,
        unique=True,
        help_text="Correlates of War numeric state code (e.g. 732 for South Korea).",
    )
    cow_abbreviation = models.CharField(
        "COW abbreviation", max_length=3, blank=True, help_text="e.g. ROK."
    )
    gw_code = models.PositiveSmallIntegerField(
        "Gleditsch-Ward code",
        null=True,
        blank=True,
        help_text="Gleditsch and Ward state number, used by the MME exercise dataset.",
    )
    disputed = disputed_field()

    # Only the country's own fields are claimed (see milidip.sources.claims): no row of it.
    claim_rows = {}

    objects = CountryManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "countries"
        ordering = ["name", "code"]
        permissions = [("publish_country", "Can publish and retract countries")]
        constraints = [
            *Record.status_constraints("country"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{3}$"), name="country_code_three_capitals"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        """The record's public page (milidip.pages)."""
        return record_url("pages:country", self.code)

    @property
    def names(self):
        """{language: name} from the ISO translations (alliances.names); {} for an X?? code."""
        return country_names(self.code)

    def natural_key(self):
        return (self.code,)

    def clean(self):
        super().clean()
        if not isinstance(self.aliases, list) or not all(
            isinstance(alias, str) and alias.strip() for alias in self.aliases
        ):
            raise ValidationError({"aliases": 'Give a list of names, e.g. ["ROK", "Korea"].'})


class StateSystemMembershipManager(models.Manager):
    def get_by_natural_key(self, country_code, start):
        return self.get(country__code=country_code, start=start)


class StateSystemMembership(models.Model):
    """A spell of a state's membership in the interstate system, as the Correlates of War
    State System Membership list codes it (a state can have several: Cuba 1902-1906 and from
    1909). Cited through its country's citations, which give the dataset row."""

    country = models.ForeignKey(
        Country,
        on_delete=models.CASCADE,
        related_name="system_memberships",
        help_text="The state whose membership this is.",
    )
    start = PartialDateField(
        "entered", help_text="When the state entered the system (YYYY, YYYY-MM or YYYY-MM-DD)."
    )
    end = PartialDateField(
        "left",
        help_text="When it left the system; blank if it was still a member when the data ends "
        "(COW v2016 writes 2016-12-31 for those).",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = UpdatedAtField(default=timezone.now, editable=False)

    objects = StateSystemMembershipManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "state-system membership"
        ordering = ["country", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "start"], name="statesystemmembership_unique"
            ),
            models.CheckConstraint(
                condition=not_before_q("end", "start"),
                name="statesystemmembership_end_not_before_start",
            ),
        ]

    def __str__(self):
        return f"{self.country} in the state system from {self.start or '?'}"

    def clean(self):
        super().clean()
        check_date_order(self, [("end", "start")])

    def natural_key(self):
        return (self.country.code, self.start)

    natural_key.dependencies = ["alliances.country"]


class Obligations(models.Model):
    """Obligations as alliance datasets code them; None means not known."""

    defence = models.BooleanField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Parties promise to defend one another if attacked.",
    )
    offence = models.BooleanField(
        null=True, blank=True, db_index=True, help_text="Parties promise joint offensive action."
    )
    neutrality = models.BooleanField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Parties promise to stay out of a war against another.",
    )
    non_aggression = models.BooleanField(
        "non-aggression",
        null=True,
        blank=True,
        db_index=True,
        help_text="Parties promise not to attack each other.",
    )
    consultation = models.BooleanField(
        null=True, blank=True, db_index=True, help_text="Parties promise to consult in a crisis."
    )
    entente = models.BooleanField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Parties promise to consult or cooperate in a crisis (COW's entente).",
    )

    class Meta:
        abstract = True


# The obligations' fields, and the provisions only alliances hold, in the order the admin, the
# API and CSV show them.
OBLIGATIONS = ["defence", "offence", "neutrality", "non_aggression", "consultation", "entente"]
PROVISIONS = ["military_aid", "bases", "organisation"]

# Each record's own fields (status, timestamps and citations, which every record has, aside), in
# the order the API shows them. The API's output and input, the CSV columns and the admin's form
# take theirs from here (milidip.records.field_list), so a new field is declared once.
COUNTRY_FIELDS = [
    "code",
    "name",
    "official_name",
    "aliases",
    "region",
    "cow_code",
    "cow_abbreviation",
    "gw_code",
]
ALLIANCE_FIELDS = [
    "slug",
    "name",
    "short_name",
    "kind",
    "description",
    "start",
    "end",
    "end_kind",
    "coverage_end",
    *OBLIGATIONS,
    *PROVISIONS,
    "memberships",
    "cow_id",
    "atop_id",
    "cow_alliance",
    "atop_alliances",
]
MEMBERSHIP_FIELDS = [
    "country",
    "role",
    "start",
    "end",
    "end_kind",
    "coverage_end",
    "phase",
    *OBLIGATIONS,
    "left_censored",
    "right_censored",
    "note",
]
TREATY_FIELDS = [
    "slug",
    "name",
    "short_name",
    "kind",
    "parties",
    "alliance",
    "signed",
    "in_force",
    "ended",
    "provisions",
    "description",
]


class Alliance(SlugRecord, Obligations):
    class Kind(models.TextChoices):
        DEFENCE_PACT = "defence-pact", "Defence pact"
        COLLECTIVE_DEFENCE = "collective-defence", "Collective-defence organisation"
        INTELLIGENCE_SHARING = "intelligence-sharing", "Intelligence-sharing network"
        TRILATERAL = "trilateral-framework", "Trilateral cooperation framework"
        STRATEGIC_PARTNERSHIP = "strategic-partnership", "Strategic partnership"
        ORGANISATION = "organisation", "Intergovernmental organisation"
        SECURITY_DIALOGUE = "security-dialogue", "Security dialogue or forum"
        OFFENCE_PACT = "offence-pact", "Offence pact"
        NEUTRALITY_PACT = "neutrality-pact", "Neutrality pact"
        NON_AGGRESSION_PACT = "non-aggression-pact", "Non-aggression pact"
        CONSULTATION_PACT = "consultation-pact", "Consultation pact"
        ENTENTE = "entente", "Entente"

    name = models.CharField(
        max_length=200,
        db_index=True,
        help_text="Full name, e.g. “North Atlantic Treaty Organization”.",
    )
    short_name = models.CharField(
        max_length=50, blank=True, help_text="Acronym or short name, e.g. “NATO”."
    )
    short_name_generated = models.BooleanField(
        default=False,
        db_index=True,
        help_text="The short name was generated from the kind, members and year (an imported "
        "alliance the source names by a code only); a curator's edit of the short name clears "
        "it, and generated names never replace a curator's.",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    description = models.TextField(blank=True, help_text="What the arrangement is and does.")
    start = PartialDateField(
        "established",
        db_index=True,
        help_text="When it was established (YYYY, YYYY-MM or YYYY-MM-DD).",
    )
    end = PartialDateField(
        "ended",
        db_index=True,
        help_text="When it ended; blank if it still stands or is not known (end_kind says which).",
    )
    end_kind = end_kind_field()
    coverage_end = coverage_end_field()
    members = models.ManyToManyField(
        Country, through="Membership", related_name="alliances", blank=True
    )
    military_aid = models.BooleanField(
        "military aid",
        null=True,
        blank=True,
        db_index=True,
        help_text="Parties promise military aid (grants, training, arms) to one another in the "
        "treaty's text (ATOP codes the text, not practice: aid given without a promise is false).",
    )
    bases = models.BooleanField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Parties grant one another bases or troops stationed on their territory.",
    )
    organisation = models.BooleanField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The agreement creates an organisation (a council, a command, a secretariat).",
    )
    cow_id = models.PositiveIntegerField(
        "COW alliance id",
        null=True,
        blank=True,
        unique=True,
        help_text="Correlates of War Formal Alliances v4.1 id (version4id), e.g. 236.",
    )
    atop_id = models.PositiveIntegerField(
        "ATOP id",
        null=True,
        blank=True,
        unique=True,
        help_text="Alliance Treaty Obligations and Provisions v4.01 id (atopid), e.g. 3240.",
    )
    cow_alliance = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="atop_alliances",
        help_text="For an ATOP alliance: the COW alliance ATOP says it is (its cow4id).",
    )
    disputed = disputed_field()
    # A slug `atop-<n>` or `cow-<n>` that names no record leads (301) to the alliance whose
    # atop_id or cow_id is n (milidip.sources.merges.redirect_slug): a dataset's coding of an
    # alliance stored under another slug.
    slug_aliases = {"atop": "atop_id", "cow": "cow_id"}

    # Rows claimed through the alliance: "members/KOR/defence" is South Korea's membership's
    # defence (see milidip.sources.claims).
    claim_rows = {
        "members": ("memberships", "country__code", {"role__in": ["member", "founding-member"]})
    }

    history = HistoricalRecords()

    # Fields a later step generates, by the flag that marks them
    # (milidip.datasets.importers.alliance_names): an import does not put its code back.
    GENERATED_FIELDS = {"short_name": "short_name_generated"}

    class Meta:
        ordering = ["name", "slug"]
        permissions = [("publish_alliance", "Can publish and retract alliances")]
        constraints = [
            *SlugRecord.status_constraints("alliance"),
            models.CheckConstraint(
                condition=~Q(cow_alliance=models.F("pk")), name="alliance_not_its_own_cow_alliance"
            ),
            models.CheckConstraint(
                condition=not_before_q("end", "start"), name="alliance_end_not_before_start"
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        # A curator who changes a generated short name makes it theirs.
        if self.pk and self.short_name_generated:
            stored = Alliance.objects.filter(pk=self.pk).values_list("short_name", flat=True)
            if stored and stored[0] != self.short_name:
                self.short_name_generated = False
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The record's public page (milidip.pages)."""
        return record_url("pages:alliance", self.slug)

    def clean(self):
        super().clean()
        derive_end_kind(self)


class MembershipManager(models.Manager):
    def get_by_natural_key(self, alliance_slug, country_code, role, start):
        return self.get(
            alliance__slug=alliance_slug, country__code=country_code, role=role, start=start
        )


class Membership(Obligations):
    """A country's part in an alliance. The obligations are the member's own where a dataset
    codes them per member (COW, ATOP); blank (unknown) otherwise."""

    class Role(models.TextChoices):
        FOUNDING_MEMBER = "founding-member", "Founding member"
        MEMBER = "member", "Member"
        PARTNER = "partner", "Partner"
        OBSERVER = "observer", "Observer"

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="memberships")
    # When two alliances merge (milidip.sources.merges), a moved membership that repeats one
    # of the kept alliance's (the same country from the same day, whatever the role) is one
    # membership, not two.
    merge_identity = ("alliance", "country", "start")
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        default=Role.MEMBER,
        db_index=True,
        help_text="Partner for a country that cooperates without full membership "
        "(South Korea is a NATO partner).",
    )
    start = PartialDateField("joined", help_text="When the country took up this role.")
    end = PartialDateField(
        "left",
        help_text="When it left the role; blank if it still holds it or it is not known "
        "(end_kind says which).",
    )
    end_kind = end_kind_field()
    coverage_end = coverage_end_field()
    phase = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="ATOP's phase: an alliance whose terms changed is coded in numbered phases.",
    )
    left_censored = models.BooleanField(
        "left-censored",
        null=True,
        blank=True,
        help_text="COW: the membership began before the data does (1816), so its start is "
        "where the data begins.",
    )
    right_censored = models.BooleanField(
        "right-censored",
        null=True,
        blank=True,
        help_text="COW: the membership was still in force when the data ends (2012).",
    )
    note = models.CharField(max_length=300, blank=True)

    objects = MembershipManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["alliance", "country", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "country", "role", "start"], name="membership_unique"
            ),
            models.CheckConstraint(
                condition=not_before_q("end", "start"), name="membership_end_not_before_start"
            ),
        ]

    def __str__(self):
        return f"{self.country} in {self.alliance} ({self.get_role_display()})"

    def clean(self):
        super().clean()
        check_date_order(self, [("end", "start")])
        derive_end_kind(self)

    def natural_key(self):
        return (self.alliance.slug, self.country.code, self.role, self.start)

    natural_key.dependencies = ["alliances.alliance", "alliances.country"]


class Treaty(SlugRecord):
    class Kind(models.TextChoices):
        MUTUAL_DEFENCE = "mutual-defence-treaty", "Mutual defence treaty"
        SECURITY = "security-treaty", "Security treaty"
        DEFENCE_COOPERATION = "defence-cooperation-agreement", "Defence cooperation agreement"
        COST_SHARING = "cost-sharing-agreement", "Cost-sharing agreement"
        STATUS_OF_FORCES = "status-of-forces-agreement", "Status-of-forces agreement"
        INTELLIGENCE_SHARING = "intelligence-sharing-agreement", "Intelligence-sharing agreement"
        ARMISTICE = "armistice", "Armistice or peace agreement"
        FOUNDING_CHARTER = "founding-charter", "Founding charter of an organisation"
        PARTNERSHIP = "partnership-agreement", "Partnership or framework agreement"
        ARMS_CONTROL = "arms-control", "Arms-control or non-proliferation agreement"

    name = models.CharField(
        max_length=200,
        db_index=True,
        help_text="The instrument's name, e.g. “Mutual Defense Treaty”.",
    )
    short_name = models.CharField(max_length=50, blank=True, help_text="e.g. “SOFA”.")
    kind = models.CharField(max_length=40, choices=Kind.choices, db_index=True)
    parties = models.ManyToManyField(
        Country, related_name="treaties", blank=True, help_text="The states that signed it."
    )
    alliance = models.ForeignKey(
        Alliance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treaties",
        help_text="The alliance or organisation this instrument founds or governs.",
    )
    signed = PartialDateField(db_index=True, help_text="When it was signed.")
    in_force = PartialDateField("in force", db_index=True, help_text="When it entered into force.")
    ended = PartialDateField(help_text="When it ended; blank if it is in force or not known.")
    provisions = models.TextField(
        blank=True, help_text="Its key provisions, as the sources describe them."
    )
    description = models.TextField(blank=True)
    disputed = disputed_field()

    # Only the treaty's own fields are claimed (see milidip.sources.claims): no row of it.
    claim_rows = {}

    history = HistoricalRecords(m2m_fields=[parties])

    date_order = (("in_force", "signed"), ("ended", "signed"))

    class Meta:
        verbose_name_plural = "treaties"
        ordering = ["signed", "name", "slug"]
        permissions = [("publish_treaty", "Can publish and retract treaties")]
        constraints = [
            *SlugRecord.status_constraints("treaty"),
            models.CheckConstraint(
                condition=not_before_q("in_force", "signed"),
                name="treaty_in_force_not_before_signed",
            ),
            models.CheckConstraint(
                condition=not_before_q("ended", "signed"), name="treaty_ended_not_before_signed"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """The record's public page (milidip.pages)."""
        return record_url("pages:treaty", self.slug)


class CountryCitation(Citation):
    record = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = Citation.constraints_for("countrycitation")


class AllianceCitation(Citation):
    record = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = Citation.constraints_for("alliancecitation")


class TreatyCitation(Citation):
    record = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="citations")

    class Meta(Citation.Meta):
        constraints = Citation.constraints_for("treatycitation")


@receiver(pre_save, sender=Alliance)
@receiver(pre_save, sender=Membership)
def agree_end_kind(sender, instance, **kwargs):
    """Every save (the admin, the API, a fixture) keeps end_kind in line with end."""
    derive_end_kind(instance)
